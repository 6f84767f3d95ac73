package ops

import (
	"context"
	"slices"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	loginsvc "github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/storage"
)

// linkRequest is what a call presents for an identity: the identity it names
// (if any) and the logins it proved.
type linkRequest struct {
	pool *storage.Pool
	// target is the identity the call names; "" for GetId and for developer
	// users without an IdentityId.
	target string
	// targetRead is target as read earlier in the same transaction (nil
	// when it was not): the token calls read it to find the pool.
	targetRead *storage.Identity
	// logins are verified Logins entries; entries with IdentityID set are
	// tokens of this service and name an identity rather than a login.
	logins []*identity.VerifiedLogin
	// dev is the developer user of GetOpenIdTokenForDeveloperIdentity.
	dev *storage.Login
	// devExclusive refuses a developer user that is on another identity than
	// target (DeveloperUserAlreadyRegisteredException).
	devExclusive bool
	// newID is the id a new identity gets.
	newID string
	now   time.Time
}

// linkResult is the identity the call resolved to.
type linkResult struct {
	identity *storage.Identity
	created  bool
	// merged are the identities disabled by an implicit merge.
	merged []string
	// linked reports logins newly linked to the identity.
	linked bool
}

// linkTx resolves a call's logins to one identity inside tx: it returns
// the identity that owns them, links logins not yet linked, and merges
// identities when the logins belong to different ones. SAML assertions are
// recorded as used first (a replay fails the call). Run on a read pass
// (readOnlyTx), it decides without writing or reports that it must write.
//
// Merge rule (AWS leaves it undocumented, api-notes §4.8): an identity that
// already holds one of the presented logins becomes the owner (the oldest
// one if several: ids are time-ordered); the named identity and any other
// holder give it their logins and are disabled. The owner's id is returned,
// which is why GetOpenIdToken and GetCredentialsForIdentity return an
// IdentityId at all.
// linkReadOnly runs linkTx in a read transaction. needsWrite reports that
// linkTx tried to write; res and err are then to be ignored.
func (s *Service) linkReadOnly(ctx context.Context, req linkRequest) (res *linkResult, needsWrite bool, err error) {
	err = s.view(ctx, func(r storage.Reader) error {
		var lerr error
		res, lerr = s.linkTx(readOnlyTx{Reader: r, needsWrite: &needsWrite}, req)
		return lerr
	})
	return res, needsWrite, err
}

func (s *Service) linkTx(tx storage.Tx, req linkRequest) (*linkResult, error) {
	pool := req.pool
	for _, l := range req.logins {
		if l.Assertion != nil {
			if err := loginsvc.MarkAssertionUsed(tx, l.Assertion, req.now); err != nil {
				return nil, err
			}
		}
	}
	var stored []storage.Login
	var asserted []string
	for _, l := range req.logins {
		if l.IdentityID != "" {
			asserted = append(asserted, l.IdentityID)
			continue
		}
		stored = addLogin(stored, storage.Login{Provider: l.Provider, Subject: l.Subject})
	}
	if req.dev != nil {
		stored = addLogin(stored, *req.dev)
	}
	load := func(id string) (*storage.Identity, error) { return poolIdentity(tx, pool, id) }

	var target *storage.Identity
	var err error
	switch {
	case req.target == "":
	case req.targetRead != nil && req.targetRead.ID == req.target && req.targetRead.PoolID == pool.ID:
		target = req.targetRead
	default:
		if target, err = load(req.target); err != nil {
			return nil, err
		}
	}
	for _, id := range asserted {
		if target == nil {
			if target, err = load(id); err != nil {
				return nil, err
			}
		} else if id != target.ID {
			return nil, apierr.NotAuthorizedf(msgLoginsDontMatch)
		}
	}
	if target != nil && target.Disabled {
		return nil, forbidden(target.ID).Wrap(errIdentityDisabled)
	}

	// Find who holds each presented login.
	owners := map[string]*storage.Identity{}
	proved := len(asserted) > 0
	for _, l := range stored {
		owner, err := tx.LoginIdentity(pool.ID, l.Provider, l.Subject)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if owner.PoolID != pool.ID { // as poolIdentity: another pool's identity is not found
			return nil, identityNotFound(owner.ID)
		}
		ownerID := owner.ID
		if target != nil && ownerID == target.ID {
			proved = true
			continue
		}
		if req.devExclusive && target != nil && req.dev != nil && l == *req.dev {
			return nil, apierr.New(apierr.DeveloperUserAlreadyRegistered,
				"The provided developer user identifier is already registered with Cognito under a different identity ID.")
		}
		if owners[ownerID] == nil {
			owners[ownerID] = owner
		}
	}

	if target != nil {
		// An authenticated identity is only reachable with one of its own
		// logins (or a token this service issued to it).
		if target.Authenticated && !proved {
			if len(req.logins) == 0 && req.dev == nil {
				return nil, forbidden(target.ID).Wrap(errNotProved)
			}
			return nil, apierr.NotAuthorizedf(msgLoginsDontMatch).Wrap(errNotProved)
		}
		if !target.Authenticated && len(stored) == 0 {
			if !pool.AllowUnauthenticated {
				return nil, apierr.NotAuthorizedf(msgNoGuests).Wrap(errGuestsOff)
			}
			return &linkResult{identity: target}, nil
		}
	} else if len(stored) == 0 {
		// GetId without logins: a new guest identity every call.
		if !pool.AllowUnauthenticated {
			return nil, apierr.NotAuthorizedf(msgNoGuests).Wrap(errGuestsOff)
		}
		ident := &storage.Identity{ID: req.newID, PoolID: pool.ID, CreatedAt: req.now, UpdatedAt: req.now}
		return &linkResult{identity: ident, created: true}, tx.CreateIdentity(ident)
	}

	// Choose the owner.
	ownerIDs := make([]string, 0, len(owners))
	for id := range owners {
		ownerIDs = append(ownerIDs, id)
	}
	slices.Sort(ownerIDs)
	var winner *storage.Identity
	var losers []*storage.Identity
	created := false
	switch {
	case len(ownerIDs) > 0:
		winner = owners[ownerIDs[0]]
		for _, id := range ownerIDs[1:] {
			losers = append(losers, owners[id])
		}
		if target != nil {
			losers = append(losers, target)
		}
	case target != nil:
		winner = target
	default:
		winner = &storage.Identity{ID: req.newID, PoolID: pool.ID, CreatedAt: req.now}
		created = true
	}

	logins := slices.Clone(winner.Logins)
	for _, l := range losers {
		for _, lg := range l.Logins {
			logins = addLogin(logins, lg)
		}
	}
	for _, l := range stored {
		logins = addLogin(logins, l)
	}
	if err := s.checkLogins(pool, logins); err != nil {
		return nil, err
	}
	authenticated := winner.Authenticated || len(logins) > 0
	if !created && len(losers) == 0 && len(logins) == len(winner.Logins) && authenticated == winner.Authenticated {
		return &linkResult{identity: winner}, nil
	}
	res := &linkResult{created: created, linked: len(logins) > len(winner.Logins)}
	for _, l := range losers {
		l.Logins, l.Disabled, l.UpdatedAt = nil, true, req.now
		if err := tx.UpdateIdentity(l); err != nil {
			return nil, err
		}
		res.merged = append(res.merged, l.ID)
	}
	winner.Logins, winner.Authenticated, winner.UpdatedAt = logins, authenticated, req.now
	if created {
		err = tx.CreateIdentity(winner)
	} else {
		err = tx.UpdateIdentity(winner)
	}
	res.identity = winner
	return res, err
}

// checkLogins enforces what one identity may hold: one user per provider
// (AWS: "You may only link one login per public provider"; the developer
// provider may hold several user identifiers), and the linked-login limit.
func (s *Service) checkLogins(pool *storage.Pool, logins []storage.Login) error {
	seen := map[string]string{}
	for _, l := range logins {
		if l.Provider == pool.DeveloperProviderName {
			continue
		}
		if sub, ok := seen[l.Provider]; ok && sub != l.Subject {
			return apierr.Conflictf("Only one login per provider can be linked to an identity; '%s' is already linked for a different user.", l.Provider)
		}
		seen[l.Provider] = l.Subject
	}
	if len(logins) > s.limits.LoginsPerIdentity {
		return apierr.LimitExceededf("The number of linked logins is limited to %d.", s.limits.LoginsPerIdentity)
	}
	return nil
}

// addLogin appends l unless list holds it already.
func addLogin(list []storage.Login, l storage.Login) []storage.Login {
	if slices.Contains(list, l) {
		return list
	}
	return append(list, l)
}
