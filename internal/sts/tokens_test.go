package sts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/idpool/idpool/internal/identity"
)

// testTokens is a real RS512 token issuer and verifier with its own key,
// standing in for package tokens: it checks signature, issuer and expiry as
// identity.TokenVerifier requires.
type testTokens struct {
	key    *rsa.PrivateKey
	issuer string
	now    func() time.Time
}

func newTestTokens(t *testing.T, issuer string, now func() time.Time) *testTokens {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &testTokens{key: k, issuer: issuer, now: now}
}

type tokenSpec struct {
	aud, sub string
	amr      []string
	ttl      time.Duration
	tags     map[string]string
	issuer   string // overrides the issuer
	// poolAccount is the account in the identity-pool-arn claim: account
	// when empty, no claim at all when "-".
	poolAccount string
}

const poolARNClaim = "https://cognito-identity.amazonaws.com/identity-pool-arn"

func (tt *testTokens) issue(t *testing.T, s tokenSpec) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS512, Key: tt.key}, (&jose.SignerOptions{}).WithType("JWS").WithHeader("kid", "us-east-11"))
	if err != nil {
		t.Fatal(err)
	}
	iss := tt.issuer
	if s.issuer != "" {
		iss = s.issuer
	}
	if s.ttl == 0 {
		s.ttl = 10 * time.Minute
	}
	now := tt.now()
	claims := map[string]any{
		"iss": iss, "aud": s.aud, "sub": s.sub, "amr": s.amr,
		"iat": now.Unix(), "exp": now.Add(s.ttl).Unix(),
	}
	switch s.poolAccount {
	case "-":
	case "":
		claims[poolARNClaim] = "arn:aws:cognito-identity:us-east-1:" + account + ":identitypool/" + s.aud
	default:
		claims[poolARNClaim] = "arn:aws:cognito-identity:us-east-1:" + s.poolAccount + ":identitypool/" + s.aud
	}
	if len(s.tags) > 0 {
		pt := map[string][]string{}
		for k, v := range s.tags {
			pt[k] = []string{v}
		}
		claims["https://aws.amazon.com/tags"] = map[string]any{"principal_tags": pt}
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// VerifyOpenIDToken implements identity.TokenVerifier.
func (tt *testTokens) VerifyOpenIDToken(_ context.Context, token string) (*identity.OpenIDClaims, error) {
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		return nil, err
	}
	var std jwt.Claims
	raw := map[string]any{}
	if err := parsed.Claims(&tt.key.PublicKey, &std, &raw); err != nil {
		return nil, err
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: tt.issuer, Time: tt.now()}, 0); err != nil {
		return nil, err
	}
	if len(std.Audience) != 1 {
		return nil, errors.New("want one audience")
	}
	var amr []string
	if list, ok := raw["amr"].([]any); ok {
		for _, a := range list {
			s, _ := a.(string)
			amr = append(amr, s)
		}
	}
	poolARN, _ := raw[poolARNClaim].(string)
	return &identity.OpenIDClaims{
		Issuer: std.Issuer, Audience: std.Audience[0], Subject: std.Subject, AMR: amr,
		IssuedAt: std.IssuedAt.Time(), Expiry: std.Expiry.Time(), Raw: raw, PoolARN: poolARN,
	}, nil
}
