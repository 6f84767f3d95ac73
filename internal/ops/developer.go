package ops

import (
	"context"
	"slices"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/storage"
)

// developerTokenTTL is TokenDuration's default: "If you don't provide an
// expiration time, the token is valid for 15 minutes."
const developerTokenTTL = 15 * time.Minute

type devTokenInput struct {
	IdentityPoolId string
	IdentityId     string
	Logins         map[string]string
	PrincipalTags  map[string]string
	TokenDuration  int64
}

// GetOpenIdTokenForDeveloperIdentity registers or finds a developer user
// (trusted: the caller signs with the pool owner's keys), links the other
// presented logins, and issues a token.
func (s *Service) GetOpenIdTokenForDeveloperIdentity(ctx context.Context, c *auth.Caller, in *devTokenInput) (*tokenOutput, error) {
	// The pool is read first, on its own, because the developer provider
	// it names decides which Logins entry is the trusted developer user.
	pool, err := s.readPool(ctx, c, in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if in.IdentityId != "" && regionOf(in.IdentityId) != pool.Region {
		return nil, identityNotFound(in.IdentityId)
	}
	user, ok := in.Logins[pool.DeveloperProviderName]
	if pool.DeveloperProviderName == "" || !ok {
		return nil, apierr.InvalidParameterf(msgNoDevProvider)
	}
	others := make(map[string]string, len(in.Logins))
	for k, v := range in.Logins {
		if k != pool.DeveloperProviderName {
			others[k] = v
		}
	}
	newID, err := newIdentityID(pool.Region)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	dev := &storage.Login{Provider: pool.DeveloperProviderName, Subject: user}
	res, err := s.resolve(ctx, resolveRequest{
		load: func(r storage.Reader) (*storage.Pool, *storage.Identity, error) {
			p, err := callerPool(r, c, in.IdentityPoolId)
			if err == nil && p.DeveloperProviderName != dev.Provider {
				return nil, nil, errPoolChanged // renamed since the first read
			}
			return p, nil, err
		},
		logins: others,
		link: linkRequest{
			target: in.IdentityId, dev: dev, devExclusive: in.IdentityId != "", newID: newID, now: s.now().UTC(),
		},
	})
	if err != nil {
		return nil, err
	}
	pool, logins := res.pool, res.logins
	ttl := time.Duration(s.lifetimes(pool.AccountID, pool.ID).DeveloperToken)
	if in.TokenDuration > 0 {
		ttl = time.Duration(in.TokenDuration) * time.Second
	}
	token, err := s.issue(ctx, pool, res.identity, logins, dev, ttl, in.PrincipalTags)
	if err != nil {
		return nil, err
	}
	return &tokenOutput{IdentityId: res.identity.ID, Token: token}, nil
}

type lookupInput struct {
	IdentityPoolId          string
	IdentityId              string
	DeveloperUserIdentifier string
	MaxResults              int
	NextToken               string
}

type lookupOutput struct {
	IdentityId                  string   `json:",omitempty"`
	DeveloperUserIdentifierList []string `json:",omitempty"`
	NextToken                   string   `json:",omitempty"`
}

// LookupDeveloperIdentity maps between an identity and its developer user
// identifiers (api-notes §4.9). Given both, they must match.
func (s *Service) LookupDeveloperIdentity(ctx context.Context, c *auth.Caller, in *lookupInput) (*lookupOutput, error) {
	if in.IdentityId == "" && in.DeveloperUserIdentifier == "" {
		return nil, apierr.InvalidParameterf("Either IdentityId or DeveloperUserIdentifier must be provided.")
	}
	out := &lookupOutput{IdentityId: in.IdentityId}
	var pool *storage.Pool
	err := s.view(ctx, func(r storage.Reader) (err error) {
		if pool, err = callerPool(r, c, in.IdentityPoolId); err != nil {
			return err
		}
		if in.IdentityId != "" {
			if _, err := poolIdentity(r, pool, in.IdentityId); err != nil {
				return err
			}
		}
		if in.DeveloperUserIdentifier == "" {
			return nil
		}
		owner, err := r.LoginOwner(pool.ID, pool.DeveloperProviderName, in.DeveloperUserIdentifier)
		if pool.DeveloperProviderName == "" || isNotFound(err) {
			if in.IdentityId != "" {
				return apierr.Conflictf("DeveloperUserIdentifier does not match IdentityId '%s'.", in.IdentityId)
			}
			return apierr.NotFoundf("DeveloperUserIdentifier '%s' not found.", in.DeveloperUserIdentifier)
		}
		if err != nil {
			return err
		}
		if in.IdentityId != "" && owner != in.IdentityId {
			return apierr.Conflictf("DeveloperUserIdentifier does not match IdentityId '%s'.", in.IdentityId)
		}
		out.IdentityId = owner
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.IdentityId != "" && in.DeveloperUserIdentifier != "" {
		// Both verified: the answer is the request.
		out.DeveloperUserIdentifierList = []string{in.DeveloperUserIdentifier}
		return out, nil
	}
	if pool.DeveloperProviderName == "" {
		return out, nil
	}
	// One was given: list the identity's developer user identifiers.
	scope := "LookupDeveloperIdentity\x00" + c.Account() + "\x00" + pool.ID + "\x00" + out.IdentityId
	after, err := s.cursor(scope, in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults)
	var subjects []string
	err = s.view(ctx, func(r storage.Reader) (err error) {
		subjects, err = r.ListLoginSubjects(out.IdentityId, pool.DeveloperProviderName, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(subjects) > limit {
		subjects = subjects[:limit]
		out.NextToken = s.pages.Encode(scope, subjects[limit-1])
	}
	out.DeveloperUserIdentifierList = subjects
	return out, nil
}

type mergeInput struct {
	SourceUserIdentifier      string
	DestinationUserIdentifier string
	DeveloperProviderName     string
	IdentityPoolId            string
}

// MergeDeveloperIdentities moves the source user's identity (all its logins)
// onto the destination user's identity and disables the source identity. A
// source user not yet on any identity is linked to the destination.
func (s *Service) MergeDeveloperIdentities(ctx context.Context, c *auth.Caller, in *mergeInput) (*identityIDOutput, error) {
	var destID string
	var merged bool
	err := s.update(ctx, func(tx storage.Tx) error {
		merged = false
		pool, err := callerPool(tx, c, in.IdentityPoolId)
		if err != nil {
			return err
		}
		if pool.DeveloperProviderName == "" || in.DeveloperProviderName != pool.DeveloperProviderName {
			return apierr.InvalidParameterf(msgNoDevProvider)
		}
		devLogin := func(user string) storage.Login {
			return storage.Login{Provider: pool.DeveloperProviderName, Subject: user}
		}
		dID, err := tx.LoginOwner(pool.ID, pool.DeveloperProviderName, in.DestinationUserIdentifier)
		if isNotFound(err) {
			return apierr.NotFoundf("DestinationUserIdentifier '%s' not found.", in.DestinationUserIdentifier)
		}
		if err != nil {
			return err
		}
		destID = dID
		dest, err := tx.GetIdentity(dID)
		if err != nil {
			return err
		}
		logins := slices.Clone(dest.Logins)
		sID, err := tx.LoginOwner(pool.ID, pool.DeveloperProviderName, in.SourceUserIdentifier)
		switch {
		case isNotFound(err):
			logins = addLogin(logins, devLogin(in.SourceUserIdentifier))
		case err != nil:
			return err
		case sID == dID:
			return nil
		default:
			src, err := tx.GetIdentity(sID)
			if err != nil {
				return err
			}
			for _, l := range src.Logins {
				logins = addLogin(logins, l)
			}
			if err := s.checkLogins(pool, logins); err != nil {
				return err
			}
			src.Logins, src.Disabled, src.UpdatedAt = nil, true, s.now().UTC()
			if err := tx.UpdateIdentity(src); err != nil {
				return err
			}
			merged = true
		}
		if err := s.checkLogins(pool, logins); err != nil {
			return err
		}
		dest.Logins, dest.Authenticated, dest.UpdatedAt = logins, true, s.now().UTC()
		return tx.UpdateIdentity(dest)
	})
	if err != nil {
		return nil, err
	}
	if merged {
		s.log.InfoContext(ctx, "developer identities merged", "pool", in.IdentityPoolId, "owner", destID)
	}
	return &identityIDOutput{IdentityId: destID}, nil
}

type unlinkDevInput struct {
	IdentityId              string
	IdentityPoolId          string
	DeveloperProviderName   string
	DeveloperUserIdentifier string
}

// UnlinkDeveloperIdentity removes a developer user from an identity.
func (s *Service) UnlinkDeveloperIdentity(ctx context.Context, c *auth.Caller, in *unlinkDevInput) (*empty, error) {
	err := s.update(ctx, func(tx storage.Tx) error {
		pool, err := callerPool(tx, c, in.IdentityPoolId)
		if err != nil {
			return err
		}
		if pool.DeveloperProviderName == "" || in.DeveloperProviderName != pool.DeveloperProviderName {
			return apierr.InvalidParameterf(msgNoDevProvider)
		}
		ident, err := poolIdentity(tx, pool, in.IdentityId)
		if err != nil {
			return err
		}
		target := storage.Login{Provider: pool.DeveloperProviderName, Subject: in.DeveloperUserIdentifier}
		var kept []storage.Login
		for _, l := range ident.Logins {
			if l != target {
				kept = append(kept, l)
			}
		}
		if len(kept) == len(ident.Logins) {
			return apierr.Conflictf("DeveloperUserIdentifier is not linked to identity '%s'.", ident.ID)
		}
		ident.Logins, ident.UpdatedAt = kept, s.now().UTC()
		return tx.UpdateIdentity(ident)
	})
	return &empty{}, err
}
