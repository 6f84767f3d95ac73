package forgery

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/idpool/idpool/test/harness"
)

// assertion describes one SAML assertion; zero fields take genuine values.
type assertion struct {
	id, issuer, audience, recipient, nameID string
	notBefore, notOnOrAfter                 time.Time
	status                                  string
}

func newID() string { return "a-" + hex.EncodeToString(randomBytes(8)) }

func (a assertion) xml() string {
	now := time.Now().UTC()
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	if a.notBefore.IsZero() {
		a.notBefore = now.Add(-time.Minute)
	}
	if a.notOnOrAfter.IsZero() {
		a.notOnOrAfter = now.Add(time.Hour)
	}
	return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + def(a.id, newID()) + `" Version="2.0" IssueInstant="` + now.Format(time.RFC3339) + `">` +
		`<saml:Issuer>` + def(a.issuer, samlEntityID) + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">` + def(a.nameID, "alice") + `</saml:NameID>` +
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` +
		minTime(a.notOnOrAfter, now.Add(5*time.Minute)).Format(time.RFC3339) + `" Recipient="` + def(a.recipient, "https://signin.aws.amazon.com/saml") + `"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + a.notBefore.Format(time.RFC3339) + `" NotOnOrAfter="` + a.notOnOrAfter.Format(time.RFC3339) + `">` +
		`<saml:AudienceRestriction><saml:Audience>` + def(a.audience, "urn:amazon:webservices") + `</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
		`<saml:AttributeStatement><saml:Attribute Name="department"><saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
		`</saml:Assertion>`
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// signXML signs an assertion (enveloped signature) with key and cert der.
func signXML(t *testing.T, key *rsa.PrivateKey, der []byte, assertionXML string) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(assertionXML); err != nil {
		t.Fatal(err)
	}
	ctx, err := dsig.NewSigningContext(key, [][]byte{der})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// response wraps assertion elements in a samlp:Response and encodes it.
func response(t *testing.T, status string, children ...*etree.Element) string {
	t.Helper()
	if status == "" {
		status = "urn:oasis:names:tc:SAML:2.0:status:Success"
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r-` + hex.EncodeToString(randomBytes(6)) +
		`" Version="2.0" IssueInstant="` + time.Now().UTC().Format(time.RFC3339) + `" Destination="https://signin.aws.amazon.com/saml">` +
		`<samlp:Status><samlp:StatusCode Value="` + status + `"/></samlp:Status></samlp:Response>`); err != nil {
		t.Fatal(err)
	}
	for _, c := range children {
		doc.Root().AddChild(c)
	}
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

func element(t *testing.T, x string) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(x); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// samlForgeries: tampered, wrapped, unsigned, expired, misdirected and
// replayed SAML responses given to GetId.
func samlForgeries(t *testing.T, w *world, n *tally) {
	ctx := context.Background()
	anon := w.s.Anonymous(harness.Region)
	getID := func(resp string) error {
		_, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(w.pool), Logins: map[string]string{w.samlARN: resp}})
		return err
	}
	p := w.saml
	signed := func(a assertion) *etree.Element { return signXML(t, p.key, p.der, a.xml()) }
	genuine := response(t, "", signed(assertion{}))
	if err := getID(genuine); err != nil {
		t.Fatalf("GetId refuses a genuine SAML response: %v\n%s", err, w.s.Logs())
	}
	if err := getID(response(t, "", signed(assertion{}))); err != nil {
		t.Fatalf("GetId refuses a second genuine SAML response: %v", err)
	}

	// An attacker's own key and self-signed certificate.
	akey := rsaKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "forgery idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	ader, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &akey.PublicKey, akey)
	if err != nil {
		t.Fatal(err)
	}
	evil := func() *etree.Element { return element(t, assertion{nameID: "admin"}.xml()) }
	sameID := func() (*etree.Element, *etree.Element) {
		id := newID()
		return signed(assertion{id: id}), element(t, assertion{id: id, nameID: "admin"}.xml())
	}
	tampered := func(old, new string) string {
		raw, _ := base64.StdEncoding.DecodeString(response(t, "", signed(assertion{})))
		return base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), old, new, 1)))
	}
	now := time.Now().UTC()
	list := []forgedToken{
		{"replay of an accepted response", genuine},
		{"unsigned", response(t, "", element(t, assertion{}.xml()))},
		{"signed by an attacker key", response(t, "", signXML(t, akey, ader, assertion{}.xml()))},
		{"NameID changed after signing", tampered(">alice<", ">admin<")},
		{"attribute changed after signing", tampered(">eng<", ">admin<")},
		{"audience changed after signing", tampered("urn:amazon:webservices", "urn:evil")},
		{"signature value removed", tampered("<ds:SignatureValue>", "<ds:SignatureValue>AAAA")},
		{"XSW: unsigned assertion before the signed one", response(t, "", evil(), signed(assertion{}))},
		{"XSW: unsigned assertion after the signed one", response(t, "", signed(assertion{}), evil())},
		{"XSW: same ID, unsigned first", func() string { s, e := sameID(); return response(t, "", e, s) }()},
		{"XSW: same ID, unsigned last", func() string { s, e := sameID(); return response(t, "", s, e) }()},
		{"XSW: signed assertion wrapped in an unsigned one", func() string {
			e := evil()
			e.AddChild(signed(assertion{}))
			return response(t, "", e)
		}()},
		{"XSW: signed assertion moved into Extensions", func() string {
			ext := element(t, `<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)
			ext.AddChild(signed(assertion{}))
			return response(t, "", ext, evil())
		}()},
		{"XSW: signed assertion inside the evil one's Signature Object", func() string {
			e := evil()
			obj := element(t, `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Object/></ds:Signature>`)
			obj.FindElement("Object").AddChild(signed(assertion{}))
			e.AddChild(obj)
			return response(t, "", e)
		}()},
		{"expired (Conditions NotOnOrAfter)", response(t, "", signed(assertion{notBefore: now.Add(-2 * time.Hour), notOnOrAfter: now.Add(-time.Hour)}))},
		{"not yet valid (NotBefore)", response(t, "", signed(assertion{notBefore: now.Add(time.Hour), notOnOrAfter: now.Add(2 * time.Hour)}))},
		{"wrong Audience", response(t, "", signed(assertion{audience: "urn:evil:sp"}))},
		{"wrong Issuer", response(t, "", signed(assertion{issuer: "https://evil.example/saml"}))},
		{"wrong Recipient", response(t, "", signed(assertion{recipient: "https://evil.example/acs"}))},
		{"failed status", response(t, "urn:oasis:names:tc:SAML:2.0:status:Requester", signed(assertion{}))},
		{"no assertion", response(t, "")},
		{"not base64", "<samlp:Response/>"},
		{"XXE doctype", base64.StdEncoding.EncodeToString([]byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`))},
		{"billion laughs", base64.StdEncoding.EncodeToString([]byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><r>&d;&d;&d;&d;</r>`))},
	}
	// Signed responses wrong in one way only must be refused for it.
	reasons := map[string]string{
		"replay of an accepted response":    "SAML assertion has already been used.",
		"expired (Conditions NotOnOrAfter)": "Token expired: ",
		"not yet valid (NotBefore)":         "Token used before it is valid.",
		"wrong Issuer":                      "Issuer doesn't match providerName",
	}
	for _, f := range list {
		err := getID(f.token)
		n.refuse(t, "saml", "GetId: "+f.name, err, "NotAuthorizedException")
		if want, ok := reasons[f.name]; ok && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("saml: GetId: %s: refused as %v, want a refusal for %q", f.name, err, want)
		}
	}
}
