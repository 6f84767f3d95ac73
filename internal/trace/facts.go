package trace

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Facts are a step's values, as name, value pairs in the order recorded.
// They encode as a JSON object, as a map would (names sorted, a repeated
// name keeping its last value): every traced call records about ten steps,
// and a map per step was a fifth of the bytes a GetId on a login allocated
// (docs/performance.md), while the object is only built when a trace is read.
type Facts []Fact

// Fact is one named value.
type Fact struct{ Name, Value string }

// Get returns the value of name ("" when absent), the last one recorded.
func (f Facts) Get(name string) string {
	for i := len(f) - 1; i >= 0; i-- {
		if f[i].Name == name {
			return f[i].Value
		}
	}
	return ""
}

// Map returns the facts as a map.
func (f Facts) Map() map[string]string {
	m := make(map[string]string, len(f))
	for _, x := range f {
		m[x.Name] = x.Value
	}
	return m
}

// MarshalJSON encodes the facts as an object with sorted names.
func (f Facts) MarshalJSON() ([]byte, error) {
	last := make([]Fact, 0, len(f)) // the last value of each name, sorted by name
	for i := len(f) - 1; i >= 0; i-- {
		if !slices.ContainsFunc(last, func(x Fact) bool { return x.Name == f[i].Name }) {
			last = append(last, f[i])
		}
	}
	slices.SortFunc(last, func(a, b Fact) int { return strings.Compare(a.Name, b.Name) })
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range last {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(x.Name) // strings always encode
		v, _ := json.Marshal(x.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes an object of strings, in name order.
func (f *Facts) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	out := make(Facts, 0, len(m))
	for k, v := range m {
		out = append(out, Fact{k, v})
	}
	slices.SortFunc(out, func(a, b Fact) int { return strings.Compare(a.Name, b.Name) })
	*f = out
	return nil
}
