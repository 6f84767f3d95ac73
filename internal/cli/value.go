package cli

import (
	"sort"
	"strings"
)

// object is a JSON object that remembers key order: the aws CLI prints
// structures in model order and maps in response order.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

// set adds or replaces key, keeping its first position.
func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, x := range o.keys {
		if x == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

func (o *object) len() int { return len(o.keys) }

// sortedKeys returns the keys in byte order (Python's sorted()).
func (o *object) sortedKeys() []string {
	ks := append([]string(nil), o.keys...)
	sort.Strings(ks)
	return ks
}

// plain converts ordered values to the map/slice values go-jmespath wants.
func plain(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			m[k] = plain(x.vals[k])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case int64:
		return float64(x)
	case int:
		return float64(x)
	}
	return v
}

// keyRanker orders the keys of objects a JMESPath query produced: first
// keys as they appeared in the response, then keys the expression itself
// named (multiselect hashes), in the order they appear in it.
type keyRanker struct {
	seen map[string]int
	expr string
}

func newKeyRanker(v any, expr string) *keyRanker {
	r := &keyRanker{seen: map[string]int{}, expr: expr}
	r.walk(v)
	return r
}

func (r *keyRanker) walk(v any) {
	switch x := v.(type) {
	case *object:
		for _, k := range x.keys {
			if _, ok := r.seen[k]; !ok {
				r.seen[k] = len(r.seen)
			}
			r.walk(x.vals[k])
		}
	case []any:
		for _, e := range x {
			r.walk(e)
		}
	}
}

func (r *keyRanker) rank(k string) (int, int) {
	if i := strings.Index(r.expr, k+":"); i >= 0 {
		return 0, i
	}
	if i := strings.Index(r.expr, k+" :"); i >= 0 {
		return 0, i
	}
	if i, ok := r.seen[k]; ok {
		return 1, i
	}
	return 2, 0
}

// ordered converts a go-jmespath result back to ordered values, ints
// where the number is integral (Python keeps ints as ints).
func (r *keyRanker) ordered(v any) any {
	switch x := v.(type) {
	case map[string]any:
		o := newObject()
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			a1, a2 := r.rank(ks[i])
			b1, b2 := r.rank(ks[j])
			if a1 != b1 {
				return a1 < b1
			}
			if a2 != b2 {
				return a2 < b2
			}
			return ks[i] < ks[j]
		})
		for _, k := range ks {
			o.set(k, r.ordered(x[k]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.ordered(e)
		}
		return out
	case float64:
		if x == float64(int64(x)) && x < 1e15 && x > -1e15 {
			return int64(x)
		}
	}
	return v
}
