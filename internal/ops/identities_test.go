package ops

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
)

func fb(sub string) map[string]string {
	return map[string]string{"graph.facebook.com": "graph.facebook.com|" + sub}
}

func TestGetIdGuestsAndLogins(t *testing.T) {
	f := newFixture(t, Limits{LoginsPerIdentity: 2})
	p := f.pool("p")
	g1, g2 := f.mustGetID(p.IdentityPoolId, nil), f.mustGetID(p.IdentityPoolId, nil)
	if g1 == g2 || !strings.HasPrefix(g1, "us-east-1:") {
		t.Fatalf("guests %s %s", g1, g2)
	}
	_, err := f.svc.GetId(f.ctx, anon(), &getIDInput{AccountId: "111111111111", IdentityPoolId: p.IdentityPoolId})
	wantErr(t, err, apierr.ResourceNotFound, "")
	_, err = f.getID("us-east-1:00000000-0000-0000-0000-000000000000", nil)
	wantErr(t, err, apierr.ResourceNotFound, "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.")

	a := f.mustGetID(p.IdentityPoolId, fb("alice"))
	if again := f.mustGetID(p.IdentityPoolId, fb("alice")); again != a {
		t.Fatalf("same login, new identity %s != %s", again, a)
	}
	// A bad token fails the whole call.
	_, err = f.getID(p.IdentityPoolId, map[string]string{"graph.facebook.com": "graph.facebook.com|alice", "accounts.google.com": "forged"})
	wantErr(t, err, apierr.NotAuthorized, "")
	// The developer provider is not a token provider.
	_, err = f.getID(p.IdentityPoolId, map[string]string{"login.dev": "bob"})
	wantErr(t, err, apierr.NotAuthorized, msgUnsupportedIdP)

	// Two logins in one call link them; a second user of a provider conflicts.
	both := map[string]string{"graph.facebook.com": "graph.facebook.com|alice", "accounts.google.com": "accounts.google.com|alice-g"}
	if id := f.mustGetID(p.IdentityPoolId, both); id != a {
		t.Fatalf("linked login resolved to %s", id)
	}
	if id := f.mustGetID(p.IdentityPoolId, map[string]string{"accounts.google.com": "accounts.google.com|alice-g"}); id != a {
		t.Fatal("google login not linked")
	}
	_, err = f.getID(p.IdentityPoolId, map[string]string{"graph.facebook.com": "graph.facebook.com|alice", "accounts.google.com": "accounts.google.com|mallory"})
	wantErr(t, err, apierr.ResourceConflict, "")
	// The limit of linked logins.
	_, err = f.getID(p.IdentityPoolId, map[string]string{"graph.facebook.com": "graph.facebook.com|alice", "login.example.com": "login.example.com|x"})
	wantErr(t, err, apierr.LimitExceeded, "")

	f.svc.UpdateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: "p"})
	_, err = f.getID(p.IdentityPoolId, nil)
	wantErr(t, err, apierr.NotAuthorized, msgNoGuests)
}

func TestImplicitMerge(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p")
	a := f.mustGetID(p.IdentityPoolId, fb("alice"))
	b := f.mustGetID(p.IdentityPoolId, map[string]string{"accounts.google.com": "accounts.google.com|alice-g"})
	// GetOpenIdToken on b with b's login plus a's login: the two merge; a
	// (the older holder of a presented login) owns everything, b is disabled.
	out, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: b, Logins: map[string]string{
		"graph.facebook.com": "graph.facebook.com|alice", "accounts.google.com": "accounts.google.com|alice-g"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.IdentityId != a {
		t.Fatalf("merge owner %s, want %s", out.IdentityId, a)
	}
	if ib := f.identity(b); !ib.Disabled || len(ib.Logins) != 0 {
		t.Fatalf("loser %+v", ib)
	}
	if ia := f.identity(a); len(ia.Logins) != 2 || ia.Disabled {
		t.Fatalf("owner %+v", ia)
	}
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: b, Logins: fb("alice")})
	wantErr(t, err, apierr.NotAuthorized, "Access to Identity '"+b+"' is forbidden.")
	hidden, _ := f.svc.ListIdentities(f.ctx, f.caller, &listIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: 60, HideDisabled: true})
	all, _ := f.svc.ListIdentities(f.ctx, f.caller, &listIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: 60})
	if len(hidden.Identities) != 1 || len(all.Identities) != 2 {
		t.Fatalf("HideDisabled: %d of %d", len(hidden.Identities), len(all.Identities))
	}

	// A guest that logs in with a login held elsewhere merges into the holder.
	g := f.mustGetID(p.IdentityPoolId, nil)
	res, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: g, Logins: fb("alice")})
	if err != nil || res.IdentityId != a || !f.identity(g).Disabled {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestGetOpenIdToken(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p")
	g := f.mustGetID(p.IdentityPoolId, nil)
	out, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: g})
	if err != nil || out.IdentityId != g || out.Token == "" {
		t.Fatalf("%+v %v", out, err)
	}
	req := f.tokens.last()
	if !slices.Equal(req.AMR, []string{"unauthenticated"}) || req.TTL.Minutes() != 10 || req.PoolID != p.IdentityPoolId ||
		req.PoolARN != "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/"+p.IdentityPoolId {
		t.Fatalf("token request %+v", req)
	}
	a := f.mustGetID(p.IdentityPoolId, fb("alice"))
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: a})
	wantErr(t, err, apierr.NotAuthorized, "Access to Identity '"+a+"' is forbidden.")
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: a, Logins: map[string]string{"accounts.google.com": "accounts.google.com|zed"}})
	wantErr(t, err, apierr.NotAuthorized, msgLoginsDontMatch)
	if _, err := f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: a, Logins: fb("alice")}); err != nil {
		t.Fatal(err)
	}
	if amr := f.tokens.last().AMR; !slices.Equal(amr, []string{"authenticated", "graph.facebook.com", "graph.facebook.com:app:alice"}) {
		t.Fatalf("amr %v", amr)
	}
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: "us-east-1:0190a000-0000-7000-8000-000000000000"})
	wantErr(t, err, apierr.ResourceNotFound, "Identity 'us-east-1:0190a000-0000-7000-8000-000000000000' not found.")

	// Classic flow switched off, then role mappings.
	no := false
	f.svc.UpdateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: "p", AllowUnauthenticatedIdentities: true, AllowClassicFlow: &no,
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "app"}})
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: g})
	wantErr(t, err, apierr.InvalidParameter, "Basic (classic) flow is not enabled, please use enhanced flow.")
	f.svc.UpdateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: "p", AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "app"}})
	f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{},
		RoleMappings: map[string]roleMappingJSON{"graph.facebook.com": {Type: "Token", AmbiguousRoleResolution: "Deny"}}})
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: g})
	wantErr(t, err, apierr.InvalidParameter, "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")
	// A guest of a pool that turned guests off is refused.
	f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{}})
	f.svc.UpdateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: "p"})
	_, err = f.svc.GetOpenIdToken(f.ctx, anon(), &getOpenIDTokenInput{IdentityId: g})
	wantErr(t, err, apierr.NotAuthorized, msgNoGuests)
}

func TestDeveloperIdentities(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p")
	dev := func(identityID, user string, extra map[string]string) (*tokenOutput, error) {
		logins := map[string]string{"login.dev": user}
		for k, v := range extra {
			logins[k] = v
		}
		return f.svc.GetOpenIdTokenForDeveloperIdentity(f.ctx, f.caller, &devTokenInput{IdentityPoolId: p.IdentityPoolId, IdentityId: identityID, Logins: logins, PrincipalTags: map[string]string{"team": "x"}})
	}
	u1, err := dev("", "user1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req := f.tokens.last()
	if !slices.Equal(req.AMR, []string{"authenticated", "login.dev", "login.dev:" + p.IdentityPoolId + ":user1"}) || req.TTL.Minutes() != 15 || req.PrincipalTags["team"] != "x" {
		t.Fatalf("dev token %+v", req)
	}
	if again, _ := dev("", "user1", nil); again.IdentityId != u1.IdentityId {
		t.Fatal("developer user got a second identity")
	}
	_, err = f.svc.GetOpenIdTokenForDeveloperIdentity(f.ctx, f.caller, &devTokenInput{IdentityPoolId: p.IdentityPoolId, Logins: map[string]string{"other.dev": "u"}})
	wantErr(t, err, apierr.InvalidParameter, msgNoDevProvider)
	_, err = f.svc.GetOpenIdTokenForDeveloperIdentity(f.ctx, signed("111111111111", "us-east-1"), &devTokenInput{IdentityPoolId: p.IdentityPoolId, Logins: map[string]string{"login.dev": "u"}})
	wantErr(t, err, apierr.ResourceNotFound, "")

	// A guest identity takes a developer user.
	g := f.mustGetID(p.IdentityPoolId, nil)
	u2, err := dev(g, "user2", nil)
	if err != nil || u2.IdentityId != g {
		t.Fatalf("%+v %v", u2, err)
	}
	_, err = dev(g, "user1", nil)
	wantErr(t, err, apierr.DeveloperUserAlreadyRegistered, "")

	look, err := f.svc.LookupDeveloperIdentity(f.ctx, f.caller, &lookupInput{IdentityPoolId: p.IdentityPoolId, DeveloperUserIdentifier: "user2"})
	if err != nil || look.IdentityId != g || !slices.Equal(look.DeveloperUserIdentifierList, []string{"user2"}) {
		t.Fatalf("%+v %v", look, err)
	}
	_, err = f.svc.LookupDeveloperIdentity(f.ctx, f.caller, &lookupInput{IdentityPoolId: p.IdentityPoolId, IdentityId: g, DeveloperUserIdentifier: "user1"})
	wantErr(t, err, apierr.ResourceConflict, "")

	// Merge user2's identity into user1's.
	m, err := f.svc.MergeDeveloperIdentities(f.ctx, f.caller, &mergeInput{SourceUserIdentifier: "user2", DestinationUserIdentifier: "user1", DeveloperProviderName: "login.dev", IdentityPoolId: p.IdentityPoolId})
	if err != nil || m.IdentityId != u1.IdentityId || !f.identity(g).Disabled {
		t.Fatalf("%+v %v", m, err)
	}
	for i := 3; i < 10; i++ {
		f.svc.MergeDeveloperIdentities(f.ctx, f.caller, &mergeInput{SourceUserIdentifier: "user" + string(rune('0'+i)), DestinationUserIdentifier: "user1", DeveloperProviderName: "login.dev", IdentityPoolId: p.IdentityPoolId})
	}
	var got []string
	token := ""
	for {
		look, err = f.svc.LookupDeveloperIdentity(f.ctx, f.caller, &lookupInput{IdentityPoolId: p.IdentityPoolId, IdentityId: u1.IdentityId, MaxResults: 4, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, look.DeveloperUserIdentifierList...)
		if token = look.NextToken; token == "" {
			break
		}
	}
	if len(got) != 9 || got[0] != "user1" || got[8] != "user9" {
		t.Fatalf("lookup pages %v", got)
	}

	_, err = f.svc.UnlinkDeveloperIdentity(f.ctx, f.caller, &unlinkDevInput{IdentityId: u1.IdentityId, IdentityPoolId: p.IdentityPoolId, DeveloperProviderName: "login.dev", DeveloperUserIdentifier: "user2"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UnlinkDeveloperIdentity(f.ctx, f.caller, &unlinkDevInput{IdentityId: u1.IdentityId, IdentityPoolId: p.IdentityPoolId, DeveloperProviderName: "login.dev", DeveloperUserIdentifier: "user2"})
	wantErr(t, err, apierr.ResourceConflict, "")
	// The unlinked user is new next time it is seen.
	if again, _ := dev("", "user2", nil); again.IdentityId == u1.IdentityId || again.IdentityId == g {
		t.Fatal("unlinked user still resolves to an old identity")
	}
}

func TestCredentials(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p")
	g := f.mustGetID(p.IdentityPoolId, nil)
	_, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: g})
	wantErr(t, err, apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)

	unauth, authRole := "arn:aws:iam::000000000000:role/Unauth", "arn:aws:iam::000000000000:role/Auth"
	f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"unauthenticated": unauth, "authenticated": authRole}})
	out, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: g})
	if err != nil || out.IdentityId != g || out.Credentials.AccessKeyId != "ASIAEXAMPLE" || out.Credentials.SecretKey != "secret" {
		t.Fatalf("%+v %v", out, err)
	}
	req := f.sts.reqs[len(f.sts.reqs)-1]
	if req.RoleARN != unauth || req.SessionName != "CognitoIdentityCredentials" || req.Duration.Hours() != 1 || req.AccountID != "000000000000" || req.WebIdentityToken != "token-for-"+g {
		t.Fatalf("assume %+v", req)
	}
	a := f.mustGetID(p.IdentityPoolId, fb("alice"))
	if _, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: a, Logins: fb("alice")}); err != nil {
		t.Fatal(err)
	}
	if req := f.sts.reqs[len(f.sts.reqs)-1]; req.RoleARN != authRole {
		t.Fatalf("role %s", req.RoleARN)
	}
	_, err = f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: a})
	wantErr(t, err, apierr.NotAuthorized, "Access to Identity '"+a+"' is forbidden.")
	// A developer token of this service (cognito-identity.amazonaws.com) for the identity.
	if _, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: a, Logins: map[string]string{CognitoProvider: "cognito|" + a}}); err != nil {
		t.Fatal(err)
	}
	if amr := f.tokens.last().AMR; !slices.Equal(amr, []string{"authenticated", "dev", "dev:x:y"}) {
		t.Fatalf("amr %v", amr)
	}
	_, err = f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: a, Logins: map[string]string{CognitoProvider: "cognito|" + g}})
	wantErr(t, err, apierr.NotAuthorized, msgLoginsDontMatch)

	f.sts.err = errors.New("trust policy denies")
	_, err = f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: g})
	wantErr(t, err, apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
	// An STS that gave no answer is a retryable server-side failure.
	f.sts.err = fmt.Errorf("%w: http://sts.example (timeout)", identity.ErrSTSUnavailable)
	_, err = f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: g})
	wantErr(t, err, apierr.InternalError, msgSTSUnavailable)
	if e := apierr.As(err); e.Status() != 500 || !errors.Is(err, identity.ErrSTSUnavailable) {
		t.Errorf("status %d, cause kept %v", e.Status(), errors.Is(err, identity.ErrSTSUnavailable))
	}
	f.svc.sts = nil
	_, err = f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: g})
	wantErr(t, err, apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
}

func TestListDescribeDeleteUnlink(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p")
	want := map[string]bool{}
	for i := 0; i < 130; i++ {
		want[f.mustGetID(p.IdentityPoolId, nil)] = true
	}
	seen := map[string]int{}
	token, pages := "", 0
	for {
		out, err := f.svc.ListIdentities(f.ctx, f.caller, &listIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: 7, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if pages == 3 {
			want[f.mustGetID(p.IdentityPoolId, nil)] = true // created while paging: comes at the end
		}
		for _, id := range out.Identities {
			seen[id.IdentityId]++
		}
		if token = out.NextToken; token == "" {
			break
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Fatalf("identity %s seen %d times", id, seen[id])
		}
	}
	if len(seen) != 131 || pages != 19 {
		t.Fatalf("%d identities in %d pages", len(seen), pages)
	}
	other := f.pool("other")
	first, _ := f.svc.ListIdentities(f.ctx, f.caller, &listIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: 7})
	_, err := f.svc.ListIdentities(f.ctx, f.caller, &listIdentitiesInput{IdentityPoolId: other.IdentityPoolId, MaxResults: 7, NextToken: first.NextToken})
	wantErr(t, err, apierr.InvalidParameter, "")

	a := f.mustGetID(p.IdentityPoolId, map[string]string{"graph.facebook.com": "graph.facebook.com|alice", "accounts.google.com": "accounts.google.com|alice-g"})
	d, err := f.svc.DescribeIdentity(f.ctx, f.caller, &identityIDInput{a})
	if err != nil || !slices.Equal(d.Logins, []string{"accounts.google.com", "graph.facebook.com"}) || d.CreationDate == nil {
		t.Fatalf("%+v %v", d, err)
	}
	_, err = f.svc.DescribeIdentity(f.ctx, signed("111111111111", "us-east-1"), &identityIDInput{a})
	wantErr(t, err, apierr.ResourceNotFound, "Identity '"+a+"' not found.")

	// UnlinkIdentity needs a valid login of the identity.
	_, err = f.svc.UnlinkIdentity(f.ctx, anon(), &unlinkIdentityInput{IdentityId: a, Logins: map[string]string{"login.example.com": "login.example.com|z"}, LoginsToRemove: []string{"graph.facebook.com"}})
	wantErr(t, err, apierr.NotAuthorized, msgLoginsDontMatch)
	if _, err := f.svc.UnlinkIdentity(f.ctx, anon(), &unlinkIdentityInput{IdentityId: a, Logins: fb("alice"), LoginsToRemove: []string{"graph.facebook.com"}}); err != nil {
		t.Fatal(err)
	}
	if nid := f.mustGetID(p.IdentityPoolId, fb("alice")); nid == a {
		t.Fatal("unlinked login still resolves to its old identity")
	}

	// DeleteIdentities: other accounts' ids are left alone and not revealed.
	del, err := f.svc.DeleteIdentities(f.ctx, signed("111111111111", "us-east-1"), &deleteIdentitiesInput{[]string{a}})
	if err != nil || len(del.UnprocessedIdentityIds) != 0 {
		t.Fatalf("%+v %v", del, err)
	}
	f.identity(a)
	if _, err := f.svc.DeleteIdentities(f.ctx, f.caller, &deleteIdentitiesInput{[]string{a, "us-east-1:0190a000-0000-7000-8000-000000000000"}}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.DescribeIdentity(f.ctx, f.caller, &identityIDInput{a})
	wantErr(t, err, apierr.ResourceNotFound, "")
	if id := f.mustGetID(p.IdentityPoolId, map[string]string{"accounts.google.com": "accounts.google.com|alice-g"}); id == a {
		t.Fatal("deleted identity came back")
	}
}
