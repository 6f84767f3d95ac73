package roles

import (
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// Keys and values of the pool configuration and token claims that role
// resolution reads.
const (
	// RoleAuthenticated and RoleUnauthenticated are the Roles map keys.
	RoleAuthenticated   = "authenticated"
	RoleUnauthenticated = "unauthenticated"

	// MappingToken and MappingRules are the RoleMapping types.
	MappingToken = "Token"
	MappingRules = "Rules"
	// AmbiguousAuthenticatedRole and AmbiguousDeny are the
	// AmbiguousRoleResolution values.
	AmbiguousAuthenticatedRole = "AuthenticatedRole"
	AmbiguousDeny              = "Deny"

	// DeveloperProvider is the Logins key of developer-authenticated
	// identities' own OpenID tokens.
	DeveloperProvider = identity.CognitoIdentity
	// SAMLRoleAttribute is the assertion attribute listing "roleArn,providerArn" pairs.
	SAMLRoleAttribute = "https://aws.amazon.com/SAML/Attributes/Role"

	claimRoles         = "cognito:roles"
	claimPreferredRole = "cognito:preferred_role"
)

// Resolve returns the role ARN for credentials (enhanced flow). logins is
// empty for guests. The first login (in the order given) that has a role
// mapping, or that is a SAML login carrying a role attribute, decides;
// otherwise the pool's default authenticated role applies. A non-empty
// customRoleARN must be one of the roles the deciding rule allows. Errors are
// *apierr.Error values with AWS's codes.
func Resolve(pool *storage.Pool, logins []*identity.VerifiedLogin, customRoleARN string) (string, error) {
	if len(logins) == 0 {
		return pick(pool.Roles[RoleUnauthenticated], customRoleARN)
	}
	for _, l := range logins {
		if l == nil || l.Provider == DeveloperProvider {
			continue
		}
		if m, ok := mappingFor(pool, l); ok {
			return resolveMapping(pool, m, l, customRoleARN)
		}
		if isSAML(l.Provider) {
			if cands := samlRoles(l); len(cands) > 0 {
				return chooseSAML(cands, customRoleARN)
			}
		}
	}
	return pick(pool.Roles[RoleAuthenticated], customRoleARN)
}

// pick returns the only candidate role, refusing a different custom role.
func pick(role, custom string) (string, error) {
	if role == "" {
		return "", errNoRole()
	}
	if custom != "" && custom != role {
		return "", errCustomRole(custom)
	}
	return role, nil
}

// mappingFor finds the login's RoleMapping: by its RoleMappingKey, else by
// the provider key it was sent under.
func mappingFor(pool *storage.Pool, l *identity.VerifiedLogin) (storage.RoleMapping, bool) {
	if l.RoleMappingKey != "" {
		if m, ok := pool.RoleMappings[l.RoleMappingKey]; ok {
			return m, true
		}
	}
	m, ok := pool.RoleMappings[l.Provider]
	return m, ok
}

func resolveMapping(pool *storage.Pool, m storage.RoleMapping, l *identity.VerifiedLogin, custom string) (string, error) {
	var cands []string
	var chosen string
	switch m.Type {
	case MappingToken:
		cands = claimStrings(l.Claims[claimRoles], true)
		if s, ok := l.Claims[claimPreferredRole].(string); ok && s != "" {
			chosen = s
		} else if len(cands) == 1 {
			// User pools always send the preferred role with the roles; a
			// single role is not ambiguous.
			chosen = cands[0]
		}
	case MappingRules:
		for _, r := range m.Rules {
			if ruleMatches(r, l.Claims) {
				cands = append(cands, r.RoleARN)
			}
		}
		if len(cands) > 0 {
			chosen = cands[0] // first match wins
		}
	default:
		return "", errNoRole()
	}
	if custom != "" {
		// CustomRoleArn overrides the order but must be allowed by the token
		// or a matching rule (role-based-access-control guide).
		if slices.Contains(cands, custom) || custom == chosen {
			return custom, nil
		}
		if len(cands) == 0 && m.AmbiguousRoleResolution == AmbiguousAuthenticatedRole {
			return pick(pool.Roles[RoleAuthenticated], custom)
		}
		return "", errCustomRole(custom)
	}
	if chosen != "" {
		return chosen, nil
	}
	if m.AmbiguousRoleResolution == AmbiguousAuthenticatedRole {
		return pick(pool.Roles[RoleAuthenticated], "")
	}
	return "", errDenied()
}

// isSAML reports whether a Logins key is a SAML provider ARN.
func isSAML(provider string) bool {
	return strings.HasPrefix(provider, "arn:") && strings.Contains(provider, ":saml-provider/")
}

// samlRoles returns the role ARNs of the assertion's Role attribute whose
// pair names this login's provider (or no provider). Each value is
// "roleArn,providerArn" in either order, as AWS STS accepts.
func samlRoles(l *identity.VerifiedLogin) []string {
	var out []string
	for _, v := range claimStrings(l.Claims[SAMLRoleAttribute], false) {
		var role, prov string
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			switch {
			case strings.Contains(part, ":role/"):
				role = part
			case strings.Contains(part, ":saml-provider/"):
				prov = part
			}
		}
		if role == "" || (prov != "" && prov != l.Provider) || slices.Contains(out, role) {
			continue
		}
		out = append(out, role)
	}
	return out
}

func chooseSAML(cands []string, custom string) (string, error) {
	if custom != "" {
		if slices.Contains(cands, custom) {
			return custom, nil
		}
		return "", errCustomRole(custom)
	}
	if len(cands) > 1 {
		return "", errSAMLChoose()
	}
	return cands[0], nil
}
