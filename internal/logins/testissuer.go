package logins

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/idpool/idpool/internal/iam"
)

// TestIssuer is idpool's own test identity provider: it signs the logins
// that `idpool login mint` (IdpoolService.MintLogin) hands out, and the
// Verifier takes its keys as the key source of Google, Apple, user pools,
// IAM OIDC and SAML providers for a token that names one of them. Nothing
// else changes: the token's iss, aud, exp and the provider's configuration
// are checked as for the real provider's tokens.
//
// Each account has its own key (ECDSA P-256, made on first use, held in
// memory only and used for nothing else), so a login minted with one
// account's keys never verifies for another account's pools, and a login
// minted by one process never verifies in another. Its kid names the
// account ("idpool-test-ACCOUNT-RANDOM"); a real provider knows no such
// key, so minted logins verify nowhere else.
type TestIssuer struct {
	mu   sync.Mutex
	keys map[string]*testKey // by account
	now  func() time.Time
}

type testKey struct {
	priv *ecdsa.PrivateKey
	kid  string
	cert *x509.Certificate // self-signed, for SAML signatures
}

// testKidPrefix starts the kid of every test issuer key.
const testKidPrefix = "idpool-test-"

// NewTestIssuer returns a test issuer with no keys yet; now is its clock
// (time.Now when nil).
func NewTestIssuer(now func() time.Time) *TestIssuer {
	if now == nil {
		now = time.Now
	}
	return &TestIssuer{keys: map[string]*testKey{}, now: now}
}

// key returns account's key, making it on first use when create is set.
func (t *TestIssuer) key(account string, create bool) (*testKey, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k, ok := t.keys[account]; ok || !create {
		return k, nil
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return nil, err
	}
	now := t.now()
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(suffix[:]),
		Subject:      pkix.Name{CommonName: "idpool test issuer " + account},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	k := &testKey{priv: priv, kid: testKidPrefix + account + "-" + hex.EncodeToString(suffix[:]), cert: cert}
	t.keys[account] = k
	return k, nil
}

// JWKS returns account's public key set (empty before its first login).
func (t *TestIssuer) JWKS(account string) jose.JSONWebKeySet {
	k, _ := t.key(account, false)
	if k == nil {
		return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	}
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.ES256), Use: "sig",
		Certificates: []*x509.Certificate{k.cert}}}}
}

// Certificate returns account's SAML signing certificate, making its key
// if needed (for the metadata a SAML provider may be created from).
func (t *TestIssuer) Certificate(account string) (*x509.Certificate, error) {
	k, err := t.key(account, true)
	if err != nil {
		return nil, err
	}
	return k.cert, nil
}

// signJWT signs claims with account's key.
func (t *TestIssuer) signJWT(account string, claims map[string]any) (string, error) {
	k, err := t.key(account, true)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), k.kid))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// keySet is account's key as a keySet: a token verifies only when its kid
// is that key's.
func (t *TestIssuer) keySet(account string) keySet { return testKeySet{t, account} }

type testKeySet struct {
	t       *TestIssuer
	account string
}

func (s testKeySet) VerifySignature(_ context.Context, token string) ([]byte, error) {
	jws, err := jose.ParseSigned(token, signingAlgs)
	if err != nil {
		return nil, err
	}
	k, _ := s.t.key(s.account, false)
	if k == nil || len(jws.Signatures) != 1 || jws.Signatures[0].Header.KeyID != k.kid {
		return nil, errors.New("not signed by this account's test issuer key")
	}
	return jws.Verify(&k.priv.PublicKey)
}

// samlCert returns account's SAML certificate, nil before its first login.
func (t *TestIssuer) samlCert(account string) *x509.Certificate {
	k, _ := t.key(account, false)
	if k == nil {
		return nil
	}
	return k.cert
}

// isTestToken reports whether a compact JWS names a test issuer key in
// its (signed) header; the signature is checked by testKeySet.
func isTestToken(token string) bool {
	kid, _, ok := jwtHeader(token)
	return ok && strings.HasPrefix(kid, testKidPrefix)
}

// testKeys returns the keys a token is verified with when it names a test
// issuer key and the test issuer is on: the pool account's test key; ok is
// false otherwise (the provider's own keys apply).
func (v *Verifier) testKeys(account, token string) (keySet, bool) {
	if v.test == nil || !isTestToken(token) {
		return nil, false
	}
	return v.test.keySet(account), true
}

// TestIssuerPath is where the test issuer publishes an account's keys.
const TestIssuerPath = "/_idpool/test-issuer/"

// Handlers returns the test issuer's documents for account, by path under
// base (the server's public URL): its JWKS, a discovery document naming
// it, and SAML IdP metadata with its certificate (a SAML provider made
// from it trusts only the test issuer). Minted tokens carry their
// provider's iss, not base: these are for tools and for people, the
// verifier reads the keys in process.
func (t *TestIssuer) Handlers(base, account string) map[string]http.Handler {
	root := TestIssuerPath + account
	url := strings.TrimSuffix(base, "/") + root
	asJSON := func(v func() any) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			_ = json.NewEncoder(w).Encode(v())
		})
	}
	return map[string]http.Handler{
		root + "/.well-known/jwks.json": asJSON(func() any { return t.JWKS(account) }),
		root + "/.well-known/openid-configuration": asJSON(func() any {
			return map[string]any{"issuer": url, "jwks_uri": url + "/.well-known/jwks.json",
				"id_token_signing_alg_values_supported": []string{string(jose.ES256)},
				"response_types_supported":              []string{"id_token"}, "subject_types_supported": []string{"public"}}
		}),
		root + "/saml/metadata.xml": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			cert, err := t.Certificate(account)
			if err != nil {
				http.Error(w, "no key", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/samlmetadata+xml")
			_, _ = io.WriteString(w, iam.MetadataDocument(url, cert.Raw, url+"/saml/sso"))
		}),
	}
}
