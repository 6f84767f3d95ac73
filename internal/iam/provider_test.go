package iam

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// decodeDoc reads stored documents with go-json; they are written with
// encoding/json. Both must read every document the same way, including
// escapes, non-ASCII, empty and nil lists and times in any zone.
func TestDocDecodersAgree(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	oidc := []OIDCProvider{
		{},
		{URL: "https://issuer.example.com/path", ClientIDList: []string{"a", "b"}, ThumbprintList: []string{"0123456789abcdef0123456789abcdef01234567"},
			Tags: []Tag{{Key: "k", Value: "v"}}, CreateDate: time.Date(2026, 12, 7, 21, 0, 0, 123456789, time.UTC)},
		{URL: "https://ex.com/\u00e9\u4e16\U0001F600\"\\/\t<>&", ClientIDList: []string{}, Tags: []Tag{{Key: "", Value: "\u2028\u2029"}},
			CreateDate: time.Date(1999, 1, 1, 0, 0, 0, 0, cet)},
	}
	agree(t, oidc)
	saml := []SAMLProvider{
		{},
		{SAMLMetadataDocument: "<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\">\n\t\u00fc</EntityDescriptor>",
			CreateDate: time.Unix(1700000000, 5).UTC(), ValidUntil: time.Date(2126, 1, 1, 0, 0, 0, 0, cet), Tags: []Tag{{Key: "a", Value: "b"}, {Key: "c"}}},
	}
	agree(t, saml)
}

// agree decodes each value's encoding/json form with both readings.
func agree[T any](t *testing.T, values []T) {
	t.Helper()
	for i, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var std, fast T
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatal(err)
		}
		if err := decodeDoc(b, &fast); err != nil {
			t.Fatalf("%T %d: go-json: %v", v, i, err)
		}
		if !reflect.DeepEqual(std, fast) {
			t.Errorf("%T %d: encoding/json %#v, go-json %#v", v, i, std, fast)
		}
	}
}
