package roles

import (
	"slices"
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
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
	return ResolveTraced(nil, pool, logins, customRoleARN)
}

// ResolveTraced is Resolve recording each decision in tr (nil records
// nothing): the default role, each rule with the claim value it saw, the
// ambiguous resolution and the custom role.
func ResolveTraced(tr *trace.Recorder, pool *storage.Pool, logins []*identity.VerifiedLogin, customRoleARN string) (string, error) {
	if len(logins) == 0 {
		tr.Step(trace.PhaseRole, "default", trace.Info, "A guest gets the pool's unauthenticated role.", "role", pool.Roles[RoleUnauthenticated])
		return pick(tr, RoleUnauthenticated, pool.Roles[RoleUnauthenticated], customRoleARN)
	}
	for _, l := range logins {
		if l == nil || l.Provider == DeveloperProvider {
			continue
		}
		if m, ok := mappingFor(pool, l); ok {
			return resolveMapping(tr, pool, m, l, customRoleARN)
		}
		if isSAML(l.Provider) {
			if cands := samlRoles(l); len(cands) > 0 {
				tr.Step(trace.PhaseRole, "saml", trace.Info, "The SAML assertion names the roles.", "provider", l.Provider, "roles", strings.Join(cands, ","))
				return chooseSAML(tr, cands, customRoleARN)
			}
		}
	}
	if tr.On() {
		tr.Step(trace.PhaseRole, "default", trace.Info, "No login has a role mapping: the pool's authenticated role applies.", "role", pool.Roles[RoleAuthenticated])
	}
	return pick(tr, RoleAuthenticated, pool.Roles[RoleAuthenticated], customRoleARN)
}

// pick returns the only candidate role, refusing a different custom role.
func pick(tr *trace.Recorder, kind, role, custom string) (string, error) {
	if role == "" {
		if tr.On() {
			tr.Step(trace.PhaseRole, "roleSet", trace.Fail, "The pool has no "+kind+" role set (SetIdentityPoolRoles).", "roleKind", kind)
		}
		return "", errNoRole()
	}
	if custom != "" && custom != role {
		if tr.On() {
			tr.Step(trace.PhaseRole, "CustomRoleArn", trace.Fail, "CustomRoleArn is not the "+kind+" role, the only one this identity may have.", "customRoleArn", custom, "allowed", role)
		}
		return "", errCustomRole(custom)
	}
	if custom != "" {
		if tr.On() {
			tr.Step(trace.PhaseRole, "CustomRoleArn", trace.Pass, "CustomRoleArn is the "+kind+" role.", "customRoleArn", custom)
		}
	}
	if tr.On() {
		tr.Step(trace.PhaseRole, "chosen", trace.Pass, "The role is "+role+".", "role", role)
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

func resolveMapping(tr *trace.Recorder, pool *storage.Pool, m storage.RoleMapping, l *identity.VerifiedLogin, custom string) (string, error) {
	var cands []string
	var chosen string
	if tr.On() {
		tr.Step(trace.PhaseRole, "mapping", trace.Info, "The login's role mapping applies ("+m.Type+").",
			"provider", l.Provider, "roleMappingKey", l.RoleMappingKey, "type", m.Type, "AmbiguousRoleResolution", m.AmbiguousRoleResolution)
	}
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
		if tr.On() {
			pref, _ := l.Claims[claimPreferredRole].(string)
			res := trace.Pass
			if chosen == "" {
				res = trace.Info
			}
			tr.Step(trace.PhaseRole, "token", res, "The token's cognito:roles and cognito:preferred_role claims name the roles.",
				claimRoles, strings.Join(cands, ","), claimPreferredRole, pref)
		}
	case MappingRules:
		for i, r := range m.Rules {
			ok := ruleMatches(r, l.Claims)
			if ok {
				cands = append(cands, r.RoleARN)
			}
			if tr.On() {
				traceRule(tr, i, r, l.Claims, ok, len(cands) == 1 && ok)
			}
		}
		if len(cands) > 0 {
			chosen = cands[0] // first match wins
		}
	default:
		tr.Step(trace.PhaseRole, "mapping", trace.Fail, "The role mapping's type is neither Token nor Rules.", "type", m.Type)
		return "", errNoRole()
	}
	if custom != "" {
		// CustomRoleArn overrides the order but must be allowed by the token
		// or a matching rule (role-based-access-control guide).
		if slices.Contains(cands, custom) || custom == chosen {
			tr.Step(trace.PhaseRole, "CustomRoleArn", trace.Pass, "CustomRoleArn is one of the roles the mapping allows.", "customRoleArn", custom)
			return custom, nil
		}
		if len(cands) == 0 && m.AmbiguousRoleResolution == AmbiguousAuthenticatedRole {
			tr.Step(trace.PhaseRole, "AmbiguousRoleResolution", trace.Info, "No rule matched: AuthenticatedRole falls back to the pool's authenticated role.")
			return pick(tr, RoleAuthenticated, pool.Roles[RoleAuthenticated], custom)
		}
		if tr.On() {
			tr.Step(trace.PhaseRole, "CustomRoleArn", trace.Fail, "CustomRoleArn is not one of the roles the mapping allows.",
				"customRoleArn", custom, "allowed", strings.Join(cands, ","))
		}
		return "", errCustomRole(custom)
	}
	if chosen != "" {
		if tr.On() {
			tr.Step(trace.PhaseRole, "chosen", trace.Pass, "The role is "+chosen+".", "role", chosen)
		}
		return chosen, nil
	}
	if m.AmbiguousRoleResolution == AmbiguousAuthenticatedRole {
		tr.Step(trace.PhaseRole, "AmbiguousRoleResolution", trace.Info, "No role was decided: AuthenticatedRole falls back to the pool's authenticated role.")
		return pick(tr, RoleAuthenticated, pool.Roles[RoleAuthenticated], "")
	}
	tr.Step(trace.PhaseRole, "AmbiguousRoleResolution", trace.Fail, "No rule matched (or the token named no single role) and AmbiguousRoleResolution is Deny.",
		"AmbiguousRoleResolution", m.AmbiguousRoleResolution)
	return "", errDenied()
}

// traceRule records one Rules rule: the claim value it saw and whether it matched.
func traceRule(tr *trace.Recorder, i int, r storage.MappingRule, claims map[string]any, matched, first bool) {
	seen, present := "(absent)", false
	if v, ok := claims[r.Claim]; ok && v != nil {
		seen, present = strings.Join(claimStrings(v, false), ","), true
	}
	res, detail := trace.Info, "Rule "+strconv.Itoa(i+1)+" does not match: claim "+r.Claim+" "
	if !present {
		detail += "is absent."
	} else {
		detail += "is '" + seen + "', not " + r.MatchType + " '" + r.Value + "'."
	}
	if matched {
		res, detail = trace.Pass, "Rule "+strconv.Itoa(i+1)+" matches: claim "+r.Claim+" '"+seen+"' "+r.MatchType+" '"+r.Value+"'."
		if !first {
			detail += " An earlier rule matched first."
		}
	}
	tr.Step(trace.PhaseRole, "rule", res, detail, "rule", strconv.Itoa(i+1), "claim", r.Claim, "matchType", r.MatchType,
		"value", r.Value, "seen", seen, "roleArn", r.RoleARN, "matched", strconv.FormatBool(matched))
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

func chooseSAML(tr *trace.Recorder, cands []string, custom string) (string, error) {
	if custom != "" {
		if slices.Contains(cands, custom) {
			tr.Step(trace.PhaseRole, "CustomRoleArn", trace.Pass, "CustomRoleArn is one of the assertion's roles.", "customRoleArn", custom)
			return custom, nil
		}
		tr.Step(trace.PhaseRole, "CustomRoleArn", trace.Fail, "CustomRoleArn is not one of the assertion's roles.", "customRoleArn", custom)
		return "", errCustomRole(custom)
	}
	if len(cands) > 1 {
		tr.Step(trace.PhaseRole, "saml", trace.Fail, "The assertion names several roles and no CustomRoleArn chooses one.")
		return "", errSAMLChoose()
	}
	if tr.On() {
		tr.Step(trace.PhaseRole, "chosen", trace.Pass, "The role is "+cands[0]+".", "role", cands[0])
	}
	return cands[0], nil
}
