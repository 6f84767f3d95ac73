package cli

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzShorthand: the shorthand parser never panics, and whatever it parses
// prints as valid JSON that decodes and prints again to the same text.
func FuzzShorthand(f *testing.F) {
	for _, s := range []string{
		"a=b", "a=b,c", "a=[b,c],d=e", "a=[]", "a={b=c,d=e}", "a={b=[c,d]}", "a=", `a="b,c"`,
		`a='b,c',d=e`, `a=b\,c`, `a="it\"s"`, "a = b , c = d", "a=b=c", "a=ü", "a", "a=b,a=c", "a=[b",
		"a={b}", `a="b`, "a={b={c={d=[e,{f=g}]}}}", "a=\x00", "a=\xff\xfe", "a=[[[]]]", "=",
		"graph.facebook.com=TOKEN,accounts.google.com=TOKEN2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := parseShorthand(in)
		if err != nil {
			if v != nil {
				t.Fatalf("%q: both a value and an error", in)
			}
			return
		}
		var first bytes.Buffer
		if err := writeJSON(&first, v); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(first.Bytes()) {
			t.Fatalf("%q printed invalid JSON: %s", in, first.String())
		}
		back, err := decodeJSON(first.Bytes())
		if err != nil {
			t.Fatalf("%q: printed JSON does not decode: %v\n%s", in, err, first.String())
		}
		var second bytes.Buffer
		if err := writeJSON(&second, back); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			t.Fatalf("%q does not round-trip:\n%s\n%s", in, first.String(), second.String())
		}
	})
}
