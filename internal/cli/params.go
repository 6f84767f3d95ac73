package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// decodeJSON parses JSON keeping object key order; numbers become int64
// when integral, float64 otherwise.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSONValue(dec, false)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("Extra data")
	}
	return v, nil
}

// decodeJSONValue reads one value; rawNumbers keeps numbers as json.Number
// (responses, so timestamps keep every digit).
func decodeJSONValue(dec *json.Decoder, rawNumbers bool) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeJSONValue(dec, rawNumbers)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeJSONValue(dec, rawNumbers)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		}
	case json.Number:
		if rawNumbers {
			return x, nil
		}
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err
	}
	return t, nil
}

// loadParamFile resolves file:// and fileb:// values, as the aws CLI does
// for every top-level parameter value.
func loadParamFile(flag, v string) (string, error) {
	var path string
	switch {
	case strings.HasPrefix(v, "file://"):
		path = v[len("file://"):]
	case strings.HasPrefix(v, "fileb://"):
		path = v[len("fileb://"):]
	default:
		return v, nil
	}
	expanded := os.ExpandEnv(path)
	if strings.HasPrefix(expanded, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			expanded = filepath.Join(home, expanded[2:])
		}
	}
	data, err := os.ReadFile(expanded)
	if err != nil {
		return "", &paramError{fmt.Sprintf("Error parsing parameter '%s': Unable to load paramfile %s: [Errno 2] No such file or directory: '%s'", flag, v, expanded)}
	}
	return string(data), nil
}

// unpackArg turns one option's raw command-line values into a parameter
// value of shape s: JSON when it looks like JSON, shorthand otherwise.
func unpackArg(flag string, s *shape, raw []string) (any, error) {
	vals := make([]string, len(raw))
	for i, r := range raw {
		v, err := loadParamFile(flag, r)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	switch s.Type {
	case "structure", "map":
		v := vals[0]
		if strings.HasPrefix(strings.TrimSpace(v), "{") {
			return unpackJSON(flag, s, v)
		}
		parsed, err := parseShorthand(v)
		if err != nil {
			return nil, &paramError{fmt.Sprintf("Error parsing parameter '%s': %s", flag, err)}
		}
		return backCompat(s, parsed)
	case "integer", "long":
		// Top-level numbers are argparse's type=int.
		v, err := unpackScalar(s, vals[0])
		if err != nil {
			return nil, &usageError{fmt.Sprintf("argument %s: invalid int value: '%s'", flag, vals[0])}
		}
		return v, nil
	case "list":
		if len(vals) == 1 && strings.HasPrefix(strings.TrimSpace(vals[0]), "[") {
			return unpackJSON(flag, s, vals[0])
		}
		out := make([]any, 0, len(vals))
		for _, v := range vals {
			if s.Member.scalar() {
				sv, err := unpackScalar(s.Member, v)
				if err != nil {
					return nil, err
				}
				out = append(out, sv)
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(v), "{") {
				jv, err := unpackJSON(flag, s.Member, v)
				if err != nil {
					return nil, err
				}
				out = append(out, jv)
				continue
			}
			parsed, err := parseShorthand(v)
			if err != nil {
				return nil, &paramError{fmt.Sprintf("Error parsing parameter '%s': %s", flag, err)}
			}
			bv, err := backCompat(s.Member, parsed)
			if err != nil {
				return nil, err
			}
			out = append(out, bv)
		}
		return out, nil
	}
	return unpackScalar(s, vals[0])
}

func unpackJSON(flag string, s *shape, v string) (any, error) {
	parsed, err := decodeJSON([]byte(v))
	if err != nil {
		return nil, &paramError{fmt.Sprintf("Error parsing parameter '%s': Invalid JSON: %s\nJSON received: %s", flag, pyJSONError(v, err), v)}
	}
	return parsed, nil
}

// pyJSONError phrases a JSON error as Python's json module would.
func pyJSONError(text string, err error) string {
	if msg := pyJSONErrorFor(text); msg != "" {
		return msg
	}
	msg := err.Error()
	if strings.Contains(msg, "looking for beginning of object key string") {
		return "Expecting property name enclosed in double quotes"
	}
	if msg == "unexpected EOF" || msg == "EOF" {
		return "Expecting value"
	}
	return msg
}

// unpackScalar converts a command-line string for a scalar shape; a bad
// integer is a Python ValueError in the aws CLI (exit 255).
func unpackScalar(s *shape, v string) (any, error) {
	switch s.Type {
	case "integer", "long":
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, &fatalError{fmt.Sprintf("invalid literal for int() with base 10: '%s'", v)}
		}
		return i, nil
	case "float", "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, &fatalError{fmt.Sprintf("could not convert string to float: '%s'", v)}
		}
		return f, nil
	case "boolean":
		return !strings.EqualFold(v, "false"), nil
	}
	return v, nil
}

// fatalError is an unexpected client error: exit 255.
type fatalError struct{ msg string }

func (e *fatalError) Error() string { return e.msg }

// backCompat applies the model to shorthand output as awscli's
// BackCompatVisitor does: numbers and booleans typed, single values
// wrapped into lists where the model wants a list.
func backCompat(s *shape, v any) (any, error) {
	switch s.Type {
	case "structure":
		o, ok := v.(*object)
		if !ok {
			return v, nil
		}
		for _, m := range s.Members {
			mv, present := o.get(m.Name)
			if !present {
				continue
			}
			nv, err := backCompat(m.Shape, mv)
			if err != nil {
				return nil, err
			}
			o.set(m.Name, nv)
		}
		return o, nil
	case "map":
		o, ok := v.(*object)
		if !ok {
			return v, nil
		}
		for _, k := range o.keys {
			nv, err := backCompat(s.Value, o.vals[k])
			if err != nil {
				return nil, err
			}
			o.vals[k] = nv
		}
		return o, nil
	case "list":
		l, ok := v.([]any)
		if !ok {
			if v == nil {
				return nil, nil
			}
			l = []any{v}
		}
		for i := range l {
			nv, err := backCompat(s.Member, l[i])
			if err != nil {
				return nil, err
			}
			l[i] = nv
		}
		return l, nil
	}
	str, ok := v.(string)
	if !ok {
		return v, nil
	}
	switch s.Type {
	case "integer", "long":
		return unpackScalar(s, str)
	case "double", "float":
		return unpackScalar(s, str)
	case "boolean":
		switch strings.ToLower(str) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return v, nil
}
