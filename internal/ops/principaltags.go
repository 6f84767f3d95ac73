package ops

import (
	"context"
	"maps"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/storage"
)

type principalTagsInput struct {
	IdentityPoolId       string
	IdentityProviderName string
	UseDefaults          *bool
	PrincipalTags        map[string]string
}

type principalTagsOutput struct {
	IdentityPoolId       string
	IdentityProviderName string
	UseDefaults          bool
	PrincipalTags        map[string]string
}

// SetPrincipalTagAttributeMap stores one provider's tag-to-claim map.
func (s *Service) SetPrincipalTagAttributeMap(ctx context.Context, c *auth.Caller, in *principalTagsInput) (*principalTagsOutput, error) {
	m := storage.PrincipalTagMap{UseDefaults: in.UseDefaults != nil && *in.UseDefaults, Tags: nilIfEmpty(in.PrincipalTags)}
	err := s.update(ctx, func(tx storage.Tx) error {
		p, err := callerPool(tx, c, in.IdentityPoolId)
		if err != nil {
			return err
		}
		if !principalTagProvider(p, in.IdentityProviderName) {
			return apierr.InvalidParameterf("%s is not a configured provider of this identity pool.", in.IdentityProviderName)
		}
		if p.PrincipalTags == nil {
			p.PrincipalTags = map[string]storage.PrincipalTagMap{}
		}
		if !m.UseDefaults && len(m.Tags) == 0 {
			delete(p.PrincipalTags, in.IdentityProviderName)
		} else {
			p.PrincipalTags[in.IdentityProviderName] = m
		}
		p.PrincipalTags = nilIfEmpty(p.PrincipalTags)
		p.UpdatedAt = s.now().UTC()
		return tx.UpdatePool(p)
	})
	if err != nil {
		return nil, err
	}
	return tagMapOut(in.IdentityPoolId, in.IdentityProviderName, m), nil
}

// GetPrincipalTagAttributeMap returns one provider's map. A configured
// provider that was never given one answers UseDefaults false and no tags
// (attributes for access control inactive), which is what the console shows
// for it; AWS's exact answer is not documented.
func (s *Service) GetPrincipalTagAttributeMap(ctx context.Context, c *auth.Caller, in *principalTagsInput) (*principalTagsOutput, error) {
	var m storage.PrincipalTagMap
	err := s.view(ctx, func(r storage.Reader) error {
		p, err := callerPool(r, c, in.IdentityPoolId)
		if err != nil {
			return err
		}
		if !principalTagProvider(p, in.IdentityProviderName) {
			return apierr.InvalidParameterf("%s is not a configured provider of this identity pool.", in.IdentityProviderName)
		}
		m = p.PrincipalTags[in.IdentityProviderName]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tagMapOut(in.IdentityPoolId, in.IdentityProviderName, m), nil
}

func tagMapOut(poolID, provider string, m storage.PrincipalTagMap) *principalTagsOutput {
	out := &principalTagsOutput{IdentityPoolId: poolID, IdentityProviderName: provider, UseDefaults: m.UseDefaults, PrincipalTags: maps.Clone(m.Tags)}
	if out.PrincipalTags == nil {
		out.PrincipalTags = map[string]string{}
	}
	return out
}
