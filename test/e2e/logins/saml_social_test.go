package logins

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// samlResponse builds a SAML Response whose assertion is signed with key/der;
// tamper rewrites the signed document before it is encoded.
func samlResponse(t *testing.T, key *rsa.PrivateKey, der []byte, entityID string, tamper func(string) string) string {
	t.Helper()
	now := time.Now().UTC()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a-e2e" Version="2.0" IssueInstant="` + now.Format(time.RFC3339) + `">
<saml:Issuer>` + entityID + `</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + now.Add(5*time.Minute).Format(time.RFC3339) + `" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="` + now.Add(-time.Minute).Format(time.RFC3339) + `" NotOnOrAfter="` + now.Add(time.Hour).Format(time.RFC3339) + `"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AttributeStatement><saml:Attribute Name="department"><saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
</saml:Assertion>`); err != nil {
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
	rdoc := etree.NewDocument()
	if err := rdoc.ReadFromString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r-e2e" Version="2.0" IssueInstant="` +
		now.Format(time.RFC3339) + `" Destination="https://signin.aws.amazon.com/saml"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`); err != nil {
		t.Fatal(err)
	}
	rdoc.Root().AddChild(signed)
	s, err := rdoc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		s = tamper(s)
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// TestSAMLThroughServer: an IAM SAML provider created over the wire, and a
// signed SAML response that becomes an identity; a tampered one is refused.
func TestSAMLThroughServer(t *testing.T) {
	ctx := context.Background()
	key, der, md := samlIdP(t)
	entityID := samlEntityID
	s := harness.Start(t, harness.Options{})
	prov, err := iamClient(s).CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{
		Name: aws.String("corp"), SAMLMetadataDocument: aws.String(md),
	})
	if err != nil {
		t.Fatalf("CreateSAMLProvider: %v", err)
	}
	arn := aws.ToString(prov.SAMLProviderArn)
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("saml e2e"), SamlProviderARNs: []string{arn},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId,
		Logins: map[string]string{arn: samlResponse(t, key, der, entityID, nil)}})
	if err != nil {
		t.Fatalf("GetId: %v\n%s", err, s.Logs())
	}
	if !strings.HasPrefix(aws.ToString(id.IdentityId), harness.Region+":") {
		t.Fatalf("IdentityId = %q", aws.ToString(id.IdentityId))
	}
	tampered := samlResponse(t, key, der, entityID, func(x string) string {
		return strings.Replace(x, "<saml:AttributeValue>eng<", "<saml:AttributeValue>admin<", 1)
	})
	_, err = anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{arn: tampered}})
	wantAPIError(t, err, "NotAuthorizedException", "")
}

// TestGoogleThroughServer: accounts.google.com pointed at a TLS httptest
// issuer through the providers section; a token for the pool's client id
// becomes an identity, one for another audience is refused.
func TestGoogleThroughServer(t *testing.T) {
	ctx := context.Background()
	is := fakeidp.NewOIDC(t, "e2e")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + is.CertFile(t)}, Config: harness.DevAccounts + fmt.Sprintf(`
providers:
  social:
    google:
      issuer: "%s"
`, is.URL())})
	const clientID = "e2e-client.apps.googleusercontent.com"
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:        aws.String("google e2e"),
		SupportedLoginProviders: map[string]string{"accounts.google.com": clientID},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId,
		Logins: map[string]string{"accounts.google.com": is.IDToken(t, "g-user-1", clientID, time.Now().Add(time.Hour))}})
	if err != nil {
		t.Fatalf("GetId: %v\n%s", err, s.Logs())
	}
	if aws.ToString(id.IdentityId) == "" {
		t.Fatal("no IdentityId")
	}
	_, err = anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId,
		Logins: map[string]string{"accounts.google.com": is.IDToken(t, "g-user-1", "other-client", time.Now().Add(time.Hour))}})
	wantAPIError(t, err, "NotAuthorizedException", "")
}
