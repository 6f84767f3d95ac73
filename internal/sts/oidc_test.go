package sts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iamquery"
	"github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/stsquery"
	"github.com/idpool/idpool/internal/wire"
)

// oidcIssuer is a real OpenID provider on TLS: discovery, JWKS, RS256 tokens.
type oidcIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := &oidcIssuer{key: k}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": o.srv.URL, "jwks_uri": o.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	o.srv = httptest.NewTLSServer(mux)
	t.Cleanup(o.srv.Close)
	return o
}

func (o *oidcIssuer) token(t *testing.T, aud, sub string) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: o.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.Signed(sig).Claims(map[string]any{"iss": o.srv.URL, "aud": aud, "sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestOtherOIDCIssuer assumes a role with a token of another OpenID
// provider, registered as an IAM OIDC provider in the role's account.
func TestOtherOIDCIssuer(t *testing.T) {
	idp := newOIDCIssuer(t)
	store := openStore(t)
	now := time.Now
	tokens := newTestTokens(t, issuer, now)
	verifier := logins.New(logins.Config{Tokens: tokens, HTTPClient: idp.srv.Client()})
	svc, err := sts.New(context.Background(), sts.Config{Store: store, Tokens: tokens, Logins: verifier, Issuer: issuer})
	if err != nil {
		t.Fatal(err)
	}
	iamSvc, err := iamquery.New(iamquery.Config{Store: store, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.NewStatic([]auth.Account{{ID: account, Keys: map[string]string{"test": "test"}}})
	srv := httptest.NewServer(wire.New(wire.Config{QueryServices: []awsquery.Service{stsquery.New(svc, store), iamSvc}, Verifier: &sigv4.Verifier{Keyring: keys}}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	ic := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	host := strings.TrimPrefix(idp.srv.URL, "https://")
	stsc := awssts.New(awssts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	assumeWith := func(tok string) (*awssts.AssumeRoleWithWebIdentityOutput, error) {
		return stsc.AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleARN("Ci")), RoleSessionName: aws.String("ci"), WebIdentityToken: aws.String(tok),
		})
	}
	providerARN := "arn:aws:iam::" + account + ":oidc-provider/" + host
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + host + `:sub":"repo:idpool/*"}}}]}`
	if _, err := ic.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Ci"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}

	// No IAM OIDC provider for the issuer yet.
	if _, err := assumeWith(idp.token(t, "sts.amazonaws.com", "repo:idpool/x")); codeOf(t, err) != "InvalidIdentityToken" {
		t.Fatalf("without a provider: %v", err)
	}
	if _, err := ic.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.srv.URL), ClientIDList: []string{"sts.amazonaws.com"},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := assumeWith(idp.token(t, "sts.amazonaws.com", "repo:idpool/main"))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Provider) != providerARN || aws.ToString(out.Audience) != "sts.amazonaws.com" || aws.ToString(out.SubjectFromWebIdentityToken) != "repo:idpool/main" {
		t.Errorf("provider %s audience %s subject %s", aws.ToString(out.Provider), aws.ToString(out.Audience), aws.ToString(out.SubjectFromWebIdentityToken))
	}
	// The sub condition and the provider's client id list still apply.
	if _, err := assumeWith(idp.token(t, "sts.amazonaws.com", "repo:someone-else/x")); codeOf(t, err) != "AccessDenied" {
		t.Errorf("sub condition: %v", err)
	}
	if _, err := assumeWith(idp.token(t, "other-client", "repo:idpool/main")); codeOf(t, err) != "InvalidIdentityToken" {
		t.Errorf("audience not in the client id list: %v", err)
	}
}
