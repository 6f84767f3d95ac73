package logins

import (
	"container/list"
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// Bounds of the cache of verified login tokens (per process).
const (
	// DefaultVerifiedTokens is how many verified tokens a node remembers.
	DefaultVerifiedTokens = 4096
	// maxVerifiedAge bounds how long one verification is reused, whatever
	// the token's exp.
	maxVerifiedAge = 15 * time.Minute
)

// Outcomes of a login token's signature check, for Observer.
const (
	SignatureVerified = "verified"
	SignatureCached   = "cached"
)

// Observer counts login tokens' signature checks by outcome
// (*metrics.Metrics is one).
type Observer interface {
	LoginSignatureChecked(outcome string)
}

// verifiedTokens remembers tokens whose signature this node verified, by
// the SHA-256 of the token (never the token): the claims their payload
// carries, the key set (and its generation) and the provider configuration
// (scope) they were verified under, until the token's exp or
// maxVerifiedAge. It memoises only the signature check and the parse:
// issuer, audience and times are checked on every call against the
// current configuration. Least recently used entries go first.
type verifiedTokens struct {
	max int

	mu    sync.Mutex
	order *list.List // of *verifiedToken, most recent first
	byKey map[[sha256.Size]byte]*list.Element
}

type verifiedToken struct {
	key   [sha256.Size]byte
	set   *remoteSet
	gen   uint64
	scope string
	until time.Time
	// claims are shared by every call that finds them: read only.
	claims claims
}

func newVerifiedTokens(max int) *verifiedTokens {
	return &verifiedTokens{max: max, order: list.New(), byKey: make(map[[sha256.Size]byte]*list.Element)}
}

// get returns the entry for key if it is still valid at now.
func (c *verifiedTokens) get(key [sha256.Size]byte, now time.Time) *verifiedToken {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil
	}
	e := el.Value.(*verifiedToken)
	if !now.Before(e.until) {
		c.order.Remove(el)
		delete(c.byKey, key)
		return nil
	}
	c.order.MoveToFront(el)
	return e
}

func (c *verifiedTokens) put(e *verifiedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[e.key]; ok {
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.byKey[e.key] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*verifiedToken).key)
	}
}

// len is the number of entries (for tests).
func (c *verifiedTokens) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// jwtLogin is one JWT login being verified: the token, its hash, and this
// node's earlier verification of it (nil when there is none).
type jwtLogin struct {
	token string
	key   [sha256.Size]byte
	seen  *verifiedToken
	// cached is set when the signature check was answered by seen.
	cached bool
}

// jwt starts the verification of token.
func (v *Verifier) jwt(token string) *jwtLogin {
	j := &jwtLogin{token: token, key: sha256.Sum256([]byte(token))}
	if v.verified != nil {
		j.seen = v.verified.get(j.key, v.now())
	}
	return j
}

// peek returns the token's claims unverified (peekClaims); a token this
// node verified before has the same bytes and so the same claims.
func (j *jwtLogin) peek() (claims, error) {
	if j.seen != nil {
		return j.seen.claims, nil
	}
	return peekClaims(j.token)
}

// signedClaims checks the token's signature with ks and returns its claims
// (verifiedClaims), or reuses this node's verification of the same token
// with the same key set generation under the same provider configuration
// (scope). Only a provider's remote key set is remembered; tokens of the
// test issuer are always checked.
func (v *Verifier) signedClaims(ctx context.Context, ks keySet, scope string, j *jwtLogin) (claims, error) {
	rs, remote := ks.(*remoteSet)
	if !remote || v.verified == nil {
		c, err := verifiedClaims(ctx, ks, j.token)
		if err == nil {
			v.signatureChecked(SignatureVerified)
		}
		return c, err
	}
	if e := j.seen; e != nil && e.set == rs && e.gen == rs.gen() && e.scope == scope {
		v.signatureChecked(SignatureCached)
		j.cached = true
		return e.claims, nil
	}
	payload, gen, err := rs.verify(ctx, j.token)
	c, err := payloadClaims(payload, err)
	if err != nil {
		return nil, err
	}
	v.signatureChecked(SignatureVerified)
	now := v.now()
	until := now.Add(maxVerifiedAge)
	if exp, ok := c.unix("exp"); ok && time.Unix(exp, 0).Before(until) {
		until = time.Unix(exp, 0)
	}
	if now.Before(until) {
		// gen is the reading whose key verified the token: once another
		// reading replaces it, the entry is never trusted again.
		v.verified.put(&verifiedToken{key: j.key, set: rs, gen: gen, scope: scope, until: until, claims: c})
	}
	return c, nil
}

// Observe sends the counts of signature checks to o from now on.
func (v *Verifier) Observe(o Observer) { v.observer.Store(&observerBox{o}) }

type observerBox struct{ Observer }

func (v *Verifier) signatureChecked(outcome string) {
	if b := v.observer.Load(); b != nil {
		b.LoginSignatureChecked(outcome)
	}
}
