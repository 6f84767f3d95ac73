package logins

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

func socialPool(providers map[string]string) *storage.Pool {
	return &storage.Pool{ID: "us-east-1:11111111-2222-3333-4444-555555555555", SupportedLoginProviders: providers,
		DeveloperProviderName: "login.example.app"}
}

func TestGoogleAndApple(t *testing.T) {
	google, apple := newIDP(t), newIDP(t)
	// httptest TLS servers share one certificate, so one client trusts both.
	client := google.srv.Client()
	v := newVerifier(nil, client, func(c *Config) {
		c.Social.Google = OIDCIssuer{Issuer: google.issuer()}
		c.Social.Apple = OIDCIssuer{Issuer: apple.issuer(), JWKSURL: apple.issuer() + "/keys"}
	})
	p := socialPool(map[string]string{ProviderGoogle: "g-1, g-2", ProviderApple: "com.example.app"})

	l, err := v.Verify(context.Background(), p, ProviderGoogle, google.token(t, "k1", map[string]any{"sub": "1001", "aud": "g-2"}))
	if err != nil || l.Subject != "1001" || l.AMR != "accounts.google.com:g-2:1001" {
		t.Fatalf("google: %+v %v", l, err)
	}
	// Google tokens may name the issuer without scheme.
	bare := strings.TrimPrefix(google.issuer(), "https://")
	if _, err := v.Verify(context.Background(), p, ProviderGoogle, google.token(t, "k1", map[string]any{"iss": bare, "sub": "1001", "aud": "g-1"})); err != nil {
		t.Fatalf("google bare iss: %v", err)
	}
	_, err = v.Verify(context.Background(), p, ProviderGoogle, google.token(t, "k1", map[string]any{"sub": "1001", "aud": "g-9"}))
	wantRefused(t, err, msgAudience)
	_, err = v.Verify(context.Background(), p, ProviderGoogle, apple.token(t, "k1", map[string]any{"sub": "1001", "aud": "g-1"}))
	wantRefused(t, err, msgIssuer)

	if _, err := v.Verify(context.Background(), p, ProviderApple, apple.token(t, "k1", map[string]any{"sub": "a.1", "aud": "com.example.app"})); err != nil {
		t.Fatalf("apple: %v", err)
	}
	_, err = v.Verify(context.Background(), socialPool(nil), ProviderApple, apple.token(t, "k1", map[string]any{"sub": "a.1", "aud": "com.example.app"}))
	wantRefused(t, err, msgUnsupported)
}

func TestFacebook(t *testing.T) {
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug_token" || r.URL.Query().Get("access_token") != r.URL.Query().Get("input_token") {
			http.NotFound(w, r)
			return
		}
		switch r.URL.Query().Get("input_token") {
		case "good":
			writeJSON(w, map[string]any{"data": map[string]any{"app_id": "fb-app", "user_id": "fb-user", "is_valid": true, "expires_at": testNow.Add(time.Hour).Unix()}})
		case "other-app":
			writeJSON(w, map[string]any{"data": map[string]any{"app_id": "fb-other", "user_id": "fb-user", "is_valid": true}})
		case "expired":
			writeJSON(w, map[string]any{"data": map[string]any{"app_id": "fb-app", "user_id": "fb-user", "is_valid": true, "expires_at": testNow.Add(-time.Hour).Unix()}})
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": map[string]any{"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
		}
	}))
	defer graph.Close()
	v := newVerifier(nil, nil, func(c *Config) { c.Social.FacebookGraphURL = graph.URL })
	p := socialPool(map[string]string{ProviderFacebook: "fb-app"})
	l, err := v.Verify(context.Background(), p, ProviderFacebook, "good")
	if err != nil || l.Subject != "fb-user" || l.AMR != "graph.facebook.com:fb-app:fb-user" || l.Claims["aud"] != "fb-app" {
		t.Fatalf("login %+v, %v", l, err)
	}
	_, err = v.Verify(context.Background(), p, ProviderFacebook, "other-app")
	wantRefused(t, err, msgUnsupported)
	_, err = v.Verify(context.Background(), p, ProviderFacebook, "expired")
	wantRefused(t, err, "Invalid login token. Token expired: 1772366400 >= 1772362800")
	_, err = v.Verify(context.Background(), p, ProviderFacebook, "garbage")
	wantRefused(t, err, msgInvalid)
	_, err = v.Verify(context.Background(), p, ProviderFacebook, "broken")
	wantCode(t, err, apierr.ExternalService, "")
}

func TestAmazon(t *testing.T) {
	lwa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/o2/tokeninfo" || r.URL.Query().Get("access_token") != "Atza|good" {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": "invalid_token"})
			return
		}
		writeJSON(w, map[string]any{"aud": "amzn1.application-oa2-client.c1", "app_id": "amzn1.application.app1", "user_id": "amzn1.account.U1", "exp": 3597})
	}))
	defer lwa.Close()
	v := newVerifier(nil, nil, func(c *Config) { c.Social.AmazonAPIURL = lwa.URL })
	l, err := v.Verify(context.Background(), socialPool(map[string]string{ProviderAmazon: "amzn1.application.app1"}), ProviderAmazon, "Atza|good")
	if err != nil || l.Subject != "amzn1.account.U1" || l.Claims["user_id"] != "amzn1.account.U1" {
		t.Fatalf("login %+v, %v", l, err)
	}
	_, err = v.Verify(context.Background(), socialPool(map[string]string{ProviderAmazon: "amzn1.application.other"}), ProviderAmazon, "Atza|good")
	wantRefused(t, err, msgUnsupported)
	_, err = v.Verify(context.Background(), socialPool(map[string]string{ProviderAmazon: "amzn1.application.app1"}), ProviderAmazon, "Atza|bad")
	wantRefused(t, err, msgInvalid)
}

func TestTwitter(t *testing.T) {
	keys := oauth1Keys{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tok", TokenSecret: "ts"}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Recompute the signature from the request's own nonce and timestamp.
		got := parseOAuthHeader(r.Header.Get("Authorization"))
		sec, _ := strconv.ParseInt(got["oauth_timestamp"], 10, 64)
		want := parseOAuthHeader(oauth1Header(r.Method, "http://"+r.Host+r.URL.Path, nil, keys, got["oauth_nonce"], sec))
		if r.URL.Path != "/1.1/account/verify_credentials.json" || got["oauth_token"] != "tok" || got["oauth_signature"] != want["oauth_signature"] {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"errors": []any{map[string]any{"code": 32, "message": "Could not authenticate you."}}})
			return
		}
		writeJSON(w, map[string]any{"id_str": "12345", "screen_name": "alice"})
	}))
	defer api.Close()
	v := newVerifier(nil, nil, func(c *Config) { c.Social.TwitterAPIURL = api.URL })
	p := socialPool(map[string]string{ProviderTwitter: "ck;cs"})
	l, err := v.Verify(context.Background(), p, ProviderTwitter, "tok;ts")
	if err != nil || l.Subject != "12345" || l.AMR != "api.twitter.com:ck:12345" {
		t.Fatalf("login %+v, %v", l, err)
	}
	for k, val := range l.Claims {
		if val == "cs" {
			t.Fatalf("consumer secret in claim %s", k)
		}
	}
	_, err = v.Verify(context.Background(), p, ProviderTwitter, "tok;wrong-secret")
	wantRefused(t, err, msgInvalid)
	_, err = v.Verify(context.Background(), p, ProviderTwitter, "no-secret")
	wantRefused(t, err, msgInvalid)
}

// TestOAuth1Vector checks the signer against Twitter's documented example
// ("Creating a signature", developer.twitter.com).
func TestOAuth1Vector(t *testing.T) {
	h := oauth1Header("POST", "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
		url.Values{"status": {"Hello Ladies + Gentlemen, a signed OAuth request!"}},
		oauth1Keys{ConsumerKey: "xvz1evFS4wEEPTGEFPHBog", ConsumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
			Token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", TokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"},
		"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958)
	if sig := parseOAuthHeader(h)["oauth_signature"]; sig != "hCtSmYh+iHYCEqBWrE7C7hYmtUk=" {
		t.Fatalf("signature %q in %s", sig, h)
	}
}

func parseOAuthHeader(h string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(h, "OAuth "), ", ") {
		k, v, _ := strings.Cut(part, "=")
		v, _ = url.PathUnescape(strings.Trim(v, `"`))
		out[k] = v
	}
	return out
}

func TestDeveloperProviderRefused(t *testing.T) {
	v := newVerifier(nil, nil, nil)
	p := socialPool(nil)
	_, err := v.Verify(context.Background(), p, "login.example.app", "user-42")
	wantRefused(t, err, msgUnsupported)
	_, err = v.Verify(context.Background(), p, "login.example.app", "a.b.c")
	wantRefused(t, err, msgIssuer)
	_, err = v.Verify(context.Background(), p, "unknown.example.com", "a.b.c")
	wantRefused(t, err, msgUnsupported)
}

// tokenVerifier is a TokenVerifier over a real issuer: it checks the
// signature with the issuer's key set, as the tokens package does.
type tokenVerifier struct {
	ks  keySet
	iss string
}

func (tv tokenVerifier) VerifyOpenIDToken(ctx context.Context, token string) (*identity.OpenIDClaims, error) {
	c, err := verifiedClaims(ctx, tv.ks, token)
	if err != nil {
		return nil, err
	}
	if c.str("iss") != tv.iss {
		return nil, errors.New("wrong issuer")
	}
	if exp, _ := c.unix("exp"); exp <= testNow.Unix() {
		return nil, apierr.NotAuthorizedf("Invalid login token. Token expired: %d >= %d", testNow.Unix(), exp)
	}
	return &identity.OpenIDClaims{Issuer: tv.iss, Audience: c.str("aud"), Subject: c.str("sub"), Raw: c.plain()}, nil
}

func TestCognitoIdentityToken(t *testing.T) {
	p := newIDP(t)
	pool := socialPool(nil)
	helper := newVerifier(nil, p.srv.Client(), nil)
	v := newVerifier(nil, nil, func(c *Config) {
		c.Tokens = tokenVerifier{ks: helper.fetch.keySet(p.issuer() + "/keys"), iss: p.issuer()}
	})
	id := "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	l, err := v.Verify(context.Background(), pool, ProviderCognitoIdentity,
		p.token(t, "k1", map[string]any{"sub": id, "aud": pool.ID, "amr": []string{"authenticated", "login.example.app"}}))
	if err != nil || l.IdentityID != id || l.Subject != id {
		t.Fatalf("login %+v, %v", l, err)
	}
	_, err = v.Verify(context.Background(), pool, ProviderCognitoIdentity, p.token(t, "k1", map[string]any{"sub": id, "aud": "us-east-1:other"}))
	wantRefused(t, err, msgUnsupported)
	_, err = v.Verify(context.Background(), pool, ProviderCognitoIdentity, tamper(t, p.token(t, "k1", map[string]any{"sub": id, "aud": pool.ID})))
	wantRefused(t, err, msgSignature)
	_, err = v.Verify(context.Background(), pool, ProviderCognitoIdentity, newIDP(t).token(t, "k1", map[string]any{"sub": id, "aud": pool.ID}))
	wantRefused(t, err, msgSignature)
	_, err = v.Verify(context.Background(), pool, ProviderCognitoIdentity, p.token(t, "k1", map[string]any{"sub": id, "aud": pool.ID, "exp": testNow.Add(-time.Hour).Unix()}))
	wantRefused(t, err, "Invalid login token. Token expired: 1772366400 >= 1772362800")
	_, err = newVerifier(nil, nil, nil).Verify(context.Background(), pool, ProviderCognitoIdentity, "x")
	wantRefused(t, err, msgNotCognito)
}
