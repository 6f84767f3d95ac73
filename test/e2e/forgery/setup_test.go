package forgery

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// clientID is the audience the IAM OIDC provider lists for the fake issuer.
const clientID = "client-a"

// issuer is the fake OpenID Connect provider the forgeries are made against.
type issuer struct{ *fakeidp.OIDC }

func newIssuer(t *testing.T) *issuer { return &issuer{fakeidp.NewOIDC(t, "idp-1")} }

// claims are a genuine ID token's claims for sub, valid for an hour.
func (is *issuer) claims(sub string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": is.URL(), "sub": sub, "aud": clientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// samlIdP is a SAML identity provider's signing key and certificate.
type samlIdP struct {
	key *rsa.PrivateKey
	der []byte
}

const samlEntityID = "https://idp.example.com/saml"

func newSAMLIdP(t *testing.T) *samlIdP {
	t.Helper()
	key := rsaKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "forgery idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &samlIdP{key: key, der: der}
}

func (p *samlIdP) metadata() string {
	return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + samlEntityID + `">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">` +
		`<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(p.der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>` +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
}

// world is everything the categories share: one server, one pool trusting
// the fake OIDC and SAML providers, roles, and a guest identity.
type world struct {
	s        *harness.Server
	idp      *issuer
	saml     *samlIdP
	pool     string
	oidcARN  string
	samlARN  string
	poolRole string // trusts the pool's Cognito tokens (classic flow)
	oidcRole string // trusts the fake issuer's tokens directly
	guest    string // a guest identity of pool
	token    string // a genuine OpenID token of guest
}

func setup(t *testing.T, s *harness.Server, idp *issuer) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{s: s, idp: idp, saml: newSAMLIdP(t)}
	iam := awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")})
	prov, err := iam.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.URL()), ClientIDList: []string{clientID}, ThumbprintList: []string{idp.Thumbprint()},
	})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider: %v", err)
	}
	w.oidcARN = aws.ToString(prov.OpenIDConnectProviderArn)
	sp, err := iam.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(w.saml.metadata())})
	if err != nil {
		t.Fatalf("CreateSAMLProvider: %v", err)
	}
	w.samlARN = aws.ToString(sp.SAMLProviderArn)
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("forgery"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		OpenIdConnectProviderARNs: []string{w.oidcARN}, SamlProviderARNs: []string{w.samlARN},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	w.pool = aws.ToString(pool.IdentityPoolId)
	role := func(name, principal, cond string) string {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + principal +
			`"},"Action":"sts:AssumeRoleWithWebIdentity"` + cond + `}]}`
		out, err := iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)})
		if err != nil {
			t.Fatalf("CreateRole %s: %v", name, err)
		}
		return aws.ToString(out.Role.Arn)
	}
	w.poolRole = role("PoolUsers", "cognito-identity.amazonaws.com", `,"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"`+w.pool+`"}}`)
	w.oidcRole = role("OIDCUsers", w.oidcARN, `,"Condition":{"StringEquals":{"`+idp.Host()+`:aud":"`+clientID+`"}}`)
	if _, err := s.Cognito().SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(w.pool), Roles: map[string]string{"unauthenticated": w.poolRole, "authenticated": w.poolRole},
	}); err != nil {
		t.Fatalf("SetIdentityPoolRoles: %v", err)
	}
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(w.pool)})
	if err != nil {
		t.Fatalf("GetId: %v", err)
	}
	w.guest = aws.ToString(id.IdentityId)
	tok, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatalf("GetOpenIdToken: %v", err)
	}
	w.token = aws.ToString(tok.Token)
	return w
}

// sts is an STS client of the server with creds (anonymous when nil).
func (w *world) sts(creds aws.CredentialsProvider) *awssts.Client {
	if creds == nil {
		creds = aws.AnonymousCredentials{}
	}
	return awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(w.s.URL), Credentials: creds, RetryMaxAttempts: 1})
}

// assume presents token to AssumeRoleWithWebIdentity for role.
func (w *world) assume(role, token string) error {
	_, err := w.sts(nil).AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("forgery"), WebIdentityToken: aws.String(token),
	})
	return err
}
