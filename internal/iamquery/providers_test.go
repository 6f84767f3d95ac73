package iamquery

import (
	"context"
	"encoding/xml"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/test/fakeidp"
)

func TestIAMOpenIDConnectProviders(t *testing.T) {
	st := openStore(t)
	create := url.Values{"Url": {"https://login.example.com/tenant/"}, "ClientIDList.member.1": {"c1"},
		"ThumbprintList.member.1": {strings.Repeat("a", 40)}, "Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"id"}}
	res, err := iamCall(st, "CreateOpenIDConnectProvider", create)
	if err != nil {
		t.Fatal(err)
	}
	arn := res.(oidcArnResult).OpenIDConnectProviderArn
	if arn != "arn:aws:iam::000000000000:oidc-provider/login.example.com/tenant" {
		t.Fatal(arn)
	}
	_, err = iamCall(st, "CreateOpenIDConnectProvider", create)
	wantCode(t, err, iam.CodeEntityAlreadyExists, "Provider with url https://login.example.com/tenant already exists.")

	if _, err := iamCall(st, "AddClientIDToOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {"c2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamCall(st, "AddClientIDToOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {"c2"}}); err != nil {
		t.Fatal(err)
	}
	res, err = iamCall(st, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"GetOpenIDConnectProviderResult"`
		getOIDCResult
	}{getOIDCResult: res.(getOIDCResult)})
	want := `<GetOpenIDConnectProviderResult><Url>login.example.com/tenant</Url><ClientIDList><member>c1</member><member>c2</member></ClientIDList>` +
		`<ThumbprintList><member>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</member></ThumbprintList><CreateDate>2026-03-01T12:00:00Z</CreateDate>` +
		`<Tags><member><Key>team</Key><Value>id</Value></member></Tags></GetOpenIDConnectProviderResult>`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}

	res, err = iamCall(st, "ListOpenIDConnectProviders", url.Values{})
	if err != nil || len(res.(listOIDCResult).List) != 1 || res.(listOIDCResult).List[0].Arn != arn {
		t.Fatalf("list = %+v, %v", res, err)
	}
	if _, err := iamCall(st, "DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}); err != nil {
		t.Fatal(err)
	}
	_, err = iamCall(st, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}})
	wantCode(t, err, iam.CodeNoSuchEntity, "OpenIDConnect Provider not found for arn "+arn)
	_, err = iamCall(st, "DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}})
	wantCode(t, err, iam.CodeNoSuchEntity, "")
	// Another account's provider is not visible.
	_, err = iamCall(st, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {"arn:aws:iam::111111111111:oidc-provider/login.example.com/tenant"}})
	wantCode(t, err, iam.CodeNoSuchEntity, "")
}

func TestIAMOpenIDConnectInvalid(t *testing.T) {
	st := openStore(t)
	cases := []struct {
		form url.Values
		code string
	}{
		{url.Values{}, apierr.QueryValidation},
		{url.Values{"Url": {"http://login.example.com"}}, iam.CodeInvalidInput},
		{url.Values{"Url": {"https://"}}, iam.CodeInvalidInput},
		{url.Values{"Url": {"https://login.example.com"}, "ThumbprintList.member.1": {"xyz"}}, iam.CodeInvalidInput},
	}
	for _, c := range cases {
		_, err := iamCall(st, "CreateOpenIDConnectProvider", c.form)
		wantCode(t, err, c.code, "")
	}
	_, err := iamCall(st, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {"arn:aws:iam::000000000000:role/nope"}})
	wantCode(t, err, iam.CodeInvalidInput, "ARN arn:aws:iam::000000000000:role/nope is not valid.")
	_, err = service(t, st).actions["ListSAMLProviders"].Call(context.Background(), &auth.Caller{}, url.Values{})
	wantCode(t, err, apierr.QueryAccessDenied, "")
}

func TestIAMSAMLProviders(t *testing.T) {
	st := openStore(t)
	idp := fakeidp.NewSAML(t, fixedNow())
	res, err := iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"corp"}, "SAMLMetadataDocument": {idp.Metadata()}})
	if err != nil {
		t.Fatal(err)
	}
	arn := res.(samlArnResult).SAMLProviderArn
	if arn != "arn:aws:iam::000000000000:saml-provider/corp" {
		t.Fatal(arn)
	}
	_, err = iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"corp"}, "SAMLMetadataDocument": {idp.Metadata()}})
	wantCode(t, err, iam.CodeEntityAlreadyExists, "")
	_, err = iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"bad"}, "SAMLMetadataDocument": {strings.Repeat("<x/>", 300)}})
	wantCode(t, err, iam.CodeInvalidInput, "Could not parse metadata")
	_, err = iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"bad name!"}, "SAMLMetadataDocument": {idp.Metadata()}})
	wantCode(t, err, apierr.QueryValidation, "")

	res, err = iamCall(st, "GetSAMLProvider", url.Values{"SAMLProviderArn": {arn}})
	if err != nil || res.(getSAMLResult).SAMLMetadataDocument != idp.Metadata() || res.(getSAMLResult).CreateDate != "2026-03-01T12:00:00Z" {
		t.Fatalf("get = %+v, %v", res, err)
	}
	res, err = iamCall(st, "ListSAMLProviders", url.Values{})
	if err != nil || len(res.(listSAMLResult).List) != 1 || res.(listSAMLResult).List[0].Arn != arn {
		t.Fatalf("list = %+v, %v", res, err)
	}
	if _, err := iamCall(st, "DeleteSAMLProvider", url.Values{"SAMLProviderArn": {arn}}); err != nil {
		t.Fatal(err)
	}
	_, err = iamCall(st, "GetSAMLProvider", url.Values{"SAMLProviderArn": {arn}})
	wantCode(t, err, iam.CodeNoSuchEntity, "Manifest not found for arn "+arn)
}

func TestMetadataForms(t *testing.T) {
	idp := fakeidp.NewSAML(t, fixedNow())
	wrapped := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
		strings.TrimPrefix(idp.Metadata(), `<?xml version="1.0"?>`) + `</EntitiesDescriptor>`
	md, err := iam.ParseMetadata(wrapped)
	if err != nil || md.EntityID != idp.EntityID || len(md.Certs) != 1 {
		t.Fatalf("%+v, %v", md, err)
	}
	enc := strings.Replace(idp.Metadata(), `use="signing"`, `use="encryption"`, 1)
	if _, err := iam.ParseMetadata(enc); err == nil {
		t.Fatal("metadata with only an encryption key accepted")
	}
}

const testAccount = "000000000000"

func fixedNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func openStore(t *testing.T) storage.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func service(t *testing.T, st storage.Store) *Service {
	t.Helper()
	s, err := New(Config{Store: st, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// iamCall runs an action as the test account's root.
func iamCall(st storage.Store, name string, form url.Values) (any, error) {
	s, err := New(Config{Store: st, Now: fixedNow})
	if err != nil {
		return nil, err
	}
	c := &auth.Caller{Principal: &auth.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root"}}
	return s.actions[name].Call(context.Background(), c, form)
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	ae, ok := err.(*apierr.Error)
	if !ok || err == nil {
		t.Fatalf("error = %v (%T), want %s %q", err, err, code, msg)
	}
	if ae.Code != code || (msg != "" && ae.Message != msg) {
		t.Fatalf("error = %s %q, want %s %q", ae.Code, ae.Message, code, msg)
	}
}
