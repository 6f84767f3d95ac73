package ops

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

// The tests run the operations on a real SQLite database. The token issuer,
// login verifier and STS are small implementations of their interfaces:
// the packages that implement them for real are tested on their own and
// end to end in test/e2e/core.

// tableVerifier accepts tokens of the form "PROVIDER|SUBJECT" for the
// providers it knows, and "cognito|IDENTITYID" for this service's tokens.
type tableVerifier struct{ providers []string }

func (v tableVerifier) Verify(_ context.Context, r identity.LoginRequest) (*identity.VerifiedLogin, error) {
	provider, token := r.Provider, r.Token
	p, sub, ok := strings.Cut(token, "|")
	if provider == CognitoProvider && ok && p == "cognito" {
		return &identity.VerifiedLogin{Provider: provider, IdentityID: sub, Claims: map[string]any{"amr": []any{"authenticated", "dev", "dev:x:y"}}}, nil
	}
	if !ok || p != provider {
		return nil, apierr.NotAuthorizedf("Invalid login token. Couldn't verify signed token.")
	}
	for _, known := range v.providers {
		if known == provider {
			return &identity.VerifiedLogin{Provider: provider, Subject: sub, AMR: provider + ":app:" + sub}, nil
		}
	}
	return nil, apierr.NotAuthorizedf(msgUnsupportedIdP)
}

// Peek claims what Verify would return for a well-formed token; the
// operations must still refuse a token that then fails to verify.
func (v tableVerifier) Peek(r identity.LoginRequest) (*identity.VerifiedLogin, bool) {
	p, sub, ok := strings.Cut(r.Token, "|")
	switch {
	case !ok:
		return nil, false
	case r.Provider == CognitoProvider && p == "cognito":
		return &identity.VerifiedLogin{Provider: r.Provider, IdentityID: sub}, true
	}
	return &identity.VerifiedLogin{Provider: r.Provider, Subject: sub}, true
}

type recordingIssuer struct {
	mu   sync.Mutex
	reqs []identity.TokenRequest
}

func (r *recordingIssuer) Issue(_ context.Context, req identity.TokenRequest) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return "token-for-" + req.IdentityID, nil
}

func (r *recordingIssuer) last() identity.TokenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

type recordingSTS struct {
	mu   sync.Mutex
	reqs []identity.AssumeRequest
	err  error
}

func (r *recordingSTS) AssumeRoleWithWebIdentity(_ context.Context, req identity.AssumeRequest) (*identity.Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	r.reqs = append(r.reqs, req)
	return &identity.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "session", Expiration: time.Unix(1700003600, 0)}, nil
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	store  storage.Store
	svc    *Service
	tokens *recordingIssuer
	sts    *recordingSTS
	// caller is the dev account in us-east-1.
	caller *auth.Caller
}

func newFixture(t *testing.T, limits Limits) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, ctx: ctx, store: st, tokens: &recordingIssuer{}, sts: &recordingSTS{}}
	f.svc = New(Config{
		Pages:  openPages(t, f.store),
		Store:  st,
		Tokens: f.tokens,
		Logins: tableVerifier{providers: []string{"graph.facebook.com", "accounts.google.com", "login.example.com"}},
		STS:    f.sts,
		Limits: limits,
	})
	f.caller = signed("000000000000", "us-east-1")
	return f
}

func signed(account, region string) *auth.Caller {
	return &auth.Caller{Principal: &auth.Principal{AccountID: account}, Region: region}
}

func anon() *auth.Caller { return &auth.Caller{} }

// pool creates a pool that allows guests and has a developer provider.
func (f *fixture) pool(name string, mutate ...func(*poolJSON)) *poolJSON {
	f.t.Helper()
	in := &poolJSON{IdentityPoolName: name, AllowUnauthenticatedIdentities: true, DeveloperProviderName: "login.dev",
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "app", "accounts.google.com": "client"}}
	for _, m := range mutate {
		m(in)
	}
	out, err := f.svc.CreateIdentityPool(f.ctx, f.caller, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) getID(poolID string, logins map[string]string) (string, error) {
	out, err := f.svc.GetId(f.ctx, anon(), &getIDInput{IdentityPoolId: poolID, Logins: logins})
	if err != nil {
		return "", err
	}
	return out.IdentityId, nil
}

func (f *fixture) mustGetID(poolID string, logins map[string]string) string {
	f.t.Helper()
	id, err := f.getID(poolID, logins)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) identity(id string) *storage.Identity {
	f.t.Helper()
	var ident *storage.Identity
	err := f.store.View(f.ctx, func(r storage.Reader) (err error) {
		ident, err = r.GetIdentity(id)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return ident
}

// wantErr fails unless err is an *apierr.Error with code and, when msg is
// not empty, exactly that message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.Code != code || (msg != "" && ae.Message != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.Code, ae.Message)
	}
}

// openPages opens the NextToken signer over st, as the server does at start-up.
func openPages(tb testing.TB, st storage.Store) *pagination.Signer {
	tb.Helper()
	p, err := pagination.Open(context.Background(), st)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
