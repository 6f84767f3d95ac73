package roles

import (
	"fmt"
	"testing"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// BenchmarkResolve measures role resolution for the shapes a
// GetCredentialsForIdentity meets: a guest, an authenticated login without
// mappings, a Token mapping, and Rules mappings whose matching rule is the
// last of 25 (AWS's limit), with principal tags from defaults.
func BenchmarkResolve(b *testing.B) {
	groups := make([]any, 0, 20)
	for i := range 20 {
		groups = append(groups, fmt.Sprintf("group-%d", i))
	}
	claims := map[string]any{"sub": "u1", "aud": "client1", "cognito:groups": groups,
		"cognito:roles": []any{adminRole}, "cognito:preferred_role": adminRole, "email": "u1@example.com"}
	rules := make([]storage.MappingRule, 0, 25)
	for i := range 24 {
		rules = append(rules, storage.MappingRule{Claim: "email", MatchType: "Equals", Value: fmt.Sprintf("x%d@example.com", i), RoleARN: devRole})
	}
	rules = append(rules, storage.MappingRule{Claim: "cognito:groups", MatchType: "Contains", Value: "group-19", RoleARN: adminRole})
	login := &identity.VerifiedLogin{Provider: upProvider, Subject: "u1", RoleMappingKey: upKey, Claims: claims}
	cases := []struct {
		name   string
		pool   *storage.Pool
		logins []*identity.VerifiedLogin
		want   string
	}{
		{"guest", basePool(), nil, unauthRole},
		{"authenticated", basePool(), []*identity.VerifiedLogin{login}, authRole},
		{"token-mapping", withMapping(upKey, storage.RoleMapping{Type: "Token", AmbiguousRoleResolution: "Deny"}),
			[]*identity.VerifiedLogin{login}, adminRole},
		{"rules-mapping-25", withMapping(upKey, storage.RoleMapping{Type: "Rules", AmbiguousRoleResolution: "Deny", Rules: rules}),
			[]*identity.VerifiedLogin{login}, adminRole},
	}
	for _, c := range cases {
		c.pool.PrincipalTags = map[string]storage.PrincipalTagMap{upKey: {UseDefaults: true}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := Resolve(c.pool, c.logins, "")
				if err != nil || got != c.want {
					b.Fatalf("Resolve = %q, %v; want %q", got, err, c.want)
				}
				_ = PrincipalTags(c.pool, c.logins)
			}
		})
	}
}
