package ops

import (
	"context"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// openIDTokenTTL: "The OpenID token is valid for 10 minutes."
const openIDTokenTTL = 10 * time.Minute

type getIDInput struct {
	AccountId      string
	IdentityPoolId string
	Logins         map[string]string
}

type identityIDOutput struct {
	IdentityId string
}

// GetId returns the identity of the presented logins, linking and merging
// as needed, or a new guest identity when there are none.
func (s *Service) GetId(ctx context.Context, c *auth.Caller, in *getIDInput) (*identityIDOutput, error) {
	c.Region = regionOf(in.IdentityPoolId)
	var pool *storage.Pool
	err := s.view(ctx, func(r storage.Reader) (err error) {
		pool, err = r.GetPool(in.IdentityPoolId)
		if isNotFound(err) || (err == nil && in.AccountId != "" && in.AccountId != pool.AccountID) {
			return poolNotFound(in.IdentityPoolId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	logins, err := s.verifyLogins(ctx, pool, in.Logins)
	if err != nil {
		return nil, err
	}
	newID, err := newIdentityID(pool.Region)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	res, err := s.link(ctx, linkRequest{pool: pool, logins: logins, newID: newID, now: s.now().UTC()})
	if err != nil {
		return nil, err
	}
	return &identityIDOutput{IdentityId: res.identity.ID}, nil
}

type getOpenIDTokenInput struct {
	IdentityId string
	Logins     map[string]string
}

type tokenOutput struct {
	IdentityId string
	Token      string
}

// GetOpenIdToken issues the basic (classic) flow's OpenID token.
func (s *Service) GetOpenIdToken(ctx context.Context, c *auth.Caller, in *getOpenIDTokenInput) (*tokenOutput, error) {
	c.Region = regionOf(in.IdentityId)
	pool, logins, err := s.publicLogins(ctx, in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	// Classic-flow checks (api-notes §4.2): an absent AllowClassicFlow
	// allows it, an explicit false refuses it; role mappings need the
	// enhanced flow.
	if pool.AllowClassicFlow != nil && !*pool.AllowClassicFlow {
		return nil, apierr.InvalidParameterf("Basic (classic) flow is not enabled, please use enhanced flow.")
	}
	if len(pool.RoleMappings) > 0 {
		return nil, apierr.InvalidParameterf("Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")
	}
	res, err := s.link(ctx, linkRequest{pool: pool, target: in.IdentityId, logins: logins, now: s.now().UTC()})
	if err != nil {
		return nil, err
	}
	token, err := s.issue(ctx, pool, res.identity, logins, nil, openIDTokenTTL, nil)
	if err != nil {
		return nil, err
	}
	return &tokenOutput{IdentityId: res.identity.ID, Token: token}, nil
}

// publicLogins reads the identity's pool and verifies the call's logins.
func (s *Service) publicLogins(ctx context.Context, identityID string, raw map[string]string) (*storage.Pool, []*identity.VerifiedLogin, error) {
	var pool *storage.Pool
	err := s.view(ctx, func(r storage.Reader) (err error) {
		_, pool, err = publicIdentity(r, identityID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	logins, err := s.verifyLogins(ctx, pool, raw)
	return pool, logins, err
}

// issue signs an OpenID token for ident: unauthenticated for a guest,
// authenticated with the presented logins otherwise.
func (s *Service) issue(ctx context.Context, pool *storage.Pool, ident *storage.Identity, logins []*identity.VerifiedLogin, dev *storage.Login, ttl time.Duration, tags map[string]string) (string, error) {
	if s.tokens == nil {
		return "", apierr.Internal(errNoIssuer)
	}
	amr := []string{"unauthenticated"}
	if ident.Authenticated {
		amr = authenticatedAMR(logins, dev, pool.ID)
	}
	token, err := s.tokens.Issue(ctx, identity.TokenRequest{
		PoolID:        pool.ID,
		PoolARN:       poolARN(pool),
		IdentityID:    ident.ID,
		AMR:           amr,
		TTL:           ttl,
		PrincipalTags: tags,
	})
	if err != nil {
		return "", apierr.As(err)
	}
	return token, nil
}

type unlinkIdentityInput struct {
	IdentityId     string
	Logins         map[string]string
	LoginsToRemove []string
}

// UnlinkIdentity removes logins of the providers in LoginsToRemove from an
// identity whose ownership the call proves with valid tokens of logins
// linked to it. Unlinked logins become new identities when next seen;
// removing the last one leaves the identity inaccessible (it stays
// authenticated, so it can't be used as a guest either).
func (s *Service) UnlinkIdentity(ctx context.Context, c *auth.Caller, in *unlinkIdentityInput) (*empty, error) {
	c.Region = regionOf(in.IdentityId)
	_, logins, err := s.publicLogins(ctx, in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx storage.Tx) error {
		ident, _, err := publicIdentity(tx, in.IdentityId)
		if err != nil {
			return err
		}
		if ident.Disabled {
			return forbidden(ident.ID)
		}
		if len(logins) == 0 {
			return forbidden(ident.ID)
		}
		for _, l := range logins {
			if l.IdentityID != "" {
				if l.IdentityID != ident.ID {
					return apierr.NotAuthorizedf(msgLoginsDontMatch)
				}
				continue
			}
			owner, err := tx.LoginOwner(ident.PoolID, l.Provider, l.Subject)
			if isNotFound(err) || (err == nil && owner != ident.ID) {
				return apierr.NotAuthorizedf(msgLoginsDontMatch)
			}
			if err != nil {
				return err
			}
		}
		var kept []storage.Login
		for _, l := range ident.Logins {
			if !containsString(in.LoginsToRemove, l.Provider) {
				kept = append(kept, l)
			}
		}
		if len(kept) == len(ident.Logins) {
			return nil
		}
		ident.Logins = kept
		ident.UpdatedAt = s.now().UTC()
		return tx.UpdateIdentity(ident)
	})
	return &empty{}, err
}

func containsString(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}
