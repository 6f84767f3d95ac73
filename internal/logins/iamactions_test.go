package logins

import (
	"context"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
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
	wantCode(t, err, codeEntityAlreadyExists, "Provider with url https://login.example.com/tenant already exists.")

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
	wantCode(t, err, codeNoSuchEntity, "OpenIDConnect Provider not found for arn "+arn)
	_, err = iamCall(st, "DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}})
	wantCode(t, err, codeNoSuchEntity, "")
	// Another account's provider is not visible.
	_, err = iamCall(st, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {"arn:aws:iam::111111111111:oidc-provider/login.example.com/tenant"}})
	wantCode(t, err, codeNoSuchEntity, "")
}

func TestIAMOpenIDConnectInvalid(t *testing.T) {
	st := openStore(t)
	cases := []struct {
		form url.Values
		code string
	}{
		{url.Values{}, awsquery.CodeValidationError},
		{url.Values{"Url": {"http://login.example.com"}}, codeInvalidInput},
		{url.Values{"Url": {"https://"}}, codeInvalidInput},
		{url.Values{"Url": {"https://login.example.com"}, "ThumbprintList.member.1": {"xyz"}}, codeInvalidInput},
	}
	for _, c := range cases {
		_, err := iamCall(st, "CreateOpenIDConnectProvider", c.form)
		wantCode(t, err, c.code, "")
	}
	_, err := iamCall(st, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {"arn:aws:iam::000000000000:role/nope"}})
	wantCode(t, err, codeInvalidInput, "ARN arn:aws:iam::000000000000:role/nope is not valid.")
	_, err = IAMActions(st, fixedNow)["ListSAMLProviders"].Call(context.Background(), &auth.Caller{}, url.Values{})
	wantCode(t, err, awsquery.CodeAccessDenied, "")
}

func TestIAMSAMLProviders(t *testing.T) {
	st := openStore(t)
	idp := newSAMLIdP(t)
	res, err := iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"corp"}, "SAMLMetadataDocument": {idp.metadata()}})
	if err != nil {
		t.Fatal(err)
	}
	arn := res.(samlArnResult).SAMLProviderArn
	if arn != "arn:aws:iam::000000000000:saml-provider/corp" {
		t.Fatal(arn)
	}
	_, err = iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"corp"}, "SAMLMetadataDocument": {idp.metadata()}})
	wantCode(t, err, codeEntityAlreadyExists, "")
	_, err = iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"bad"}, "SAMLMetadataDocument": {strings.Repeat("<x/>", 300)}})
	wantCode(t, err, codeInvalidInput, "Could not parse metadata")
	_, err = iamCall(st, "CreateSAMLProvider", url.Values{"Name": {"bad name!"}, "SAMLMetadataDocument": {idp.metadata()}})
	wantCode(t, err, awsquery.CodeValidationError, "")

	res, err = iamCall(st, "GetSAMLProvider", url.Values{"SAMLProviderArn": {arn}})
	if err != nil || res.(getSAMLResult).SAMLMetadataDocument != idp.metadata() || res.(getSAMLResult).CreateDate != "2026-03-01T12:00:00Z" {
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
	wantCode(t, err, codeNoSuchEntity, "Manifest not found for arn "+arn)
}

func TestMetadataForms(t *testing.T) {
	idp := newSAMLIdP(t)
	wrapped := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
		strings.TrimPrefix(idp.metadata(), `<?xml version="1.0"?>`) + `</EntitiesDescriptor>`
	md, err := parseMetadata(wrapped)
	if err != nil || md.EntityID != idp.entityID || len(md.Certs) != 1 {
		t.Fatalf("%+v, %v", md, err)
	}
	enc := strings.Replace(idp.metadata(), `use="signing"`, `use="encryption"`, 1)
	if _, err := parseMetadata(enc); err == nil {
		t.Fatal("metadata with only an encryption key accepted")
	}
}
