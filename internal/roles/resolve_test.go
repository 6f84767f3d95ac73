package roles

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

const (
	authRole   = "arn:aws:iam::000000000000:role/Auth"
	unauthRole = "arn:aws:iam::000000000000:role/Unauth"
	adminRole  = "arn:aws:iam::000000000000:role/Admin"
	devRole    = "arn:aws:iam::000000000000:role/Dev"
	upKey      = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client1"
	upProvider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
	samlARN    = "arn:aws:iam::000000000000:saml-provider/Corp"
	oidcHost   = "login.example.com"
)

func basePool() *storage.Pool {
	return &storage.Pool{
		ID:    "us-east-1:11111111-1111-1111-1111-111111111111",
		Roles: map[string]string{RoleAuthenticated: authRole, RoleUnauthenticated: unauthRole},
	}
}

func withMapping(key string, m storage.RoleMapping) *storage.Pool {
	p := basePool()
	p.RoleMappings = map[string]storage.RoleMapping{key: m}
	return p
}

func userPoolLogin(claims map[string]any) *identity.VerifiedLogin {
	return &identity.VerifiedLogin{Provider: upProvider, Subject: "u1", RoleMappingKey: upKey, Claims: claims}
}

// jsonClaims decodes claims the way a token verifier hands them over.
func jsonClaims(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestResolve(t *testing.T) {
	tokenDeny := storage.RoleMapping{Type: MappingToken, AmbiguousRoleResolution: AmbiguousDeny}
	tokenAuth := storage.RoleMapping{Type: MappingToken, AmbiguousRoleResolution: AmbiguousAuthenticatedRole}
	rules := func(amb string, rs ...storage.MappingRule) storage.RoleMapping {
		return storage.RoleMapping{Type: MappingRules, AmbiguousRoleResolution: amb, Rules: rs}
	}
	rule := func(claim, mt, val, role string) storage.MappingRule {
		return storage.MappingRule{Claim: claim, MatchType: mt, Value: val, RoleARN: role}
	}
	noRoles := basePool()
	noRoles.Roles = nil

	tests := []struct {
		name     string
		pool     *storage.Pool
		logins   []*identity.VerifiedLogin
		custom   string
		want     string
		wantCode string
	}{
		{name: "guest gets unauthenticated role", pool: basePool(), want: unauthRole},
		{name: "guest without unauth role", pool: noRoles, wantCode: apierr.InvalidIdentityPoolConfiguration},
		{name: "guest custom equal to unauth role", pool: basePool(), custom: unauthRole, want: unauthRole},
		{name: "guest custom other role refused", pool: basePool(), custom: adminRole, wantCode: apierr.NotAuthorized},
		{name: "no mapping: default authenticated", pool: basePool(),
			logins: []*identity.VerifiedLogin{userPoolLogin(nil)}, want: authRole},
		{name: "no mapping, no auth role", pool: noRoles,
			logins: []*identity.VerifiedLogin{userPoolLogin(nil)}, wantCode: apierr.InvalidIdentityPoolConfiguration},
		{name: "no mapping: custom must be the auth role", pool: basePool(), custom: adminRole,
			logins: []*identity.VerifiedLogin{userPoolLogin(nil)}, wantCode: apierr.NotAuthorized},
		{name: "developer login gets default authenticated role even with mappings",
			pool:   withMapping(upKey, tokenDeny),
			logins: []*identity.VerifiedLogin{{Provider: DeveloperProvider, Subject: "x", IdentityID: "us-east-1:1"}}, want: authRole},

		// Token mappings.
		{name: "token preferred role", pool: withMapping(upKey, tokenDeny),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{
				claimRoles: []any{adminRole, devRole}, claimPreferredRole: devRole})}, want: devRole},
		{name: "token single role without preferred", pool: withMapping(upKey, tokenDeny),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{claimRoles: adminRole})}, want: adminRole},
		{name: "token custom in comma string", pool: withMapping(upKey, tokenDeny), custom: devRole,
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{
				claimRoles: adminRole + "," + devRole, claimPreferredRole: adminRole})}, want: devRole},
		{name: "token custom in JSON array", pool: withMapping(upKey, tokenDeny), custom: devRole,
			logins: []*identity.VerifiedLogin{userPoolLogin(jsonClaims(t,
				`{"cognito:roles":["`+adminRole+`","`+devRole+`"]}`))}, want: devRole},
		{name: "token custom not in roles refused", pool: withMapping(upKey, tokenAuth), custom: unauthRole,
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{
				claimRoles: []any{adminRole, devRole}, claimPreferredRole: adminRole})}, wantCode: apierr.NotAuthorized},
		{name: "token ambiguous deny", pool: withMapping(upKey, tokenDeny),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{
				claimRoles: []any{adminRole, devRole}})}, wantCode: apierr.NotAuthorized},
		{name: "token ambiguous authenticated role", pool: withMapping(upKey, tokenAuth),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{
				claimRoles: []any{adminRole, devRole}})}, want: authRole},
		{name: "token no roles claim, deny", pool: withMapping(upKey, tokenDeny),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "u1"})}, wantCode: apierr.NotAuthorized},
		{name: "token no roles claim, authenticated role", pool: withMapping(upKey, tokenAuth),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "u1"})}, want: authRole},
		{name: "token ambiguous auth role, custom = auth role", pool: withMapping(upKey, tokenAuth), custom: authRole,
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "u1"})}, want: authRole},
		{name: "mapping found by provider key", pool: withMapping(oidcHost, tokenDeny),
			logins: []*identity.VerifiedLogin{{Provider: oidcHost, Claims: map[string]any{claimPreferredRole: devRole}}}, want: devRole},

		// Rules mappings.
		{name: "rules equals", pool: withMapping(upKey, rules(AmbiguousDeny, rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "eng"})}, want: devRole},
		{name: "rules equals no match deny", pool: withMapping(upKey, rules(AmbiguousDeny, rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "engineering"})}, wantCode: apierr.NotAuthorized},
		{name: "rules no match authenticated role", pool: withMapping(upKey, rules(AmbiguousAuthenticatedRole, rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "ops"})}, want: authRole},
		{name: "rules contains substring", pool: withMapping(upKey, rules(AmbiguousDeny, rule("email", MatchContains, "@corp.", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"email": "a@corp.example"})}, want: devRole},
		{name: "rules contains array element", pool: withMapping(upKey, rules(AmbiguousDeny, rule("cognito:groups", MatchContains, "admins", adminRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(jsonClaims(t, `{"cognito:groups":["users","admins"]}`))}, want: adminRole},
		{name: "rules startswith", pool: withMapping(upKey, rules(AmbiguousDeny, rule("sub", MatchStartsWith, "emp-", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "emp-42"})}, want: devRole},
		{name: "rules startswith no match", pool: withMapping(upKey, rules(AmbiguousDeny, rule("sub", MatchStartsWith, "emp-", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "x-emp-42"})}, wantCode: apierr.NotAuthorized},
		{name: "rules notequal present and different", pool: withMapping(upKey, rules(AmbiguousDeny, rule("tier", MatchNotEqual, "free", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"tier": "paid"})}, want: devRole},
		{name: "rules notequal equal value", pool: withMapping(upKey, rules(AmbiguousDeny, rule("tier", MatchNotEqual, "free", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"tier": "free"})}, wantCode: apierr.NotAuthorized},
		{name: "rules notequal missing claim not evaluated", pool: withMapping(upKey, rules(AmbiguousDeny, rule("tier", MatchNotEqual, "free", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "u"})}, wantCode: apierr.NotAuthorized},
		{name: "rules number claim", pool: withMapping(upKey, rules(AmbiguousDeny, rule("level", MatchEquals, "3", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(jsonClaims(t, `{"level":3}`))}, want: devRole},
		{name: "rules bool claim", pool: withMapping(upKey, rules(AmbiguousDeny, rule("email_verified", MatchEquals, "true", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(jsonClaims(t, `{"email_verified":true}`))}, want: devRole},
		{name: "rules first match wins", pool: withMapping(upKey, rules(AmbiguousDeny,
			rule("dept", MatchStartsWith, "e", adminRole), rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "eng"})}, want: adminRole},
		{name: "rules custom picks a later matching rule", custom: devRole, pool: withMapping(upKey, rules(AmbiguousDeny,
			rule("dept", MatchStartsWith, "e", adminRole), rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "eng"})}, want: devRole},
		{name: "rules custom of a non-matching rule refused", custom: devRole, pool: withMapping(upKey, rules(AmbiguousDeny,
			rule("dept", MatchStartsWith, "e", adminRole), rule("dept", MatchEquals, "ops", devRole))),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "eng"})}, wantCode: apierr.NotAuthorized},
		{name: "unknown mapping type", pool: withMapping(upKey, storage.RoleMapping{Type: "Bogus"}),
			logins: []*identity.VerifiedLogin{userPoolLogin(nil)}, wantCode: apierr.InvalidIdentityPoolConfiguration},
		{name: "first login with a mapping decides", pool: withMapping(upKey, rules(AmbiguousDeny, rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{{Provider: oidcHost}, userPoolLogin(map[string]any{"dept": "eng"})}, want: devRole},

		// SAML.
		{name: "saml single role", pool: noRoles,
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{
				SAMLRoleAttribute: []any{adminRole + "," + samlARN}}}}, want: adminRole},
		{name: "saml provider,role order", pool: noRoles,
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{
				SAMLRoleAttribute: samlARN + "," + adminRole}}}, want: adminRole},
		{name: "saml several roles need custom", pool: basePool(),
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{
				SAMLRoleAttribute: []any{adminRole + "," + samlARN, devRole + "," + samlARN}}}}, wantCode: apierr.InvalidParameter},
		{name: "saml custom picks", pool: basePool(), custom: devRole,
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{
				SAMLRoleAttribute: []any{adminRole + "," + samlARN, devRole + "," + samlARN}}}}, want: devRole},
		{name: "saml custom not in assertion", pool: basePool(), custom: authRole,
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{
				SAMLRoleAttribute: []any{adminRole + "," + samlARN}}}}, wantCode: apierr.NotAuthorized},
		{name: "saml pair for another provider ignored", pool: basePool(),
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{
				SAMLRoleAttribute: []any{adminRole + ",arn:aws:iam::000000000000:saml-provider/Other"}}}}, want: authRole},
		{name: "saml without role attribute uses default", pool: basePool(),
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{}}}, want: authRole},
		{name: "saml with rules mapping", pool: withMapping(samlARN, rules(AmbiguousDeny, rule("dept", MatchEquals, "eng", devRole))),
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{"dept": []any{"eng"},
				SAMLRoleAttribute: []any{adminRole + "," + samlARN}}}}, want: devRole},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.pool, tc.logins, tc.custom)
			if tc.wantCode != "" {
				var ae *apierr.Error
				if !errors.As(err, &ae) || ae.Code != tc.wantCode {
					t.Fatalf("Resolve = %q, %v; want error %s", got, err, tc.wantCode)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Resolve = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestErrorTexts(t *testing.T) {
	_, err := Resolve(&storage.Pool{}, nil, "")
	if got := apierr.As(err).Message; got != "Invalid identity pool configuration. Check assigned IAM roles for this pool." {
		t.Errorf("no-role message = %q", got)
	}
	_, err = Resolve(withMapping(upKey, storage.RoleMapping{Type: MappingToken, AmbiguousRoleResolution: AmbiguousDeny}),
		[]*identity.VerifiedLogin{userPoolLogin(nil)}, "")
	if got := apierr.As(err).Message; got != "The ambiguous role mapping rules denied this request." {
		t.Errorf("deny message = %q", got)
	}
}
