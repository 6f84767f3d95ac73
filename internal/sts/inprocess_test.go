package sts_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/tokens"
)

// inProcessEnv is the embedded STS over package tokens, the real issuer:
// the enhanced flow's two ways to it, a signed token or the same token's
// claims in process.
type inProcessEnv struct {
	sts    *sts.Service
	tokens *tokens.Service
}

func newInProcessEnv(t *testing.T, now func() time.Time) *inProcessEnv {
	t.Helper()
	store := openStore(t)
	tok, err := tokens.New(context.Background(), tokens.Config{Store: store, Issuer: issuer, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := sts.New(context.Background(), sts.Config{Store: store, Tokens: tok, Issuer: issuer, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return &inProcessEnv{sts: svc, tokens: tok}
}

// outcome is what a client can learn from one AssumeRoleWithWebIdentity:
// the error code and message, or the session its credentials carry.
type outcome struct {
	Code, Message string
	Session       *auth.Session
	ARN           string
}

func (e *inProcessEnv) assume(t *testing.T, req identity.AssumeRequest, tr identity.TokenRequest, signed bool) outcome {
	t.Helper()
	ctx := context.Background()
	if signed {
		tok, err := e.tokens.Issue(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		req.WebIdentityToken = tok
	} else {
		c, err := e.tokens.Claims(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		req.Claims = c
	}
	creds, err := e.sts.AssumeRoleWithWebIdentity(ctx, req)
	if err != nil {
		ae := apierr.AsIn(apierr.Query, err)
		return outcome{Code: ae.Code, Message: ae.Message}
	}
	p, _, err := e.sts.Keyring().Lookup(ctx, creds.AccessKeyID, creds.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	return outcome{Session: p.Session, ARN: p.ARN}
}

// TestInProcessClaimsMatchSignedToken: for guests, authenticated identities
// with and without principal tags, and pools a role does or does not trust,
// the embedded STS gives the same answer to the enhanced flow's in-process
// claims as to the signed token they come from: the same refusals (aud,
// amr, sts:TagSession, aws:RequestTag conditions), or a session with the
// same role, session name, tags, subject, audience, issuer and expiry.
func TestInProcessClaimsMatchSignedToken(t *testing.T) {
	clk := &clock{t: time.Now().Truncate(time.Second)}
	e := newInProcessEnv(t, clk.Now)
	tagTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},
"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `",
"aws:RequestTag/team":"blue"}}}]}`
	subTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},
"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:sub":"` + ident + `"}}}]}`
	roles := map[string]string{
		"Auth":      trustPolicy("authenticated"),
		"Guest":     trustPolicy("unauthenticated"),
		"Tagged":    trustPolicy("authenticated", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"),
		"BlueTeam":  tagTrust,
		"OneSub":    subTrust,
		"Provider":  trustPolicy("accounts.example.com:client:*"),
		"OtherPool": trustPolicyFor("us-east-1:99999999-2222-3333-4444-555555555555", "authenticated"),
	}
	poolARN := "arn:aws:cognito-identity:us-east-1:" + account + ":identitypool/" + pool
	guest := identity.TokenRequest{PoolID: pool, PoolARN: poolARN, IdentityID: ident, AMR: []string{"unauthenticated"}, TTL: 15 * time.Minute}
	authAMR := []string{"authenticated", "accounts.example.com", "accounts.example.com:client:user-1"}
	authed := identity.TokenRequest{PoolID: pool, PoolARN: poolARN, IdentityID: ident, AMR: authAMR, TTL: 15 * time.Minute}
	blue := authed
	blue.PrincipalTags = map[string]string{"team": "blue", "email": "a@example.com"}
	red := authed
	red.PrincipalTags = map[string]string{"team": "red"}
	other := authed
	other.PoolID, other.IdentityID = "us-east-1:99999999-2222-3333-4444-555555555555", "us-east-1:bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"
	noARN := authed
	noARN.PoolARN = ""

	var sessions, refusals int
	for _, tr := range []identity.TokenRequest{guest, authed, blue, red, other, noARN} {
		for name, trust := range roles {
			role := &iam.Role{AccountID: account, RoleName: name, RoleID: "AROA" + name, Path: "/", MaxSessionDuration: 3600,
				AssumeRolePolicyDocument: trust}
			req := identity.AssumeRequest{AccountID: account, RoleARN: role.ARN(), SessionName: sts.EnhancedFlowSessionName,
				Duration: time.Hour, Tags: tr.PrincipalTags, Role: role}
			signed := e.assume(t, req, tr, true)
			local := e.assume(t, req, tr, false)
			if !reflect.DeepEqual(signed, local) {
				t.Errorf("%s for %v %v: signed token %+v, in process %+v", name, tr.AMR, tr.PrincipalTags, signed, local)
			}
			if signed.Session != nil {
				sessions++
				if signed.Session.Expiration != clk.Now().Add(time.Hour).UTC() {
					t.Errorf("expiry %v", signed.Session.Expiration)
				}
			} else {
				refusals++
			}
		}
	}
	// Both kinds of outcome were compared.
	if sessions < 5 || refusals < 10 {
		t.Fatalf("%d sessions, %d refusals compared", sessions, refusals)
	}

	// Claims of another issuer never stand for a token.
	c, err := e.tokens.Claims(context.Background(), authed)
	if err != nil {
		t.Fatal(err)
	}
	c.Issuer = "https://evil.example.com"
	_, err = e.sts.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{RoleARN: roleARN("Auth"), Claims: c,
		Role: &iam.Role{AccountID: account, RoleName: "Auth", Path: "/", MaxSessionDuration: 3600, AssumeRolePolicyDocument: roles["Auth"]}})
	if ae := apierr.AsIn(apierr.Query, err); ae.Code != "InvalidIdentityToken" {
		t.Fatalf("claims of another issuer: %v", err)
	}
}

func trustPolicyFor(poolID, amr string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},
"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + poolID + `"},
"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"` + amr + `"}}}]}`
}

// BenchmarkEnhancedFlowSTS is the enhanced flow's token-to-credentials step:
// a signed token (Issue, then the STS verifies it) against its claims in
// process (Claims, no RSA operation).
func BenchmarkEnhancedFlowSTS(b *testing.B) {
	for _, signed := range []bool{true, false} {
		name := "in-process"
		if signed {
			name = "signed"
		}
		b.Run(name, func(b *testing.B) {
			store := openStore(b)
			tok, err := tokens.New(context.Background(), tokens.Config{Store: store, Issuer: issuer})
			if err != nil {
				b.Fatal(err)
			}
			svc, err := sts.New(context.Background(), sts.Config{Store: store, Tokens: tok, Issuer: issuer})
			if err != nil {
				b.Fatal(err)
			}
			role := &iam.Role{AccountID: account, RoleName: "Auth", RoleID: "AROAAUTH", Path: "/", MaxSessionDuration: 3600,
				AssumeRolePolicyDocument: trustPolicy("authenticated", "sts:AssumeRoleWithWebIdentity", "sts:TagSession")}
			tr := identity.TokenRequest{PoolID: pool, IdentityID: ident, AMR: []string{"authenticated", "accounts.example.com", "accounts.example.com:app:u"},
				TTL: 15 * time.Minute, PrincipalTags: map[string]string{"team": "blue"}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				req := identity.AssumeRequest{AccountID: account, RoleARN: role.ARN(), SessionName: sts.EnhancedFlowSessionName,
					Duration: time.Hour, Tags: tr.PrincipalTags, Role: role}
				if signed {
					req.WebIdentityToken, err = tok.Issue(ctx, tr)
				} else {
					req.Claims, err = tok.Claims(ctx, tr)
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := svc.AssumeRoleWithWebIdentity(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
