// Package fakeidp is a real OpenID Connect provider for end-to-end tests: an
// httptest TLS server publishing a discovery document and the JWKS of a fresh
// RSA key, and ID tokens that key signs. idpool verifies them as it verifies
// any provider's, over HTTPS, once the server trusts CertFile.
package fakeidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// OIDC is a running provider. Key and KID are exported for tests that forge
// tokens around them; Rotate replaces them.
type OIDC struct {
	Server *httptest.Server
	Key    *rsa.PrivateKey
	KID    string
	mu     sync.Mutex
}

// NewOIDC starts a provider whose key has id kid; it stops with the test.
func NewOIDC(t testing.TB, kid string) *OIDC {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &OIDC{Key: key, KID: kid}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": p.URL(), "jwks_uri": p.URL() + "/keys"})
		case "/keys":
			key, kid := p.current()
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Server.Close)
	return p
}

func (p *OIDC) current() (*rsa.PrivateKey, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Key, p.KID
}

// Rotate replaces the provider's key with a fresh one of id kid: the old
// key is no longer published, and tokens are signed with the new one.
func (p *OIDC) Rotate(t testing.TB, kid string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Key, p.KID = key, kid
}

// URL is the issuer (https://127.0.0.1:port).
func (p *OIDC) URL() string { return p.Server.URL }

// Host is the issuer without its scheme: its Logins key and IAM provider name.
func (p *OIDC) Host() string { return strings.TrimPrefix(p.Server.URL, "https://") }

// Thumbprint is the SHA-1 of the TLS certificate, as IAM lists it.
func (p *OIDC) Thumbprint() string {
	sum := sha1.Sum(p.Server.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

// CertFile writes the TLS certificate as PEM for the server's SSL_CERT_FILE,
// so the idpool process trusts the provider as it would a real CA's.
func (p *OIDC) CertFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "idp.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// IDToken signs an ID token for sub and aud, issued now, expiring at exp.
func (p *OIDC) IDToken(t testing.TB, sub, aud string, exp time.Time) string {
	t.Helper()
	return p.Sign(t, map[string]any{"iss": p.URL(), "sub": sub, "aud": aud, "iat": time.Now().Unix(), "exp": exp.Unix()})
}

// Sign makes an RS256 JWT of claims with the provider's key and kid.
func (p *OIDC) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	key, kid := p.current()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
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
