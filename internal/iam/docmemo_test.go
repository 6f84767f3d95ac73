package iam

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestOIDCDocMemo: a remembered document decodes as decodeDoc decodes it,
// each caller gets its own copy, a changed document is decoded anew, and
// the memo stays within its bound.
func TestOIDCDocMemo(t *testing.T) {
	want := OIDCProvider{URL: "https://issuer.example.com", ClientIDList: []string{"a", "b"},
		ThumbprintList: []string{"0123456789abcdef0123456789abcdef01234567"}, Tags: []Tag{{Key: "k", Value: "v"}},
		CreateDate: time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)}
	doc, _ := json.Marshal(want)
	m := docMemo{m: map[string]*OIDCProvider{}}
	first, err := m.decode(doc)
	if err != nil || !reflect.DeepEqual(*first, want) {
		t.Fatalf("first decode %+v, %v", first, err)
	}
	// The first caller changes everything it was given.
	first.URL = "changed"
	first.ClientIDList[0], first.ThumbprintList[0], first.Tags[0].Value = "x", "y", "z"
	first.ClientIDList = append(first.ClientIDList, "more")
	second, err := m.decode(doc)
	if err != nil || !reflect.DeepEqual(*second, want) {
		t.Fatalf("remembered decode %+v, %v; want %+v", second, err, want)
	}
	if m.len() != 1 {
		t.Fatalf("memo holds %d documents, want 1", m.len())
	}
	changed := want
	changed.ClientIDList = []string{"c"}
	doc2, _ := json.Marshal(changed)
	if got, err := m.decode(doc2); err != nil || !reflect.DeepEqual(*got, changed) {
		t.Fatalf("changed document decoded as %+v, %v", got, err)
	}
	if _, err := m.decode([]byte(`{"Url":`)); err == nil {
		t.Fatal("a broken document decoded")
	}
	for i := 0; i < 2*maxMemoBytes/len(doc); i++ {
		p := want
		p.URL = fmt.Sprintf("https://issuer%d.example.com", i)
		b, _ := json.Marshal(p)
		if _, err := m.decode(b); err != nil {
			t.Fatal(err)
		}
	}
	if m.bytes > maxMemoBytes {
		t.Fatalf("memo holds %d bytes, bound %d", m.bytes, maxMemoBytes)
	}
}

// TestOIDCProviderCloneCovers: clone copies every field that shares memory
// (slices, maps, pointers); a new such field must be added to clone.
func TestOIDCProviderCloneCovers(t *testing.T) {
	covered := map[string]bool{"ClientIDList": true, "ThumbprintList": true, "Tags": true}
	typ := reflect.TypeOf(OIDCProvider{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		switch f.Type.Kind() {
		case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan:
			if !covered[f.Name] {
				t.Errorf("OIDCProvider.%s shares memory and clone does not copy it", f.Name)
			}
		}
	}
	tag := reflect.TypeOf(Tag{})
	for i := 0; i < tag.NumField(); i++ {
		if tag.Field(i).Type.Kind() != reflect.String {
			t.Errorf("Tag.%s is not a string: clone's copy of Tags would share it", tag.Field(i).Name)
		}
	}
}
