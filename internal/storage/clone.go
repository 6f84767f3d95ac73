package storage

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of p: a backend that hands out pools it keeps
// (a cache) gives each caller its own, so no caller's edit reaches another.
func (p *Pool) Clone() *Pool {
	c := *p
	if p.AllowClassicFlow != nil {
		v := *p.AllowClassicFlow
		c.AllowClassicFlow = &v
	}
	c.SupportedLoginProviders = maps.Clone(p.SupportedLoginProviders)
	c.OpenIDConnectProviderARNs = slices.Clone(p.OpenIDConnectProviderARNs)
	c.CognitoIdentityProviders = slices.Clone(p.CognitoIdentityProviders)
	c.SAMLProviderARNs = slices.Clone(p.SAMLProviderARNs)
	c.Tags = maps.Clone(p.Tags)
	c.Roles = maps.Clone(p.Roles)
	if p.RoleMappings != nil {
		c.RoleMappings = make(map[string]RoleMapping, len(p.RoleMappings))
		for k, m := range p.RoleMappings {
			m.Rules = slices.Clone(m.Rules)
			c.RoleMappings[k] = m
		}
	}
	if p.PrincipalTags != nil {
		c.PrincipalTags = make(map[string]PrincipalTagMap, len(p.PrincipalTags))
		for k, t := range p.PrincipalTags {
			t.Tags = maps.Clone(t.Tags)
			c.PrincipalTags[k] = t
		}
	}
	return &c
}

// Clone returns a deep copy of i, for the same reason as Pool.Clone.
func (i *Identity) Clone() *Identity {
	c := *i
	c.Logins = slices.Clone(i.Logins)
	return &c
}
