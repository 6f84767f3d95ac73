package logins

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// TestOIDCLogin: an IAM OIDC provider created through IAM, a pool that names
// it, and tokens of a real TLS issuer turned into an identity and credentials.
func TestOIDCLogin(t *testing.T) {
	ctx := context.Background()
	idp := fakeidp.NewOIDC(t, "e2e")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}})

	arn := oidcProvider(t, s, idp, "client-a")
	if arn != "arn:aws:iam::"+harness.DevAccount+":oidc-provider/"+idp.Host() {
		t.Fatalf("arn = %s", arn)
	}
	got, err := iamClient(s).GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil || aws.ToString(got.Url) != idp.Host() || len(got.ClientIDList) != 1 || got.CreateDate == nil {
		t.Fatalf("GetOpenIDConnectProvider: %+v, %v", got, err)
	}

	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("oidc e2e"), OpenIdConnectProviderARNs: []string{arn},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	authRole(t, s, "OIDCUsers", poolID)

	anon := s.Anonymous(harness.Region)
	logins := map[string]string{idp.Host(): idp.IDToken(t, "user-1", "client-a", time.Now().Add(time.Hour))}
	id1, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(poolID), Logins: logins})
	if err != nil {
		t.Fatalf("GetId: %v", err)
	}
	id2, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(poolID),
		Logins: map[string]string{idp.Host(): idp.IDToken(t, "user-1", "client-a", time.Now().Add(time.Hour))}})
	if err != nil || aws.ToString(id2.IdentityId) != aws.ToString(id1.IdentityId) {
		t.Fatalf("second GetId: %v, %v (want %s)", id2, err, aws.ToString(id1.IdentityId))
	}
	creds, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id1.IdentityId, Logins: logins})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity: %v", err)
	}
	if creds.Credentials == nil || aws.ToString(creds.Credentials.AccessKeyId) == "" || aws.ToString(creds.IdentityId) != aws.ToString(id1.IdentityId) {
		t.Fatalf("credentials: %+v", creds)
	}

	refused := []struct {
		logins map[string]string
		msg    string
	}{
		{map[string]string{idp.Host(): idp.IDToken(t, "user-1", "client-a", time.Now().Add(-time.Hour))}, "Invalid login token. Token expired: "},
		{map[string]string{idp.Host(): idp.IDToken(t, "user-1", "client-b", time.Now().Add(time.Hour))}, "Invalid login token. Incorrect token audience."},
		{map[string]string{idp.Host(): idp.IDToken(t, "user-1", "client-a", time.Now().Add(time.Hour)) + "x"}, "Invalid login token. Couldn't verify signed token."},
		{map[string]string{"login.unknown.example": idp.IDToken(t, "user-1", "client-a", time.Now().Add(time.Hour))}, "Token is not from a supported provider of this identity pool."},
	}
	for _, r := range refused {
		_, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(poolID), Logins: r.logins})
		wantAPIError(t, err, "NotAuthorizedException", r.msg)
	}
}

// TestProvidersWithCLI creates, reads, lists and deletes OIDC and SAML
// providers with the aws CLI.
func TestProvidersWithCLI(t *testing.T) {
	cli := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	s := harness.Start(t, harness.Options{})
	env := s.AWSEnv(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := harness.Run(t, env, cli, append([]string{"iam", "--endpoint-url", s.URL}, args...)...)
		if code != 0 {
			t.Fatalf("aws iam %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		var m map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("aws iam %s: %v in %s", args[0], err, out)
			}
		}
		return m
	}
	created := run("create-open-id-connect-provider", "--url", "https://login.example.com/tenant",
		"--client-id-list", "app-1", "--thumbprint-list", strings.Repeat("ab", 20))
	arn, _ := created["OpenIDConnectProviderArn"].(string)
	if arn != "arn:aws:iam::000000000000:oidc-provider/login.example.com/tenant" {
		t.Fatalf("created %v", created)
	}
	run("add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", arn, "--client-id", "app-2")
	got := run("get-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
	if got["Url"] != "login.example.com/tenant" || len(got["ClientIDList"].([]any)) != 2 {
		t.Fatalf("get %v", got)
	}
	list := run("list-open-id-connect-providers")
	if l, _ := list["OpenIDConnectProviderList"].([]any); len(l) != 1 {
		t.Fatalf("list %v", list)
	}

	meta := filepath.Join(t.TempDir(), "metadata.xml")
	if err := os.WriteFile(meta, []byte(samlMetadata(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	saml := run("create-saml-provider", "--name", "corp", "--saml-metadata-document", "file://"+meta)
	samlARN, _ := saml["SAMLProviderArn"].(string)
	if samlARN != "arn:aws:iam::000000000000:saml-provider/corp" {
		t.Fatalf("created %v", saml)
	}
	if g := run("get-saml-provider", "--saml-provider-arn", samlARN); !strings.Contains(g["SAMLMetadataDocument"].(string), "IDPSSODescriptor") {
		t.Fatalf("get %v", g)
	}
	if l := run("list-saml-providers"); len(l["SAMLProviderList"].([]any)) != 1 {
		t.Fatalf("list %v", l)
	}
	run("delete-saml-provider", "--saml-provider-arn", samlARN)
	run("delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
	_, errOut, code := harness.Run(t, env, cli, "iam", "--endpoint-url", s.URL, "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
	if code == 0 || !strings.Contains(errOut, "NoSuchEntity") {
		t.Fatalf("get after delete: exit %d, %s", code, errOut)
	}
}

// samlEntityID is the entity ID of the test SAML identity provider.
const samlEntityID = "https://idp.example.com/saml"

// samlMetadata is IdP metadata with a freshly made signing certificate.
func samlMetadata(t *testing.T) string {
	_, _, md := samlIdP(t)
	return md
}

// samlIdP makes a SAML identity provider's signing key, its self-signed
// certificate (DER) and the metadata document that publishes it.
func samlIdP(t *testing.T) (*rsa.PrivateKey, []byte, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	md := `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + samlEntityID + `">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">` +
		`<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>` +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
	return key, der, md
}
