package ops

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/identity"
	loginsvc "github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
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
	newID, err := newIdentityID(c.Region)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	res, err := s.resolve(ctx, resolveRequest{
		load: func(r storage.Reader) (*storage.Pool, *storage.Identity, error) {
			pool, err := r.GetPool(in.IdentityPoolId)
			if isNotFound(err) || (err == nil && in.AccountId != "" && in.AccountId != pool.AccountID) {
				return nil, nil, poolNotFound(in.IdentityPoolId)
			}
			return pool, nil, err
		},
		logins: in.Logins,
		link:   linkRequest{newID: newID, now: s.now().UTC()},
	})
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
	res, err := s.resolve(ctx, resolveRequest{
		load:   identityPool(in.IdentityId),
		logins: in.Logins,
		// Classic-flow checks (api-notes §4.2): an absent AllowClassicFlow
		// allows it, an explicit false refuses it; role mappings need the
		// enhanced flow.
		check: func(pool *storage.Pool) error {
			if pool.AllowClassicFlow != nil && !*pool.AllowClassicFlow {
				return apierr.InvalidParameterf("Basic (classic) flow is not enabled, please use enhanced flow.")
			}
			if len(pool.RoleMappings) > 0 {
				return apierr.InvalidParameterf("Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")
			}
			return nil
		},
		link: linkRequest{target: in.IdentityId, now: s.now().UTC()},
	})
	if err != nil {
		return nil, err
	}
	// The pool's principal tags go into the token as in the enhanced
	// flow's: the https://aws.amazon.com/tags claim is what any STS reads
	// session tags from (AWS's own, Ceph RGW's), so the basic flow can use
	// them too. [inf] Whether AWS adds them to this token is unverified.
	var tags map[string]string
	if res.identity.Authenticated {
		tags = s.principalTags(res.pool, res.logins)
	}
	token, err := s.issue(ctx, res.pool, res.identity, res.logins, nil, time.Duration(s.lifetimes(res.pool.AccountID, res.pool.ID).OpenIdToken), tags)
	if err != nil {
		return nil, err
	}
	return &tokenOutput{IdentityId: res.identity.ID, Token: token}, nil
}

// identityPool loads the pool of identity id for an unsigned operation.
func identityPool(id string) func(storage.Reader) (*storage.Pool, *storage.Identity, error) {
	return func(r storage.Reader) (*storage.Pool, *storage.Identity, error) {
		ident, pool, err := publicIdentity(r, id)
		return pool, ident, err
	}
}

// issue signs an OpenID token for ident: unauthenticated for a guest,
// authenticated with the presented logins otherwise.
func (s *Service) issue(ctx context.Context, pool *storage.Pool, ident *storage.Identity, logins []*identity.VerifiedLogin, dev *storage.Login, ttl time.Duration, tags map[string]string) (string, error) {
	if s.tokens == nil {
		return "", apierr.Internal(errNoIssuer)
	}
	token, err := s.tokens.Issue(ctx, tokenRequest(pool, ident, logins, dev, ttl, tags))
	if err != nil {
		return "", apierr.As(err)
	}
	return token, nil
}

// tokenRequest is what an OpenID token for ident says: the one source of
// the claims of both the signed token (issue) and the in-process STS's
// (webIdentity).
func tokenRequest(pool *storage.Pool, ident *storage.Identity, logins []*identity.VerifiedLogin, dev *storage.Login, ttl time.Duration, tags map[string]string) identity.TokenRequest {
	amr := []string{"unauthenticated"}
	if ident.Authenticated {
		amr = authenticatedAMR(logins, dev, pool.ID)
	}
	return identity.TokenRequest{
		PoolID:        pool.ID,
		PoolARN:       poolARN(pool),
		IdentityID:    ident.ID,
		AMR:           amr,
		TTL:           ttl,
		PrincipalTags: tags,
	}
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
	var pool *storage.Pool
	var reqs []identity.LoginRequest
	err := s.view(ctx, func(r storage.Reader) (err error) {
		if _, pool, err = publicIdentity(r, in.IdentityId); err != nil {
			return err
		}
		reqs, err = readLogins(r, pool, in.Logins)
		return err
	})
	if err != nil {
		return nil, err
	}
	tr := trace.From(ctx)
	tracePool(tr, pool)
	tr.Identity(in.IdentityId)
	logins, err := s.verifyLogins(ctx, pool, reqs)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err = s.update(ctx, func(tx storage.Tx) error {
		ident, _, err := publicIdentity(tx, in.IdentityId)
		if err != nil {
			return err
		}
		if ident.Disabled {
			tr.Step(trace.PhaseIdentity, "disabled", trace.Fail, "The identity is disabled (a merge gave its logins to another identity).", "identityId", ident.ID)
			return forbidden(ident.ID)
		}
		if len(logins) == 0 {
			tr.Step(trace.PhaseIdentity, "logins", trace.Fail, "UnlinkIdentity needs a login of the identity to prove it is the caller's.", "identityId", ident.ID)
			return forbidden(ident.ID)
		}
		for _, l := range logins {
			if l.Assertion != nil {
				if err := loginsvc.MarkAssertionUsed(tx, l.Assertion, now); err != nil {
					return err
				}
			}
			if l.IdentityID != "" {
				if l.IdentityID != ident.ID {
					return apierr.NotAuthorizedf(msgLoginsDontMatch)
				}
				continue
			}
			owner, err := tx.LoginOwner(ident.PoolID, l.Provider, l.Subject)
			if isNotFound(err) || (err == nil && owner != ident.ID) {
				if tr.On() {
					tr.Step(trace.PhaseIdentity, "logins", trace.Fail, "The login '"+l.Provider+"' is not linked to this identity.", "identityId", ident.ID, "provider", l.Provider, "subject", l.Subject)
				}
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
		if tr.On() {
			tr.Step(trace.PhaseIdentity, "unlinked", trace.Pass, "The identity's logins of the providers to remove are unlinked.",
				"identityId", ident.ID, "removed", strconv.Itoa(len(ident.Logins)-len(kept)), "providers", strings.Join(in.LoginsToRemove, ","))
		}
		if len(kept) == len(ident.Logins) {
			return nil
		}
		ident.Logins = kept
		ident.UpdatedAt = now
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
