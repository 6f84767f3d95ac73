package ops

import (
	"context"
	"slices"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

type mappingRuleJSON struct {
	Claim, MatchType, Value, RoleARN string
}

type rulesConfigJSON struct {
	Rules []mappingRuleJSON
}

type roleMappingJSON struct {
	Type                    string
	AmbiguousRoleResolution string           `json:",omitempty"`
	RulesConfiguration      *rulesConfigJSON `json:",omitempty"`
}

type setRolesInput struct {
	IdentityPoolId string
	Roles          map[string]string
	RoleMappings   map[string]roleMappingJSON
}

type getRolesOutput struct {
	IdentityPoolId string
	Roles          map[string]string
	RoleMappings   map[string]roleMappingJSON `json:",omitempty"`
}

// SetIdentityPoolRoles replaces the pool's roles and role mappings.
func (s *Service) SetIdentityPoolRoles(ctx context.Context, c *auth.Caller, in *setRolesInput) (*empty, error) {
	for _, arn := range in.Roles {
		if !s.roleARNs.MatchString(arn) {
			return nil, apierr.InvalidParameterf("Invalid role ARN: '%s'.", arn)
		}
	}
	if len(in.RoleMappings) > s.limits.RoleMappingsPerPool {
		return nil, apierr.InvalidParameterf("Role mappings can be specified for at most %d identity providers.", s.limits.RoleMappingsPerPool)
	}
	mappings := map[string]storage.RoleMapping{}
	for key, m := range in.RoleMappings {
		rm, err := s.roleMapping(key, m)
		if err != nil {
			return nil, err
		}
		mappings[key] = rm
	}
	err := s.update(ctx, func(tx storage.Tx) error {
		p, err := callerPool(tx, c, in.IdentityPoolId)
		if err != nil {
			return err
		}
		for key := range mappings {
			if !configuredProvider(p, key) {
				return apierr.InvalidParameterf("%s is not a valid RoleMapping ProviderName or is not a configured provider.", key)
			}
		}
		p.Roles = nilIfEmpty(in.Roles)
		p.RoleMappings = nilIfEmpty(mappings)
		p.UpdatedAt = s.now().UTC()
		return tx.UpdatePool(p)
	})
	return &empty{}, err
}

func (s *Service) roleMapping(key string, m roleMappingJSON) (storage.RoleMapping, error) {
	rm := storage.RoleMapping{Type: m.Type, AmbiguousRoleResolution: m.AmbiguousRoleResolution}
	if m.AmbiguousRoleResolution == "" {
		return rm, apierr.InvalidParameterf("AmbiguousRoleResolution must be specified for RoleMapping '%s' of type %s.", key, m.Type)
	}
	if m.Type == "Rules" {
		if m.RulesConfiguration == nil || len(m.RulesConfiguration.Rules) == 0 {
			return rm, apierr.InvalidParameterf("RulesConfiguration must be specified for RoleMapping '%s' of type Rules.", key)
		}
		if n := len(m.RulesConfiguration.Rules); n > s.limits.RulesPerRoleMapping {
			return rm, apierr.InvalidParameterf("At most %d rules can be specified per identity provider; '%s' has %d.", s.limits.RulesPerRoleMapping, key, n)
		}
		for _, r := range m.RulesConfiguration.Rules {
			if !s.roleARNs.MatchString(r.RoleARN) {
				return rm, apierr.InvalidParameterf("Invalid role ARN: '%s'.", r.RoleARN)
			}
			rm.Rules = append(rm.Rules, storage.MappingRule(r))
		}
	}
	return rm, nil
}

// configuredProvider reports whether key names one of the pool's providers
// the way RoleMappings and principal tag maps name them: a social provider
// domain, "USERPOOL-PROVIDER:CLIENTID", an OIDC provider (its ARN or its
// host, the Logins key), or a SAML provider ARN.
func configuredProvider(p *storage.Pool, key string) bool {
	if _, ok := p.SupportedLoginProviders[key]; ok {
		return true
	}
	for _, cp := range p.CognitoIdentityProviders {
		if key == cp.ProviderName+":"+cp.ClientID {
			return true
		}
	}
	for _, arn := range p.OpenIDConnectProviderARNs {
		if key == arn {
			return true
		}
		if _, host, ok := iam.ParseProviderARN(arn, "oidc-provider"); ok && key == host {
			return true
		}
	}
	return slices.Contains(p.SAMLProviderARNs, key)
}

// GetIdentityPoolRoles returns the pool's roles and role mappings.
func (s *Service) GetIdentityPoolRoles(ctx context.Context, c *auth.Caller, in *poolIDInput) (*getRolesOutput, error) {
	p, err := s.readPool(ctx, c, in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	out := &getRolesOutput{IdentityPoolId: p.ID, Roles: map[string]string{}}
	for k, v := range p.Roles {
		out.Roles[k] = v
	}
	for key, m := range p.RoleMappings {
		if out.RoleMappings == nil {
			out.RoleMappings = map[string]roleMappingJSON{}
		}
		j := roleMappingJSON{Type: m.Type, AmbiguousRoleResolution: m.AmbiguousRoleResolution}
		if len(m.Rules) > 0 {
			j.RulesConfiguration = &rulesConfigJSON{}
			for _, r := range m.Rules {
				j.RulesConfiguration.Rules = append(j.RulesConfiguration.Rules, mappingRuleJSON(r))
			}
		}
		out.RoleMappings[key] = j
	}
	return out, nil
}

// principalTagProvider reports whether name is a provider of p that can have
// a principal tag map: any configured provider, a user pool named without its
// client id, or the developer provider.
func principalTagProvider(p *storage.Pool, name string) bool {
	if configuredProvider(p, name) || (name != "" && name == p.DeveloperProviderName) {
		return true
	}
	for _, cp := range p.CognitoIdentityProviders {
		if name == cp.ProviderName {
			return true
		}
	}
	return false
}
