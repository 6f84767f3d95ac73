package tokens

import (
	"context"
	"reflect"
	"testing"

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
	authed := sampleRequest()
	authed.PrincipalTags = nil
	base := authed
	base.AMR = []string{"unauthenticated"}
	tagged := sampleRequest()
	tagged.PrincipalTags["name"] = "Zoë \"Z\" <z@example.com>"
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
