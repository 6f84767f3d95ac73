package ops

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// resolveRequest is a call that resolves its Logins to an identity (GetId,
// GetOpenIdToken, GetCredentialsForIdentity, the developer flow).
type resolveRequest struct {
	// load reads the call's pool inside a transaction, checking that the
	// caller may use it and that the identity it names exists; it returns
	// that identity when it read it (else nil), so that the link in the same
	// transaction does not read it again.
	load func(r storage.Reader) (*storage.Pool, *storage.Identity, error)
	// logins are the call's Logins entries, still unverified.
	logins map[string]string
	// check runs after the logins verify and before the identity is used:
	// checks of the operation's own that AWS answers after the tokens'.
	check func(*storage.Pool) error
	// link is the rest of the link request (target, developer user, ids).
	link linkRequest
}

// resolved is the outcome: the pool, the verified logins and the identity.
type resolved struct {
	pool   *storage.Pool
	logins []*identity.VerifiedLogin
	*linkResult
}

// errPoolChanged ends a write whose pool's login configuration changed
// since the snapshot the logins were verified against; the call starts over.
var errPoolChanged = errors.New("ops: the pool changed during the call")

// resolve decides a call in one read snapshot where it can: the snapshot
// reads the pool, the IAM providers the logins need and, from what the
// tokens claim (peekLogins), the identity they resolve to. The tokens are
// then verified outside any transaction (keys may be fetched), and the
// snapshot's decision is used when verification confirms the claimed
// logins and nothing must be written. Otherwise the identity is decided
// again on the verified logins, in a read pass and then, when something
// must change, a write transaction that re-reads the pool.
func (s *Service) resolve(ctx context.Context, rq resolveRequest) (*resolved, error) {
	for attempt := 0; ; attempt++ {
		out, err := s.resolveOnce(ctx, rq)
		if !errors.Is(err, errPoolChanged) {
			traceResolved(trace.From(ctx), rq.link.target, out, err)
			return out, err
		}
		if attempt == 2 {
			return nil, apierr.New(apierr.ConcurrentModification, "The resource was modified concurrently. Please retry.").Wrap(err)
		}
	}
}

func (s *Service) resolveOnce(ctx context.Context, rq resolveRequest) (*resolved, error) {
	lr := rq.link
	if len(rq.logins) == 0 && lr.target == "" && lr.dev == nil {
		// A new guest: there is nothing to read first, so the write
		// transaction reads the pool itself.
		return s.linkWrite(ctx, rq, lr)
	}
	var (
		pool       *storage.Pool
		reqs       []identity.LoginRequest
		peeked     []*identity.VerifiedLogin
		decided    bool
		pre        *linkResult
		preErr     error
		needsWrite bool
	)
	err := s.view(ctx, func(r storage.Reader) (err error) {
		var target *storage.Identity
		if pool, target, err = rq.load(r); err != nil {
			return err
		}
		if reqs, err = readLogins(r, pool, rq.logins); err != nil {
			return err
		}
		if peeked, decided = s.peekLogins(pool, reqs); decided {
			dl := lr
			dl.pool, dl.logins, dl.targetRead = pool, peeked, target
			pre, preErr = s.linkTx(readOnlyTx{Reader: r, needsWrite: &needsWrite}, dl)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tracePool(trace.From(ctx), pool)
	logins, err := s.verifyLogins(ctx, pool, reqs)
	if err != nil {
		return nil, err
	}
	if rq.check != nil {
		if err := rq.check(pool); err != nil {
			return nil, err
		}
	}
	lr.pool, lr.logins = pool, logins
	confirmed := decided && sameLogins(peeked, logins)
	if confirmed && !needsWrite {
		if preErr != nil {
			return nil, storeErr(preErr)
		}
		return &resolved{pool: pool, logins: logins, linkResult: pre}, nil
	}
	if !confirmed {
		res, needsWrite, err := s.linkReadOnly(ctx, lr)
		if !needsWrite {
			if err != nil {
				return nil, err
			}
			return &resolved{pool: pool, logins: logins, linkResult: res}, nil
		}
	}
	return s.linkWrite(ctx, rq, lr)
}

// linkWrite decides and writes the identity in one write transaction that
// re-reads the pool: a pool whose login configuration changed since the
// logins were verified against it (lr.pool) starts the call over, so no
// write rests on a stale verification. Changes the verification does not
// read (name, roles, tags) do not: the write's decision uses its own pool.
func (s *Service) linkWrite(ctx context.Context, rq resolveRequest, lr linkRequest) (*resolved, error) {
	verifiedAgainst := lr.pool
	var res *linkResult
	err := s.update(ctx, func(tx storage.Tx) error {
		pool, target, err := rq.load(tx)
		if err != nil {
			return err
		}
		if verifiedAgainst != nil && !sameLoginConfig(pool, verifiedAgainst) {
			return errPoolChanged
		}
		if verifiedAgainst == nil {
			tracePool(trace.From(ctx), pool)
		}
		if verifiedAgainst == nil && rq.check != nil {
			if err := rq.check(pool); err != nil {
				return err
			}
		}
		wl := lr
		wl.pool, wl.targetRead = pool, target
		res, err = s.linkTx(tx, wl)
		if err == nil {
			lr.pool = pool
		}
		return err
	})
	if errors.Is(err, errPoolChanged) {
		return nil, errPoolChanged
	}
	if err != nil {
		return nil, err
	}
	if len(res.merged) > 0 {
		s.log.InfoContext(ctx, "identities merged", "pool", lr.pool.ID, "owner", res.identity.ID, "disabled", res.merged)
	}
	return &resolved{pool: lr.pool, logins: lr.logins, linkResult: res}, nil
}

// sameLoginConfig reports whether two reads of a pool agree on everything
// verifying a login reads.
func sameLoginConfig(a, b *storage.Pool) bool {
	return a.ID == b.ID && a.DeveloperProviderName == b.DeveloperProviderName &&
		maps.Equal(a.SupportedLoginProviders, b.SupportedLoginProviders) &&
		slices.Equal(a.OpenIDConnectProviderARNs, b.OpenIDConnectProviderARNs) &&
		slices.Equal(a.SAMLProviderARNs, b.SAMLProviderARNs) &&
		slices.Equal(a.CognitoIdentityProviders, b.CognitoIdentityProviders)
}
