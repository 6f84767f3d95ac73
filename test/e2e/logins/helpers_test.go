// Package logins drives idpool's login verification end to end: a real
// server process, IAM OIDC and SAML providers created with the AWS SDK for
// Go and the aws CLI, a real TLS OpenID Connect issuer (httptest) whose
// tokens become identities and credentials, and cognito-local, a user pool
// emulator, whose ID tokens idpool accepts as user pool logins.
package logins

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/go-jose/go-jose/v4"

	"github.com/idpool/idpool/test/harness"
)

// issuer is a real OpenID Connect provider over TLS.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	is.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys"})
		case "/keys":
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "e2e", Algorithm: "RS256", Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

// host is the issuer without scheme: its Logins key.
func (is *issuer) host() string { return strings.TrimPrefix(is.srv.URL, "https://") }

// token signs an ID token for sub and aud that expires at exp.
func (is *issuer) token(t *testing.T, sub, aud string, exp time.Time) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: is.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"iss": is.srv.URL, "sub": sub, "aud": aud, "iat": time.Now().Unix(), "exp": exp.Unix()})
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// certFile writes the issuer's TLS certificate for the server's
// SSL_CERT_FILE, so the idpool process trusts it as a real CA.
func (is *issuer) certFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "idp.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: is.srv.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// thumbprint is the SHA-1 of the issuer's certificate, as IAM lists it.
func (is *issuer) thumbprint() string {
	sum := sha1.Sum(is.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

func iamClient(s *harness.Server) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, ""),
	})
}

// authRole creates a role that trusts pool's authenticated identities.
func authRole(t *testing.T, s *harness.Server, name, pool string) string {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]}`
	out, err := iamClient(s).CreateRole(context.Background(), &awsiam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy),
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if _, err := s.Cognito().SetIdentityPoolRoles(context.Background(), &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(pool), Roles: map[string]string{"authenticated": aws.ToString(out.Role.Arn)},
	}); err != nil {
		t.Fatalf("SetIdentityPoolRoles: %v", err)
	}
	return aws.ToString(out.Role.Arn)
}

// wantAPIError checks err is the AWS error code whose message starts with prefix.
func wantAPIError(t *testing.T, err error, code, prefix string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.HasPrefix(ae.ErrorMessage(), prefix) {
		t.Fatalf("error = %s %q, want %s %q...", ae.ErrorCode(), ae.ErrorMessage(), code, prefix)
	}
}
