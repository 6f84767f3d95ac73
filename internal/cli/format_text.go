package cli

import (
	"io"
	"sort"
	"strings"
)

// writeText prints v as awscli/text.py does: a dict's scalars on one
// tab-separated line (sorted by key) prefixed by the upper-cased key that
// led to it, then its lists and dicts, recursively.
func writeText(w io.Writer, v any) error {
	var b strings.Builder
	textValue(&b, v, "", nil)
	_, err := io.WriteString(w, b.String())
	return err
}

func isContainer(v any) bool {
	switch v.(type) {
	case *object, []any:
		return true
	}
	return false
}

func textValue(b *strings.Builder, v any, ident string, scalarKeys []string) {
	switch x := v.(type) {
	case *object:
		textDict(b, x, ident, scalarKeys)
	case []any:
		textList(b, x, ident)
	default:
		b.WriteString(pyStr(v))
		b.WriteByte('\n')
	}
}

func textList(b *strings.Builder, items []any, ident string) {
	if len(items) == 0 {
		return
	}
	hasDict, hasList := false, false
	for _, e := range items {
		switch e.(type) {
		case *object:
			hasDict = true
		case []any:
			hasList = true
		}
	}
	switch {
	case hasDict:
		keys := allScalarKeys(items)
		for _, e := range items {
			textValue(b, e, ident, keys)
		}
	case hasList:
		var scalars, others []any
		for _, e := range items {
			if isContainer(e) {
				others = append(others, e)
			} else {
				scalars = append(scalars, e)
			}
		}
		if len(scalars) > 0 {
			textScalarList(b, scalars, ident)
		}
		for _, e := range others {
			textValue(b, e, ident, nil)
		}
	default:
		textScalarList(b, items, ident)
	}
}

func textScalarList(b *strings.Builder, items []any, ident string) {
	if ident != "" {
		for _, e := range items {
			b.WriteString(strings.ToUpper(ident) + "\t" + pyStr(e) + "\n")
		}
		return
	}
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = pyStr(e)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

func allScalarKeys(items []any) []string {
	seen := map[string]bool{}
	for _, e := range items {
		if o, ok := e.(*object); ok {
			for _, k := range o.keys {
				if !isContainer(o.vals[k]) {
					seen[k] = true
				}
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func textDict(b *strings.Builder, o *object, ident string, scalarKeys []string) {
	var scalars []string
	type pair struct {
		k string
		v any
	}
	var rest []pair
	if scalarKeys == nil {
		for _, k := range o.sortedKeys() {
			if isContainer(o.vals[k]) {
				rest = append(rest, pair{k, o.vals[k]})
			} else {
				scalars = append(scalars, pyStr(o.vals[k]))
			}
		}
	} else {
		inScalars := map[string]bool{}
		for _, k := range scalarKeys {
			inScalars[k] = true
			if v, ok := o.vals[k]; ok {
				scalars = append(scalars, pyStr(v))
			} else {
				scalars = append(scalars, "")
			}
		}
		for _, k := range o.sortedKeys() {
			if !inScalars[k] {
				rest = append(rest, pair{k, o.vals[k]})
			}
		}
	}
	if len(scalars) > 0 {
		if ident != "" {
			scalars = append([]string{strings.ToUpper(ident)}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, p := range rest {
		textValue(b, p.v, p.k, nil)
	}
}
