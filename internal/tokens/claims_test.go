package tokens

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

// TestClaimsAreTheVerifiedToken: Claims returns exactly what verifying the
// token Issue signs for the same request returns, raw claims included,
// whatever the request holds (tags, characters JSON escapes, no pool ARN).
func TestClaimsAreTheVerifiedToken(t *testing.T) {
	clk := newClock()
	s := newService(t, Config{Now: clk.Now})
	ctx := context.Background()
	base := identity.TokenRequest{PoolID: "us-east-1:11111111-2222-3333-4444-555555555555",
		PoolARN:    "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/us-east-1:11111111-2222-3333-4444-555555555555",
		IdentityID: "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", AMR: []string{"unauthenticated"}, TTL: 15 * time.Minute}
	authed := base
	authed.AMR = []string{"authenticated", "accounts.google.com", "accounts.google.com:client:user-1"}
	tagged := authed
	tagged.PrincipalTags = map[string]string{"team": "blue", "name": "Zoë \"Z\" <z@example.com>", "dept": "r&d\\ops"}
	noARN := tagged
	noARN.PoolARN = ""
	for _, r := range []identity.TokenRequest{base, authed, tagged, noARN} {
		tok, err := s.Issue(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := s.VerifyOpenIDToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		local, err := s.Claims(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(signed, local) {
			t.Errorf("for %+v:\nverified token %+v\nclaims         %+v", r, signed, local)
		}
	}
	// The same bounds as Issue.
	bad := base
	bad.TTL = 0
	if _, err := s.Claims(ctx, bad); apierr.As(err).Code != apierr.InvalidParameter {
		t.Fatalf("TTL 0: %v", err)
	}
}
