package logins

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// mintFixture is a verifier with a test issuer whose Google is a local
// TLS issuer (so a refused minted token never reaches the real Google),
// an IAM OIDC provider and a SAML provider, and a pool naming them all.
type mintFixture struct {
	v    *testVerifier
	test *TestIssuer
	pool *storage.Pool
	oidc *iam.OIDCProvider
	saml *iam.SAMLProvider
	arn  string
	p    *idp
}

func newMintFixture(t *testing.T) *mintFixture {
	t.Helper()
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "oidc-client")
	sp := newSAMLIdP(t)
	if _, err := iamCall(st, "CreateSAMLProvider", map[string][]string{"Name": {"corp"}, "SAMLMetadataDocument": {sp.metadata()}}); err != nil {
		t.Fatal(err)
	}
	f := &mintFixture{test: NewTestIssuer(fixedNow), p: p, arn: iam.SAMLProviderARN(testAccount, "corp")}
	pool.AccountID = testAccount
	pool.SAMLProviderARNs = []string{f.arn}
	pool.SupportedLoginProviders = map[string]string{ProviderGoogle: "g-client,g-other", ProviderApple: "com.example.app"}
	pool.CognitoIdentityProviders = []storage.CognitoProvider{{ProviderName: upKey, ClientID: "app-client-1"}}
	f.pool = pool
	f.v = newVerifier(st, p.srv.Client(), func(c *Config) {
		c.TestIssuer = f.test
		c.Social.Google = OIDCIssuer{Issuer: p.issuer()}
	})
	err := st.View(context.Background(), func(r storage.Reader) (err error) {
		if f.oidc, err = iam.OIDCProviderByARN(r, pool.OpenIDConnectProviderARNs[0]); err != nil {
			return err
		}
		f.saml, err = iam.SAMLProviderByARN(r, f.arn)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *mintFixture) mint(t *testing.T, r identity.MintRequest) string {
	t.Helper()
	if r.Account == "" {
		r.Account = testAccount
	}
	if r.Expires.IsZero() {
		r.Expires = testNow.Add(time.Hour)
	}
	r.OIDC, r.SAML = f.oidc, f.saml
	tok, err := f.v.Mint(r)
	if err != nil {
		t.Fatalf("Mint %s: %v", r.Provider, err)
	}
	return tok
}

// Every kind of provider: the minted login verifies through Verify's usual
// checks, and carries the provider's iss and the added claims.
func TestMintedLoginsVerify(t *testing.T) {
	f := newMintFixture(t)
	cases := []struct {
		provider, aud, iss string
	}{
		{ProviderGoogle, "g-other", f.p.issuer()},
		{ProviderApple, "com.example.app", "https://appleid.apple.com"},
		{upKey, "app-client-1", "https://cognito-idp.us-east-1.amazonaws.com/" + upPoolID},
		{f.p.host(), "oidc-client", f.p.issuer()},
		{f.arn, "", "https://idp.example.com/saml"},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			tok := f.mint(t, identity.MintRequest{Provider: c.provider, Subject: "alice", Audience: c.aud, Claims: map[string]string{"team": "blue"}})
			l, err := f.v.Verify(context.Background(), f.pool, c.provider, tok)
			if err != nil {
				t.Fatal(err)
			}
			if l.Subject != "alice" || l.Claims["team"] != "blue" || l.Claims["iss"] != c.iss {
				t.Fatalf("login = %+v", l)
			}
		})
	}
}

// A minted login is refused by a verifier without the test issuer, by
// another process's test issuer, for another account's pool, after its
// expiry, and when tampered with.
func TestMintedLoginsRefused(t *testing.T) {
	f := newMintFixture(t)
	google := f.mint(t, identity.MintRequest{Provider: ProviderGoogle, Subject: "alice", Audience: "g-client"})
	saml := f.mint(t, identity.MintRequest{Provider: f.arn, Subject: "alice"})
	off := newVerifier(f.v.st, f.p.srv.Client(), func(c *Config) { c.Social.Google = OIDCIssuer{Issuer: f.p.issuer()} })
	other := newVerifier(f.v.st, f.p.srv.Client(), func(c *Config) {
		c.Social.Google = OIDCIssuer{Issuer: f.p.issuer()}
		c.TestIssuer = NewTestIssuer(fixedNow)
	})
	_, err := off.Verify(context.Background(), f.pool, ProviderGoogle, google)
	wantRefused(t, err, msgSignature)
	_, err = other.Verify(context.Background(), f.pool, ProviderGoogle, google)
	wantRefused(t, err, msgSignature)
	_, err = off.Verify(context.Background(), f.pool, f.arn, saml)
	wantRefused(t, err, msgSignature)

	foreign := *f.pool
	foreign.AccountID = "111111111111"
	_, err = f.v.Verify(context.Background(), &foreign, ProviderGoogle, google)
	wantRefused(t, err, msgSignature)

	expired := f.mint(t, identity.MintRequest{Provider: ProviderGoogle, Subject: "alice", Audience: "g-client", Expires: testNow.Add(-time.Hour)})
	_, err = f.v.Verify(context.Background(), f.pool, ProviderGoogle, expired)
	wantRefused(t, err, "Invalid login token. Token expired: 1772366400 >= 1772362800")

	wrongAud := f.mint(t, identity.MintRequest{Provider: ProviderGoogle, Subject: "alice", Audience: "someone-else"})
	_, err = f.v.Verify(context.Background(), f.pool, ProviderGoogle, wrongAud)
	wantRefused(t, err, msgAudience)

	parts := strings.Split(google, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + f.p.issuer() + `","aud":"g-client","sub":"mallory","exp":9999999999}`))
	_, err = f.v.Verify(context.Background(), f.pool, ProviderGoogle, strings.Join(parts, "."))
	wantRefused(t, err, msgSignature)

	raw, _ := base64.StdEncoding.DecodeString(saml)
	tampered := base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), ">alice<", ">mallory<", 1)))
	_, err = f.v.Verify(context.Background(), f.pool, f.arn, tampered)
	wantRefused(t, err, msgSignature)
}

func TestMintBadInput(t *testing.T) {
	f := newMintFixture(t)
	cases := []struct {
		r    identity.MintRequest
		text string
	}{
		{identity.MintRequest{Provider: ProviderFacebook, Subject: "a"}, "calling the provider's API"},
		{identity.MintRequest{Provider: "", Subject: "a"}, "Provider is required"},
		{identity.MintRequest{Provider: "cognito-idp.us-east-1.amazonaws.com", Subject: "a"}, "not a user pool provider name"},
		{identity.MintRequest{Provider: "arn:aws:iam::000000000000:role/x", Subject: "a"}, "not a SAML provider ARN"},
		{identity.MintRequest{Provider: ProviderGoogle, Subject: "a"}, "Audience is required"},
		{identity.MintRequest{Provider: ProviderGoogle, Audience: "g"}, "Subject is required"},
		{identity.MintRequest{Provider: ProviderGoogle, Subject: "a\x00b", Audience: "g"}, "printable"},
		{identity.MintRequest{Provider: ProviderGoogle, Subject: "a", Audience: "g", Claims: map[string]string{"k": "\xff"}}, "printable"},
		{identity.MintRequest{Provider: ProviderGoogle, Subject: "a", Audience: "g", Claims: map[string]string{"exp": "1"}}, "set by --expires-in"},
		{identity.MintRequest{Provider: "oidc.nowhere.example", Subject: "a", Audience: "g"}, "No OpenID Connect provider"},
	}
	for _, c := range cases {
		_, err := f.v.Mint(c.r)
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != apierr.InvalidParameter || !strings.Contains(ae.Message, c.text) {
			t.Errorf("%+v: %v, want InvalidParameterException %q", c.r, err, c.text)
		}
	}
	off := newVerifier(nil, nil, nil)
	if _, err := off.Mint(identity.MintRequest{Provider: ProviderGoogle, Subject: "a", Audience: "g"}); err != ErrTestIssuerOff {
		t.Fatalf("off: %v", err)
	}
}

// BenchmarkMintedLogin: minting and verifying a Google login (ES256).
func BenchmarkMintedLogin(b *testing.B) {
	test := NewTestIssuer(fixedNow)
	v := New(Config{Now: fixedNow, TestIssuer: test})
	pool := &storage.Pool{ID: "us-east-1:x", AccountID: testAccount, SupportedLoginProviders: map[string]string{ProviderGoogle: "g"}}
	r := identity.MintRequest{Account: testAccount, Provider: ProviderGoogle, Subject: "alice", Audience: "g", Expires: testNow.Add(time.Hour)}
	b.Run("mint", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.Mint(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	tok, _ := v.Mint(r)
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.Verify(context.Background(), identity.LoginRequest{Pool: pool, Provider: ProviderGoogle, Token: tok}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestJWTHeader: the header is read only from a compact JWS's shape; the
// test issuer's keys are chosen only by a kid with its prefix.
func TestJWTHeader(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	head := enc(`{"alg":"RS256","kid":"` + testKidPrefix + `acct"}`)
	for _, c := range []struct {
		token, kid, alg string
		ok, test        bool
	}{
		{head + ".e30.sig", testKidPrefix + "acct", "RS256", true, true},
		{head + "..", testKidPrefix + "acct", "RS256", true, true},
		{enc(`{"alg":"RS512","kid":"other"}`) + ".e30.sig", "other", "RS512", true, false},
		{head + ".e30", "", "", false, false}, // two parts: not a compact JWS
		{head, "", "", false, false},          // one part
		{"!!.e30.sig", "", "", false, false},  // not base64url
		{enc(`[1]`) + ".e30.sig", "", "", false, false},
		{enc(`{"kid":7}`) + ".e30.sig", "", "", false, false},
	} {
		kid, alg, ok := jwtHeader(c.token)
		if kid != c.kid || alg != c.alg || ok != c.ok {
			t.Errorf("jwtHeader(%q) = %q, %q, %v; want %q, %q, %v", c.token, kid, alg, ok, c.kid, c.alg, c.ok)
		}
		if got := isTestToken(c.token); got != c.test {
			t.Errorf("isTestToken(%q) = %v, want %v", c.token, got, c.test)
		}
	}
}
