package model

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"testing"
)

// candidates are tried, in order, for any string shape without an enum;
// the first one that passes the shape's constraints is used. A new pattern
// no candidate satisfies fails TestEveryOperation, so it cannot be missed.
var candidates = []string{
	"abc",
	pool,
	arn,
	"authenticated",
	"123456789012",
	"accounts.google.com",
}

// sample builds a valid value for s with every optional member present.
func sample(t *testing.T, s *shape) any {
	t.Helper()
	switch s.kind {
	case kindString:
		if len(s.enum) > 0 {
			return s.enum[0]
		}
		for _, c := range candidates {
			if s.stringMask([]byte(c)) == 0 {
				return c
			}
		}
		t.Fatalf("no candidate string satisfies shape %s (%v); add one", s.name, s.texts)
	case kindInteger, kindLong, kindFloat:
		switch {
		case s.hasMin:
			return s.min
		case s.hasMax:
			return s.max
		}
		return 1
	case kindBoolean:
		return true
	case kindTimestamp:
		return 1.4969e9
	case kindList:
		n := max(1, int(s.min))
		l := make([]any, n)
		for i := range l {
			l[i] = sample(t, s.elem)
		}
		return l
	case kindMap:
		return map[string]any{sample(t, s.key).(string): sample(t, s.value)}
	case kindStructure:
		o := map[string]any{}
		for _, m := range s.members {
			o[m.name] = sample(t, m.shape)
		}
		return o
	}
	t.Fatalf("kind %v", s.kind)
	return nil
}

// TestEveryOperation walks every operation's input shape from the model: a
// complete valid body passes, and dropping any required member, at any
// depth, gives exactly AWS's "Member must not be null" error for its path.
func TestEveryOperation(t *testing.T) {
	m := mustLoad(t)
	if got := len(m.Operations()); got != 23 {
		t.Fatalf("%d operations, want 23", got)
	}
	for _, op := range m.Operations() {
		if !m.Has(op) {
			t.Fatalf("Has(%s) = false", op)
		}
		t.Run(op, func(t *testing.T) {
			in := m.inputs[op]
			body := sample(t, in).(map[string]any)
			validate := func() string {
				b, err := json.Marshal(body)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.Validate(op, b); err != nil {
					return err.Error()
				}
				return ""
			}
			if got := validate(); got != "" {
				t.Fatalf("valid body refused: %s", got)
			}
			checked := 0
			eachRequired(in, body, "", func(obj map[string]any, name, path string) {
				saved := obj[name]
				delete(obj, name)
				want := "ValidationException: 1 validation error detected: Value null at '" + path +
					"' failed to satisfy constraint: Member must not be null"
				if got := validate(); got != want {
					t.Errorf("without %s:\n got %s\nwant %s", path, got, want)
				}
				obj[name] = saved
				checked++
			})
			t.Logf("%d required members checked", checked)
		})
	}
}

// eachRequired calls f for every required member of every structure in v.
func eachRequired(s *shape, v any, path string, f func(obj map[string]any, name, path string)) {
	join := func(a, b string) string {
		if a == "" {
			return b
		}
		return a + "." + b
	}
	switch s.kind {
	case kindStructure:
		obj := v.(map[string]any)
		for _, m := range s.members {
			p := join(path, m.path)
			if m.required {
				f(obj, m.name, p)
			}
			eachRequired(m.shape, obj[m.name], p, f)
		}
	case kindList:
		for i, e := range v.([]any) {
			eachRequired(s.elem, e, join(path, strconv.Itoa(i+1)+".member"), f)
		}
	case kindMap:
		obj := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			eachRequired(s.value, obj[k], join(path, k+".member"), f)
		}
	}
}
