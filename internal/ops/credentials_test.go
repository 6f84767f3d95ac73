package ops

import (
	"context"
	"reflect"
	"testing"

	"github.com/idpool/idpool/internal/identity"
)

// claimsIssuer is a recordingIssuer that also hands out claims.
type claimsIssuer struct {
	recordingIssuer
	claims []identity.TokenRequest
}

func (c *claimsIssuer) Claims(_ context.Context, r identity.TokenRequest) (*identity.OpenIDClaims, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.claims = append(c.claims, r)
	return &identity.OpenIDClaims{Subject: r.IdentityID, Audience: r.PoolID, AMR: r.AMR}, nil
}

// localSTS is a recordingSTS in this process.
type localSTS struct{ recordingSTS }

func (*localSTS) InProcess() {}

// TestCredentialsInProcess: with an STS in this process the enhanced flow
// signs no token and hands over the claims of the very request a token
// would be signed for; with any other STS it sends a signed token.
func TestCredentialsInProcess(t *testing.T) {
	for _, local := range []bool{true, false} {
		f := newFixture(t, Limits{})
		iss := &claimsIssuer{}
		var vendor identity.CredentialVendor = &recordingSTS{}
		if local {
			vendor = &localSTS{}
		}
		cfg := Config{Store: f.store, Pages: openPages(t, f.store), Tokens: iss, STS: vendor,
			Logins: tableVerifier{providers: []string{"graph.facebook.com"}}}
		f.svc = New(cfg)
		p := f.pool("p")
		f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId,
			Roles: map[string]string{"authenticated": "arn:aws:iam::000000000000:role/Auth"}})
		a := f.mustGetID(p.IdentityPoolId, fb("alice"))
		if _, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: a, Logins: fb("alice")}); err != nil {
			t.Fatal(err)
		}
		var req identity.AssumeRequest
		if local {
			sts := vendor.(*localSTS)
			req = sts.reqs[0]
			if len(iss.reqs) != 0 || len(iss.claims) != 1 || req.WebIdentityToken != "" || req.Claims == nil || req.Claims.Subject != a {
				t.Fatalf("in process: %d tokens signed, %d claims, request %+v", len(iss.reqs), len(iss.claims), req)
			}
			// The claims are of the request GetOpenIdToken would sign for.
			if _, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: a, Logins: fb("alice")}); err != nil {
				t.Fatal(err)
			}
			want := iss.last()
			want.TTL = iss.claims[0].TTL
			if !reflect.DeepEqual(iss.claims[0], want) {
				t.Fatalf("claims of %+v, token of %+v", iss.claims[0], want)
			}
			continue
		}
		req = vendor.(*recordingSTS).reqs[0]
		if len(iss.claims) != 0 || req.Claims != nil || req.WebIdentityToken != "token-for-"+a {
			t.Fatalf("external: %d claims, request %+v", len(iss.claims), req)
		}
	}
}
