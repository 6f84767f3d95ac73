package logins

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

const (
	upRegion = "us-east-1"
	upPoolID = "us-east-1_TestPool1"
	upKey    = "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
)

// userPoolIDP is a user pool issuer at https://HOST/POOLID, as cognito-local serves it.
func userPoolIDP(t *testing.T) *idp {
	p := newIDP(t)
	p.prefix = "/" + upPoolID
	return p
}

func userPoolPool(check bool) *storage.Pool {
	return &storage.Pool{ID: "us-east-1:11111111-2222-3333-4444-555555555555",
		CognitoIdentityProviders: []storage.CognitoProvider{
			{ProviderName: upKey, ClientID: "app-client-1", ServerSideTokenCheck: check},
			{ProviderName: upKey, ClientID: "app-client-2"},
		}}
}

func TestUserPoolAccepted(t *testing.T) {
	p := userPoolIDP(t)
	// The issuer template sends the pool to the fake, as for cognito-local.
	v := newVerifier(nil, p.srv.Client(), func(c *Config) { c.UserPools.IssuerTemplate = p.srv.URL + "/{pool}" })
	tok := p.token(t, "k1", map[string]any{"sub": "sub-1", "aud": "app-client-2", "token_use": "id", "cognito:username": "alice",
		"cognito:groups": []string{"admins"}})
	l, err := v.Verify(context.Background(), userPoolPool(false), upKey, tok)
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "sub-1" || l.AMR != upKey+":CognitoSignIn:sub-1" || l.RoleMappingKey != upKey+":app-client-2" {
		t.Fatalf("login = %+v", l)
	}
	if g, _ := l.Claims["cognito:groups"].([]any); len(g) != 1 || g[0] != "admins" {
		t.Fatalf("claims = %v", l.Claims)
	}
}

func TestUserPoolRefused(t *testing.T) {
	p := userPoolIDP(t)
	v := newVerifier(nil, p.srv.Client(), func(c *Config) { c.UserPools.Issuers = map[string]string{upPoolID: p.issuer()} })
	other := &storage.Pool{ID: "us-east-1:x", CognitoIdentityProviders: []storage.CognitoProvider{
		{ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Other", ClientID: "app-client-1"}}}
	cases := []struct {
		name  string
		pool  *storage.Pool
		token string
		msg   string
	}{
		{"access token", userPoolPool(false), p.token(t, "k1", map[string]any{"sub": "s", "client_id": "app-client-1", "token_use": "access"}), msgMissingAud},
		{"other client", userPoolPool(false), p.token(t, "k1", map[string]any{"sub": "s", "aud": "app-client-9", "token_use": "id"}), msgUnsupported},
		{"pool not configured", other, p.token(t, "k1", map[string]any{"sub": "s", "aud": "app-client-1", "token_use": "id"}), msgUnsupported},
		{"issuer of another pool", userPoolPool(false), newIDP(t).token(t, "k1", map[string]any{"sub": "s", "aud": "app-client-1"}), msgIssuer},
		{"expired", userPoolPool(false), p.token(t, "k1", map[string]any{"sub": "s", "aud": "app-client-1", "exp": testNow.Add(-time.Hour).Unix()}),
			"Invalid login token. Token expired: 1772366400 >= 1772362800"},
		{"tampered", userPoolPool(false), tamper(t, p.token(t, "k1", map[string]any{"sub": "s", "aud": "app-client-1"})), msgSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), c.pool, upKey, c.token)
			wantRefused(t, err, c.msg)
		})
	}
}

func TestUserPoolServerSideTokenCheck(t *testing.T) {
	p := userPoolIDP(t)
	users := map[string]bool{"alice": true, "bob": false} // username -> enabled
	var targets []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targets = append(targets, r.Header.Get("X-Amz-Target"))
		var in struct{ UserPoolId, Username string }
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &in)
		enabled, ok := users[in.Username]
		if !ok || in.UserPoolId != upPoolID {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"UserNotFoundException","message":"User does not exist."}`))
			return
		}
		writeJSON(w, map[string]any{"Username": in.Username, "Enabled": enabled})
	}))
	defer api.Close()
	v := newVerifier(nil, p.srv.Client(), func(c *Config) {
		c.UserPools.IssuerTemplate = p.srv.URL + "/{pool}"
		c.UserPools.CheckEndpoint = api.URL
	})
	tok := func(user string) string {
		return p.token(t, "k1", map[string]any{"sub": "sub-" + user, "aud": "app-client-1", "token_use": "id", "cognito:username": user})
	}
	if _, err := v.Verify(context.Background(), userPoolPool(true), upKey, tok("alice")); err != nil {
		t.Fatal(err)
	}
	_, err := v.Verify(context.Background(), userPoolPool(true), upKey, tok("bob"))
	wantRefused(t, err, msgUserNotAllowed)
	_, err = v.Verify(context.Background(), userPoolPool(true), upKey, tok("carol"))
	wantRefused(t, err, msgUserNotAllowed)
	if len(targets) != 3 || targets[0] != "AWSCognitoIdentityProviderService.AdminGetUser" {
		t.Fatalf("targets = %v", targets)
	}
	// Without ServerSideTokenCheck the user pool API is not called.
	if _, err := v.Verify(context.Background(), userPoolPool(false), upKey, tok("bob")); err != nil {
		t.Fatal(err)
	}
	if len(targets) != 3 {
		t.Fatalf("check ran without ServerSideTokenCheck: %v", targets)
	}
}

func TestUserPoolDefaultIssuer(t *testing.T) {
	c := UserPoolConfig{}
	if got := c.issuer("eu-west-1", "eu-west-1_abc"); got != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc" {
		t.Fatal(got)
	}
}
