// Package tokens checks idpool's OpenID tokens with third-party verifiers:
// go-oidc and Node's jose, against the JWKS a server publishes.
package tokens

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/internal/tokens"
	"github.com/idpool/idpool/test/harness"
)

// discovery fetches the OpenID configuration of a server.
func discovery(t *testing.T, base string) (issuer, jwksURI string) {
	t.Helper()
	issuer, jwksURI, algs := harness.Discovery(t, base)
	if issuer == "" || !strings.HasSuffix(jwksURI, "/.well-known/jwks_uri") || !slices.Equal(algs, []string{"RS512"}) {
		t.Fatalf("openid-configuration: %q %q %v", issuer, jwksURI, algs)
	}
	return issuer, jwksURI
}

// verifyGoOIDC checks tok with go-oidc against the JWKS and refuses a copy
// with one changed byte.
func verifyGoOIDC(t *testing.T, issuer, jwksURI, aud, sub, tok string) {
	t.Helper()
	ctx := context.Background()
	v := oidc.NewVerifier(issuer, oidc.NewRemoteKeySet(ctx, jwksURI),
		&oidc.Config{ClientID: aud, SupportedSigningAlgs: []string{oidc.RS512}})
	idt, err := v.Verify(ctx, tok)
	if err != nil {
		t.Fatalf("go-oidc refuses the token: %v", err)
	}
	if idt.Subject != sub {
		t.Errorf("sub = %q, want %q", idt.Subject, sub)
	}
	parts := strings.Split(tok, ".")
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	if _, err := v.Verify(ctx, parts[0]+"."+parts[1]+"."+string(sig)); err == nil {
		t.Error("go-oidc accepts a token with a changed signature byte")
	}
}

// verifyNode runs test/js/verify-token.test.mjs (jose) on tok.
func verifyNode(t *testing.T, issuer, jwksURI, aud, sub, tok string) {
	t.Helper()
	node := harness.Tool(t, "IDPOOL_TEST_NODE", "node")
	dir := filepath.Join(harness.Root(), "test", "js")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "jose")); err != nil {
		harness.Missing(t, "test/js/node_modules (npm ci; make test runs it)")
	}
	stdout, stderr, code := harness.Run(t, []string{
		"IDPOOL_JWKS_URL=" + jwksURI, "IDPOOL_ISSUER=" + issuer, "IDPOOL_AUDIENCE=" + aud,
		"IDPOOL_SUBJECT=" + sub, "IDPOOL_TOKEN=" + tok,
	}, node, "--test", filepath.Join(dir, "verify-token.test.mjs"))
	if code != 0 || !strings.Contains(stdout, "# pass 3") {
		t.Fatalf("node jose check failed (exit %d)\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// TestInProcess serves tokens.Service's handler from an httptest server and
// has go-oidc and jose verify its tokens: the verifiers' half of the check,
// independent of the server wiring.
func TestInProcess(t *testing.T) {
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "idpool.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := tokens.New(ctx, tokens.Config{Store: st, Issuer: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	h = svc.Handler()
	req := identity.TokenRequest{
		PoolID:     "us-east-1:0c4e2b1a-5f7d-4e2b-9a3c-1d2e3f4a5b6c",
		PoolARN:    "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/us-east-1:0c4e2b1a-5f7d-4e2b-9a3c-1d2e3f4a5b6c",
		IdentityID: "us-east-1:7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
		AMR:        []string{"unauthenticated"},
		TTL:        10 * time.Minute,
	}
	tok, err := svc.Issue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	issuer, jwksURI := discovery(t, srv.URL)
	if issuer != srv.URL {
		t.Fatalf("issuer %q, want %q", issuer, srv.URL)
	}
	verifyGoOIDC(t, issuer, jwksURI, req.PoolID, req.IdentityID, tok)
	verifyNode(t, issuer, jwksURI, req.PoolID, req.IdentityID, tok)
}

// TestServerTokens gets a guest token from a real idpool process through the
// AWS SDK (CreateIdentityPool, GetId, GetOpenIdToken) and verifies it with
// go-oidc and jose against the JWKS the server publishes.
func TestServerTokens(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("tokens"),
		AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	guest := s.Anonymous(harness.Region)
	id, err := guest.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId})
	if err != nil {
		t.Fatal(err)
	}
	out, err := guest.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.IdentityId) != aws.ToString(id.IdentityId) || aws.ToString(out.Token) == "" {
		t.Fatalf("GetOpenIdToken = %+v", out)
	}
	tok := aws.ToString(out.Token)
	issuer, jwksURI := discovery(t, s.URL)
	verifyGoOIDC(t, issuer, jwksURI, *pool.IdentityPoolId, *id.IdentityId, tok)

	// The claims AWS's tokens carry.
	var claims map[string]any
	payload, err := jsonPart(tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if amr, _ := json.Marshal(claims["amr"]); string(amr) != `["unauthenticated"]` {
		t.Errorf("amr = %s", amr)
	}
	if arn, _ := claims[tokens.ClaimPoolARN].(string); !strings.HasSuffix(arn, ":identitypool/"+*pool.IdentityPoolId) {
		t.Errorf("pool ARN claim = %v", claims[tokens.ClaimPoolARN])
	}
	exp, _ := claims["exp"].(float64)
	iat, _ := claims["iat"].(float64)
	if exp-iat != 600 {
		t.Errorf("GetOpenIdToken lifetime %v s, want 600 (10 minutes)", exp-iat)
	}
	verifyNode(t, issuer, jwksURI, *pool.IdentityPoolId, *id.IdentityId, tok)
}
