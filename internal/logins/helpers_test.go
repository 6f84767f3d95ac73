package logins

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/iamquery"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

const testAccount = "000000000000"

// testNow is the fixed clock of the unit tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// openStore opens a real SQLite database in a temporary directory.
func openStore(t testing.TB) storage.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// idp is a real OpenID Connect issuer over TLS: discovery, a JWKS whose keys
// can be rotated, and RS256-signed tokens.
type idp struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey // published keys by kid
	// jwksHits counts key set fetches.
	jwksHits int
	// prefix is where the issuer lives on the server ("" or "/POOLID").
	prefix string
}

func newIDP(t testing.TB) *idp {
	t.Helper()
	p := &idp{keys: map[string]*rsa.PrivateKey{}}
	p.addKey(t, "k1")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case p.prefix + "/.well-known/openid-configuration":
			writeJSON(w, map[string]any{"issuer": p.issuer(), "jwks_uri": p.issuer() + "/keys"})
		case p.prefix + "/keys", p.prefix + "/.well-known/jwks.json":
			p.mu.Lock()
			p.jwksHits++
			set := jose.JSONWebKeySet{}
			for kid, k := range p.keys {
				set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
			}
			p.mu.Unlock()
			writeJSON(w, set)
		default:
			http.NotFound(w, r)
		}
	})
	p.srv = httptest.NewTLSServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) issuer() string { return p.srv.URL + p.prefix }

// host is the issuer without scheme: the Logins key of an OIDC provider.
func (p *idp) host() string { u, _ := url.Parse(p.issuer()); return u.Host + u.Path }

func (p *idp) addKey(t testing.TB, kid string) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.keys[kid] = k
	p.mu.Unlock()
	return k
}

func (p *idp) key(kid string) *rsa.PrivateKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[kid]
}

// token signs claims (iss, iat, exp filled in when absent) with kid's key.
func (p *idp) token(t testing.TB, kid string, c map[string]any) string {
	t.Helper()
	full := map[string]any{"iss": p.issuer(), "iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix()}
	for k, v := range c {
		if v == nil {
			delete(full, k)
		} else {
			full[k] = v
		}
	}
	return signRS256(t, p.key(kid), kid, full)
}

func signRS256(t testing.TB, key *rsa.PrivateKey, kid string, c map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// testVerifier is a Verifier used the way an operation table uses it: the
// IAM provider a login needs is read from st in a snapshot, and a SAML
// assertion is recorded in a write transaction after it verifies.
type testVerifier struct {
	*Verifier
	st  storage.Store
	now func() time.Time
}

// newVerifier returns a Verifier over st whose HTTP client trusts srv's TLS certificate.
func newVerifier(st storage.Store, client *http.Client, mod func(*Config)) *testVerifier {
	cfg := Config{HTTPClient: client, Now: fixedNow}
	if mod != nil {
		mod(&cfg)
	}
	return &testVerifier{Verifier: New(cfg), st: st, now: cfg.Now}
}

func (v *testVerifier) Verify(ctx context.Context, pool *storage.Pool, provider, token string) (*identity.VerifiedLogin, error) {
	req := identity.LoginRequest{Pool: pool, Provider: provider, Token: token}
	if arn := ProviderARN(pool, provider); arn != "" && v.st != nil {
		err := v.st.View(ctx, func(r storage.Reader) error {
			var err error
			if strings.Contains(arn, ":saml-provider/") {
				req.SAML, err = iam.SAMLProviderByARN(r, arn)
			} else {
				req.OIDC, err = iam.OIDCProviderByARN(r, arn)
			}
			if errors.Is(err, storage.ErrNotFound) {
				req.SAML, req.OIDC, err = nil, nil, nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	l, err := v.Verifier.Verify(ctx, req)
	if err != nil || l.Assertion == nil {
		return l, err
	}
	err = v.st.Update(ctx, func(tx storage.Tx) error { return MarkAssertionUsed(tx, l.Assertion, v.now()) })
	if err != nil {
		return nil, err
	}
	return l, nil
}

// iamCall runs an IAM action as the dev account's root user.
func iamCall(st storage.Store, name string, form url.Values) (any, error) {
	svc, err := iamquery.New(iamquery.Config{Store: st, Now: fixedNow})
	if err != nil {
		return nil, err
	}
	a, _ := svc.Action(name)
	c := &auth.Caller{Principal: &auth.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root"}}
	return a.Call(context.Background(), c, form)
}

// wantRefused checks err is a NotAuthorizedException with message msg.
func wantRefused(t *testing.T, err error, msg string) {
	t.Helper()
	wantCode(t, err, apierr.NotAuthorized, msg)
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
