package logins

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

// oidcSetup creates an IAM OIDC provider for p through IAMActions and a pool naming it.
func oidcSetup(t testing.TB, p *idp, clientIDs ...string) (storage.Store, *storage.Pool) {
	t.Helper()
	st := openStore(t)
	form := url.Values{"Url": {p.issuer()}}
	for i, c := range clientIDs {
		form.Set("ClientIDList.member."+string(rune('1'+i)), c)
	}
	if _, err := iamCall(st, "CreateOpenIDConnectProvider", form); err != nil {
		t.Fatal(err)
	}
	arn := iam.OIDCProviderARN(testAccount, p.host())
	if want := "arn:aws:iam::" + testAccount + ":oidc-provider/" + p.host(); arn != want {
		t.Fatalf("arn = %q, want %q", arn, want)
	}
	return st, &storage.Pool{ID: "us-east-1:11111111-2222-3333-4444-555555555555", OpenIDConnectProviderARNs: []string{arn}}
}

func TestOIDCAccepted(t *testing.T) {
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	v := newVerifier(st, p.srv.Client(), nil)
	tok := p.token(t, "k1", map[string]any{"sub": "user-1", "aud": "client-a", "email": "u@example.com"})
	l, err := v.Verify(context.Background(), pool, p.host(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "user-1" || l.Provider != p.host() || l.AMR != p.host()+":client-a:user-1" || l.RoleMappingKey != p.host() {
		t.Fatalf("login = %+v", l)
	}
	if l.Claims["email"] != "u@example.com" || l.Claims["exp"] != testNow.Add(time.Hour).Unix() {
		t.Fatalf("claims = %v", l.Claims)
	}
	// The key set is cached: a second token costs no fetch.
	hits := p.jwksHits
	if _, err := v.Verify(context.Background(), pool, p.host(), tok); err != nil {
		t.Fatal(err)
	}
	if p.jwksHits != hits {
		t.Fatalf("key set fetched again: %d -> %d", hits, p.jwksHits)
	}
	// A rotated key (unknown kid) makes the verifier refetch the set.
	p.addKey(t, "k2")
	tok2 := p.token(t, "k2", map[string]any{"sub": "user-1", "aud": "client-a"})
	if _, err := v.Verify(context.Background(), pool, p.host(), tok2); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
}

func TestOIDCAzpWins(t *testing.T) {
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	v := newVerifier(st, p.srv.Client(), nil)
	ok := p.token(t, "k1", map[string]any{"sub": "u", "aud": []string{"other", "x"}, "azp": "client-a"})
	if _, err := v.Verify(context.Background(), pool, p.host(), ok); err != nil {
		t.Fatal(err)
	}
	bad := p.token(t, "k1", map[string]any{"sub": "u", "aud": "client-a", "azp": "other"})
	_, err := v.Verify(context.Background(), pool, p.host(), bad)
	wantRefused(t, err, msgAudience)
}

func TestOIDCRefused(t *testing.T) {
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	v := newVerifier(st, p.srv.Client(), nil)
	good := map[string]any{"sub": "user-1", "aud": "client-a"}
	with := func(k string, val any) map[string]any {
		c := map[string]any{}
		for k2, v2 := range good {
			c[k2] = v2
		}
		c[k] = val
		return c
	}
	stranger := newIDP(t)
	pub, _ := x509.MarshalPKIXPublicKey(&p.key("k1").PublicKey)

	cases := []struct {
		name, provider, token, msg string
	}{
		{"expired", p.host(), p.token(t, "k1", with("exp", testNow.Add(-6*time.Minute).Unix())),
			"Invalid login token. Token expired: 1772366400 >= 1772366040"},
		{"not yet valid", p.host(), p.token(t, "k1", with("nbf", testNow.Add(10*time.Minute).Unix())), msgNotYetValid},
		{"issued in the future", p.host(), p.token(t, "k1", with("iat", testNow.Add(10*time.Minute).Unix())), msgNotYetValid},
		{"other audience", p.host(), p.token(t, "k1", with("aud", "client-b")), msgAudience},
		{"unknown kid", p.host(), signRS256(t, stranger.key("k1"), "k9", map[string]any{"iss": p.issuer(), "sub": "u", "aud": "client-a", "exp": testNow.Add(time.Hour).Unix()}), msgSignature},
		{"known kid, other key", p.host(), signRS256(t, stranger.key("k1"), "k1", map[string]any{"iss": p.issuer(), "sub": "u", "aud": "client-a", "exp": testNow.Add(time.Hour).Unix()}), msgSignature},
		{"alg none", p.host(), unsigned(good, p.issuer()), msgSignature},
		{"HS256 with the public key", p.host(), hmacSigned(t, pub, good, p.issuer()), msgSignature},
		{"tampered", p.host(), tamper(t, p.token(t, "k1", good)), msgSignature},
		{"other issuer", p.host(), stranger.token(t, "k1", good), msgIssuer},
		{"no sub", p.host(), p.token(t, "k1", with("sub", nil)), "Invalid login token. Missing a required claim: sub"},
		{"no exp", p.host(), p.token(t, "k1", with("exp", nil)), "Invalid login token. Missing a required claim: exp"},
		{"not a JWT", p.host(), "hello", msgNotOIDC},
		{"provider not in pool", stranger.host(), stranger.token(t, "k1", good), msgUnsupported},
		{"empty token", p.host(), "", msgInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), pool, c.provider, c.token)
			wantRefused(t, err, c.msg)
		})
	}
}

func TestOIDCSkewGrace(t *testing.T) {
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	v := newVerifier(st, p.srv.Client(), nil)
	// Expired 4 minutes ago and valid from 4 minutes ahead: inside AWS's 5-minute grace.
	tok := p.token(t, "k1", map[string]any{"sub": "u", "aud": "client-a",
		"exp": testNow.Add(-4 * time.Minute).Unix(), "nbf": testNow.Add(4 * time.Minute).Unix()})
	if _, err := v.Verify(context.Background(), pool, p.host(), tok); err != nil {
		t.Fatal(err)
	}
}

func TestOIDCProviderDeleted(t *testing.T) {
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	if _, err := iamCall(st, "DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {pool.OpenIDConnectProviderARNs[0]}}); err != nil {
		t.Fatal(err)
	}
	v := newVerifier(st, p.srv.Client(), nil)
	_, err := v.Verify(context.Background(), pool, p.host(), p.token(t, "k1", map[string]any{"sub": "u", "aud": "client-a"}))
	wantRefused(t, err, msgUnsupported)
}

func TestIssuerUnreachable(t *testing.T) {
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	tok := p.token(t, "k1", map[string]any{"sub": "u", "aud": "client-a"})
	p.srv.Close()
	v := newVerifier(st, p.srv.Client(), func(c *Config) { c.FetchTimeout = 2 * time.Second })
	_, err := v.Verify(context.Background(), pool, p.host(), tok)
	wantRefused(t, err, msgSignature)
}

func unsigned(c map[string]any, iss string) string {
	c2 := map[string]any{"iss": iss, "exp": testNow.Add(time.Hour).Unix()}
	for k, v := range c {
		c2[k] = v
	}
	b, _ := json.Marshal(c2)
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// hmacSigned signs with HS256 using the issuer's public key bytes as the
// secret: the classic algorithm-confusion attack.
func hmacSigned(t *testing.T, secret []byte, c map[string]any, iss string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	c2 := map[string]any{"iss": iss, "exp": testNow.Add(time.Hour).Unix()}
	for k, v := range c {
		c2[k] = v
	}
	b, _ := json.Marshal(c2)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// tamper changes the payload of a signed token, keeping its signature.
func tamper(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	_ = json.Unmarshal(b, &c)
	c["sub"] = "admin"
	b, _ = json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}
