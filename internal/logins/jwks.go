package logins

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-jose/go-jose/v4"
)

// remoteSet is a provider's JSON Web Key Set: the keys of the last reading
// of its URL, read again (one fetch at a time) when a token's key is not
// among them, as go-oidc's RemoteKeySet does. It is written here rather
// than wrapping RemoteKeySet because the verified-token cache must know
// which reading verified a token: RemoteKeySet hands a fetched set to the
// callers waiting for it before its own cache holds it, so a key the
// provider had dropped could still verify, and be remembered, after the
// new set had been read.
type remoteSet struct {
	f   *fetcher
	url string

	cur atomic.Pointer[keyReading]

	mu       sync.Mutex
	inflight *keyFetch

	// afterLoad, set by tests, runs between reading the current keys and
	// checking a signature with them.
	afterLoad func()
	// parse reads a fetched document (parseKeySet; tests replace it).
	parse func([]byte) ([]jose.JSONWebKey, error)
}

// keyReading is one reading of a key set. gen changes whenever a reading
// brings a document other than the last one: a verification is reused only
// while the reading that made it is current.
type keyReading struct {
	gen  uint64
	sum  [sha256.Size]byte
	keys []jose.JSONWebKey
}

type keyFetch struct {
	done    chan struct{}
	reading *keyReading
	err     error
}

func newRemoteSet(f *fetcher, url string) *remoteSet {
	return &remoteSet{f: f, url: url, parse: parseKeySet}
}

// VerifySignature implements keySet.
func (s *remoteSet) VerifySignature(ctx context.Context, token string) ([]byte, error) {
	payload, _, err := s.verify(ctx, token)
	return payload, err
}

// gen is the generation of the current reading (0 before the first).
func (s *remoteSet) gen() uint64 {
	if r := s.cur.Load(); r != nil {
		return r.gen
	}
	return 0
}

// verify checks token's signature and returns its payload with the
// generation of the reading whose key verified it.
func (s *remoteSet) verify(ctx context.Context, token string) ([]byte, uint64, error) {
	jws, err := jose.ParseSigned(token, signingAlgs)
	if err != nil {
		return nil, 0, fmt.Errorf("malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, 0, errors.New("a login token carries exactly one signature")
	}
	seen := s.cur.Load()
	if s.afterLoad != nil {
		s.afterLoad()
	}
	if seen != nil {
		if payload, ok := seen.verify(jws); ok {
			return payload, seen.gen, nil
		}
	}
	r, err := s.refresh(ctx, seen)
	if err != nil {
		return nil, 0, fmt.Errorf("fetching keys: %w", err)
	}
	if payload, ok := r.verify(jws); ok {
		return payload, r.gen, nil
	}
	return nil, 0, errors.New("no key of the provider's key set verifies the token's signature")
}

// verify tries the keys with the token's kid (every key when it has none).
func (r *keyReading) verify(jws *jose.JSONWebSignature) ([]byte, bool) {
	kid := jws.Signatures[0].Header.KeyID
	for i := range r.keys {
		if kid == "" || r.keys[i].KeyID == kid {
			if payload, err := jws.Verify(&r.keys[i]); err == nil {
				return payload, true
			}
		}
	}
	return nil, false
}

// refresh returns a reading newer than seen: one stored since, the one
// under way, or a new one. A fetch runs on its own, bounded by the
// fetcher's timeout, so a caller that gives up does not fail the others;
// callers that missed the same reading share one fetch.
func (s *remoteSet) refresh(ctx context.Context, seen *keyReading) (*keyReading, error) {
	s.mu.Lock()
	if r := s.cur.Load(); r != seen {
		s.mu.Unlock()
		return r, nil
	}
	c := s.inflight
	if c == nil {
		c = &keyFetch{done: make(chan struct{})}
		s.inflight = c
		go s.fetch(c)
	}
	s.mu.Unlock()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return c.reading, c.err
	}
}

func (s *remoteSet) fetch(c *keyFetch) {
	// Whatever happens below, the waiters are released and the next miss
	// may fetch again; a panic (the document is the provider's) refuses
	// this reading instead of ending the process.
	var (
		body []byte
		keys []jose.JSONWebKey
		err  error
	)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("key set could not be read: %.200v", p)
		}
		s.mu.Lock()
		defer func() { s.mu.Unlock(); close(c.done) }()
		s.inflight = nil
		if err != nil {
			// The keys read before stay in use, as with RemoteKeySet.
			c.err = err
			return
		}
		sum := sha256.Sum256(body)
		r := s.cur.Load()
		if r == nil || r.sum != sum {
			r = &keyReading{gen: s.gen() + 1, sum: sum, keys: keys}
			s.cur.Store(r)
		}
		c.reading = r
	}()
	body, err = s.f.get(context.Background(), s.url, http.Header{
		"Accept":        {"application/jwk-set+json, application/json"},
		"Cache-Control": {"no-cache"},
	})
	if err == nil {
		keys, err = s.parse(body)
	}
}

// parseKeySet reads a JWKS document much as go-oidc does, a little
// stricter: keys naming an algorithm idpool does not accept (go-oidc keeps
// EdDSA), of a type go-jose does not know, or with no public half (oct)
// are skipped; a private key is kept as its public half; any other
// malformed key refuses the document. Errors quote the provider's values,
// so they are cut short.
func parseKeySet(body []byte) ([]jose.JSONWebKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("key set is not a JWKS document: %.200s", err)
	}
	keys := make([]jose.JSONWebKey, 0, len(doc.Keys))
	for _, raw := range doc.Keys {
		var meta struct {
			Alg string `json:"alg"`
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("key set holds a malformed key: %.200s", err)
		}
		if meta.Alg != "" && !slices.Contains(signingAlgs, jose.SignatureAlgorithm(meta.Alg)) {
			continue
		}
		var k jose.JSONWebKey
		if err := json.Unmarshal(raw, &k); err != nil {
			if errors.Is(err, jose.ErrUnsupportedKeyType) {
				continue
			}
			return nil, fmt.Errorf("key set holds a malformed key: %.200s", err)
		}
		if !k.IsPublic() {
			// A provider that published a private key by mistake: keep
			// only its public half.
			k = k.Public()
		}
		if k.Key == nil {
			continue
		}
		keys = append(keys, k)
	}
	return keys, nil
}
