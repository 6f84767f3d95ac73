package logins

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/test/fakeidp"
)

// samlIdP signs SAML responses with a certificate made at test time (see
// testdata/README.md: no fixture files, no xmlsec1).
type samlIdP struct{ *fakeidp.SAML }

func newSAMLIdP(t *testing.T) *samlIdP { return &samlIdP{fakeidp.NewSAML(t, testNow)} }

func (s *samlIdP) metadata() string { return s.Metadata() }

// assertion returns an unsigned assertion for nameID, valid around testNow.
func (s *samlIdP) assertion(id, nameID string) *etree.Element {
	doc := etree.NewDocument()
	err := doc.ReadFromString(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + id + `" Version="2.0" IssueInstant="` + testNow.Format(time.RFC3339) + `">
<saml:Issuer>` + s.EntityID + `</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">` + nameID + `</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + testNow.Add(5*time.Minute).Format(time.RFC3339) + `" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="` + testNow.Add(-time.Minute).Format(time.RFC3339) + `" NotOnOrAfter="` + testNow.Add(time.Hour).Format(time.RFC3339) + `"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AttributeStatement>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::000000000000:role/A,arn:aws:iam::000000000000:saml-provider/corp</saml:AttributeValue><saml:AttributeValue>arn:aws:iam::000000000000:role/B,arn:aws:iam::000000000000:saml-provider/corp</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="department"><saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement>
</saml:Assertion>`)
	if err != nil {
		panic(err)
	}
	return doc.Root()
}

func (s *samlIdP) sign(t *testing.T, el *etree.Element) *etree.Element {
	t.Helper()
	ctx, err := dsig.NewSigningContext(s.Key, [][]byte{s.Cert})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// response wraps assertions in a samlp:Response.
func response(dest string, assertions ...*etree.Element) *etree.Element {
	doc := etree.NewDocument()
	_ = doc.ReadFromString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="resp-1" Version="2.0" IssueInstant="` +
		testNow.Format(time.RFC3339) + `"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`)
	r := doc.Root()
	if dest != "" {
		r.CreateAttr("Destination", dest)
	}
	for _, a := range assertions {
		r.AddChild(a)
	}
	return r
}

func encodeResponse(t *testing.T, r *etree.Element) string {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(r.Copy())
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// samlSetup creates the IAM SAML provider "corp" and a pool naming it.
func samlSetup(t *testing.T, s *samlIdP) (storage.Store, *storage.Pool, string) {
	t.Helper()
	st := openStore(t)
	if _, err := iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"corp"}, "SAMLMetadataDocument": {s.metadata()}}); err != nil {
		t.Fatal(err)
	}
	arn := iam.SAMLProviderARN(testAccount, "corp")
	return st, &storage.Pool{ID: "us-east-1:11111111-2222-3333-4444-555555555555", SAMLProviderARNs: []string{arn}}, arn
}

func TestSAMLAccepted(t *testing.T) {
	idp := newSAMLIdP(t)
	st, pool, arn := samlSetup(t, idp)
	v := newVerifier(st, nil, nil)

	signedAssertion := encodeResponse(t, response("https://signin.aws.amazon.com/saml", idp.sign(t, idp.assertion("a-1", "alice"))))
	l, err := v.Verify(context.Background(), pool, arn, signedAssertion)
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "alice" || l.Provider != arn || l.AMR != arn+":"+idp.EntityID+":alice" || l.RoleMappingKey != arn {
		t.Fatalf("login = %+v", l)
	}
	roles, _ := l.Claims[RoleAttribute].([]any)
	if len(roles) != 2 || l.Claims["department"] != "eng" || l.Claims["sub"] != "alice" {
		t.Fatalf("claims = %v", l.Claims)
	}
	// Replaying the same assertion is refused, on any node sharing the store.
	other := newVerifier(st, nil, nil)
	_, err = other.Verify(context.Background(), pool, arn, signedAssertion)
	wantRefused(t, err, msgReplay)

	// A signed Response carrying an unsigned assertion is accepted too.
	signedResponse := encodeResponse(t, idp.sign(t, response("", idp.assertion("a-2", "bob"))))
	if l, err := v.Verify(context.Background(), pool, arn, signedResponse); err != nil || l.Subject != "bob" {
		t.Fatalf("signed response: %+v, %v", l, err)
	}
}

func TestSAMLRefused(t *testing.T) {
	idp := newSAMLIdP(t)
	st, pool, arn := samlSetup(t, idp)
	v := newVerifier(st, nil, nil)
	stranger := newSAMLIdP(t)

	tampered := idp.sign(t, idp.assertion("t-1", "alice"))
	tampered.FindElement("./Subject/NameID").SetText("admin")

	// Wrapping: an evil copy carries the original signature and the signed
	// original hides inside it.
	orig := idp.sign(t, idp.assertion("w-1", "alice"))
	evil := orig.Copy()
	evil.FindElement("./Subject/NameID").SetText("admin")
	evil.CreateElement("saml:Advice").AddChild(orig.Copy())

	mod := func(id string, f func(a *etree.Element)) *etree.Element {
		a := idp.assertion(id, "alice")
		f(a)
		return idp.sign(t, a)
	}
	cases := []struct {
		name, token, msg string
	}{
		{"unsigned", encodeResponse(t, response("", idp.assertion("u-1", "alice"))), msgSignature},
		{"other key", encodeResponse(t, response("", stranger.sign(t, idp.assertion("o-1", "alice")))), msgSignature},
		{"tampered", encodeResponse(t, response("", tampered)), msgSignature},
		{"wrapped", encodeResponse(t, response("", evil)), msgSignature},
		{"two assertions", encodeResponse(t, response("", idp.assertion("e-1", "admin"), idp.sign(t, idp.assertion("s-1", "alice")))), msgSAML},
		{"other audience", encodeResponse(t, response("", mod("aud-1", func(a *etree.Element) {
			a.FindElement("./Conditions/AudienceRestriction/Audience").SetText("https://app.example.com")
		}))), msgSAML},
		{"expired", encodeResponse(t, response("", mod("x-1", func(a *etree.Element) {
			a.FindElement("./Conditions").CreateAttr("NotOnOrAfter", testNow.Add(-10*time.Minute).Format(time.RFC3339))
		}))), "Invalid login token. Token expired: 1772366400 >= 1772365800"},
		{"not yet valid", encodeResponse(t, response("", mod("n-1", func(a *etree.Element) {
			a.FindElement("./Conditions").CreateAttr("NotBefore", testNow.Add(10*time.Minute).Format(time.RFC3339))
		}))), msgNotYetValid},
		{"other recipient", encodeResponse(t, response("", mod("r-1", func(a *etree.Element) {
			a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData").CreateAttr("Recipient", "https://evil.example.com/acs")
		}))), msgSAML},
		{"other issuer", encodeResponse(t, response("", mod("i-1", func(a *etree.Element) {
			a.FindElement("./Issuer").SetText("https://evil.example.com")
		}))), msgIssuer},
		{"other destination", encodeResponse(t, response("https://evil.example.com/acs", idp.sign(t, idp.assertion("d-1", "alice")))), msgSAML},
		{"not base64", "%%%", msgSAML},
		{"not XML", base64.StdEncoding.EncodeToString([]byte("<a")), msgSAML},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), pool, arn, c.token)
			wantRefused(t, err, c.msg)
		})
	}
	t.Run("provider not in pool", func(t *testing.T) {
		tok := encodeResponse(t, response("", idp.sign(t, idp.assertion("p-1", "alice"))))
		_, err := v.Verify(context.Background(), pool, strings.Replace(arn, "corp", "other", 1), tok)
		wantRefused(t, err, msgUnsupported)
	})
}

func TestSAMLReplayCacheIsPruned(t *testing.T) {
	idp := newSAMLIdP(t)
	st, pool, arn := samlSetup(t, idp)
	now := testNow
	v := newVerifier(st, nil, func(c *Config) { c.Now = func() time.Time { return now } })
	for i := range 3 {
		tok := encodeResponse(t, response("", idp.sign(t, idp.assertion("id-"+string(rune('a'+i)), "alice"))))
		if _, err := v.Verify(context.Background(), pool, arn, tok); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		var n int
		_ = st.View(context.Background(), func(r storage.Reader) error {
			rs, err := r.ListResources(testAccount, KindSAMLAssertion, "", 100)
			n = len(rs)
			return err
		})
		return n
	}
	if n := count(); n != 3 {
		t.Fatalf("%d replay entries, want 3", n)
	}
	// Two hours on (certificate still valid), a new assertion removes the expired ones.
	now = testNow.Add(2 * time.Hour)
	a := idp.assertion("late", "alice")
	a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData").CreateAttr("NotOnOrAfter", now.Add(5*time.Minute).Format(time.RFC3339))
	a.FindElement("./Conditions").CreateAttr("NotOnOrAfter", now.Add(time.Hour).Format(time.RFC3339))
	if _, err := v.Verify(context.Background(), pool, arn, encodeResponse(t, response("", idp.sign(t, a)))); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d replay entries after pruning, want 1", n)
	}
}
