package trace

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestFactsEncodeAsTheMapDid: the wire shows Facts exactly as it showed the
// map they replace, repeated names and characters JSON escapes included,
// and reads them back.
func TestFactsEncodeAsTheMapDid(t *testing.T) {
	for _, f := range []Facts{
		nil,
		{},
		{{"b", "2"}, {"a", "1"}},
		{{"k", "first"}, {"z", "<&>"}, {"k", "last"}},
		{{"é", "\"quoted\"\n\t\u2028"}, {"", "empty name"}, {"x", ""}},
	} {
		got, err := json.Marshal(struct{ F Facts }{f})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(struct{ F map[string]string }{f.Map()})
		if string(got) != string(want) {
			t.Errorf("%v encodes as %s, the map as %s", f, got, want)
		}
		var back struct{ F Facts }
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.F.Map(), f.Map()) {
			t.Errorf("%v reads back as %v", f, back.F)
		}
		for name, v := range f.Map() {
			if f.Get(name) != v {
				t.Errorf("Get(%q) = %q, want %q", name, f.Get(name), v)
			}
		}
	}
}
