package logins

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// countChecks is an Observer.
type countChecks struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countChecks) LoginSignatureChecked(outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[outcome]++
}

func (c *countChecks) get() (verified, cached int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[SignatureVerified], c.n[SignatureCached]
}

// movableClock is a test clock that moves forward.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type cacheEnv struct {
	p     *idp
	st    storage.Store
	pool  *storage.Pool
	v     *testVerifier
	obs   *countChecks
	clock *movableClock
}

func newCacheEnv(t testing.TB, mod func(*Config)) *cacheEnv {
	t.Helper()
	p := newIDP(t)
	st, pool := oidcSetup(t, p, "client-a")
	e := &cacheEnv{p: p, st: st, pool: pool, obs: &countChecks{}, clock: &movableClock{t: testNow}}
	e.v = newVerifier(st, p.srv.Client(), func(c *Config) {
		c.Now = e.clock.now
		// No allowance: a token is refused from its exp second on.
		c.Skew = time.Millisecond
		if mod != nil {
			mod(c)
		}
	})
	e.v.now = e.clock.now
	e.v.Observe(e.obs)
	return e
}

func (e *cacheEnv) verify(tok string) error {
	_, err := e.v.Verify(context.Background(), e.pool, e.p.host(), tok)
	return err
}

// warm verifies tok until this node answers it from its cache (the first
// check fetches the key set, which makes that check's entry stale).
func (e *cacheEnv) warm(t *testing.T, tok string) {
	t.Helper()
	_, before := e.obs.get()
	for i := 0; i < 3; i++ {
		if err := e.verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, cached := e.obs.get(); cached == before {
		t.Fatal("the token was never answered from the cache")
	}
}

func TestVerifiedTokenCached(t *testing.T) {
	e := newCacheEnv(t, nil)
	tok := e.p.token(t, "k1", map[string]any{"sub": "user-1", "aud": "client-a"})
	e.warm(t, tok)
	verified, cached := e.obs.get()
	for i := 0; i < 5; i++ {
		if err := e.verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if v, c := e.obs.get(); v != verified || c != cached+5 {
		t.Fatalf("verified %d -> %d, cached %d -> %d: want five cached checks", verified, v, cached, c)
	}
	// The login says so (for traces).
	if l, err := e.v.Verify(context.Background(), e.pool, e.p.host(), tok); err != nil || !l.SignatureCached {
		t.Fatalf("cached login: %+v, %v", l, err)
	}
	first := e.p.token(t, "k1", map[string]any{"sub": "user-9", "aud": "client-a"})
	if l, err := e.v.Verify(context.Background(), e.pool, e.p.host(), first); err != nil || l.SignatureCached {
		t.Fatalf("first login: %+v, %v", l, err)
	}
	if strings.Contains(strings.Join(cacheKeys(e.v.verified), ""), tok) {
		t.Fatal("the cache holds the token")
	}

	// The pool's current configuration is checked on every call: another
	// pool without the provider, another client list.
	_, err := e.v.Verify(context.Background(), &storage.Pool{ID: e.pool.ID}, e.p.host(), tok)
	wantRefused(t, err, msgUnsupported)
	var doc *iam.OIDCProvider
	if err := e.st.View(context.Background(), func(r storage.Reader) (err error) {
		doc, err = iam.OIDCProviderByARN(r, iam.OIDCProviderARN(testAccount, e.p.host()))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other := *doc
	other.ClientIDList = []string{"client-b"}
	_, err = e.v.Verifier.Verify(context.Background(), identity.LoginRequest{Pool: e.pool, Provider: e.p.host(), Token: tok, OIDC: &other})
	wantRefused(t, err, msgAudience)

	// A bounded cache: the least recently used token goes.
	small := newVerifiedTokens(2)
	for i := byte(0); i < 3; i++ {
		small.put(&verifiedToken{key: [32]byte{i}, until: testNow.Add(time.Hour)})
	}
	if small.len() != 2 || small.get([32]byte{0}, testNow) != nil || small.get([32]byte{2}, testNow) == nil {
		t.Fatalf("LRU: %d entries", small.len())
	}
}

func cacheKeys(c *verifiedTokens) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*verifiedToken)
		out = append(out, string(e.key[:]), e.scope)
	}
	return out
}

// TestVerifiedTokenExpiresExactly: a cached token is accepted up to the
// second before its exp and refused at exp, as an uncached one.
func TestVerifiedTokenExpiresExactly(t *testing.T) {
	e := newCacheEnv(t, nil)
	exp := testNow.Add(10 * time.Minute)
	tok := e.p.token(t, "k1", map[string]any{"sub": "user-1", "aud": "client-a", "exp": exp.Unix()})
	e.warm(t, tok)
	e.clock.set(exp.Add(-time.Second))
	_, cached := e.obs.get()
	if err := e.verify(tok); err != nil {
		t.Fatalf("a second before exp: %v", err)
	}
	if _, c := e.obs.get(); c != cached+1 {
		t.Fatal("a second before exp, the token was not answered from the cache")
	}
	e.clock.set(exp)
	err := e.verify(tok)
	wantRefused(t, err, "Invalid login token. Token expired: "+strconv.FormatInt(exp.Unix(), 10)+" >= "+strconv.FormatInt(exp.Unix(), 10))

	// Past the cap, a token is verified again even before its exp.
	e2 := newCacheEnv(t, nil)
	long := e2.p.token(t, "k1", map[string]any{"sub": "user-2", "aud": "client-a", "exp": testNow.Add(time.Hour).Unix()})
	e2.warm(t, long)
	verified, _ := e2.obs.get()
	e2.clock.set(testNow.Add(maxVerifiedAge))
	if err := e2.verify(long); err != nil {
		t.Fatal(err)
	}
	if v, _ := e2.obs.get(); v != verified+1 {
		t.Fatalf("past maxVerifiedAge: verified %d -> %d", verified, v)
	}
}

// TestVerifiedTokenDroppedOnKeyChange: when the provider's key set changes
// (a token of a new key makes the node fetch it), a cached token of the
// removed key is refused, as it is without a cache.
func TestVerifiedTokenDroppedOnKeyChange(t *testing.T) {
	e := newCacheEnv(t, nil)
	old := e.p.token(t, "k1", map[string]any{"sub": "user-1", "aud": "client-a"})
	e.warm(t, old)
	// The provider rotates: k2 in, k1 out.
	e.p.addKey(t, "k2")
	e.p.mu.Lock()
	delete(e.p.keys, "k1")
	e.p.mu.Unlock()
	fresh := e.p.token(t, "k2", map[string]any{"sub": "user-1", "aud": "client-a"})
	if err := e.verify(fresh); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, e.verify(old), msgSignature)
}

// TestVerifiedTokenDroppedWithProvider: a deleted provider refuses its
// tokens at once; created again with another record, its tokens are
// verified again.
func TestVerifiedTokenDroppedWithProvider(t *testing.T) {
	e := newCacheEnv(t, nil)
	tok := e.p.token(t, "k1", map[string]any{"sub": "user-1", "aud": "client-a"})
	e.warm(t, tok)
	arn := iam.OIDCProviderARN(testAccount, e.p.host())
	if _, err := iamCall(e.st, "DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, e.verify(tok), msgUnsupported)
	if _, err := iamCall(e.st, "CreateOpenIDConnectProvider", url.Values{"Url": {e.p.issuer()},
		"ClientIDList.member.1": {"client-a"}, "ClientIDList.member.2": {"client-b"}}); err != nil {
		t.Fatal(err)
	}
	verified, _ := e.obs.get()
	if err := e.verify(tok); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.obs.get(); v != verified+1 {
		t.Fatalf("after the provider was created again: verified %d -> %d, want a new verification", verified, v)
	}

	// Off: every check verifies.
	off := newCacheEnv(t, func(c *Config) { c.VerifiedTokens = -1 })
	tok = off.p.token(t, "k1", map[string]any{"sub": "user-1", "aud": "client-a"})
	for i := 0; i < 3; i++ {
		if err := off.verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	if v, c := off.obs.get(); v != 3 || c != 0 {
		t.Fatalf("cache off: %d verified, %d cached", v, c)
	}
}

// BenchmarkOIDCLogin is one OIDC login's verification, as GetId on an
// existing login does it: the same token each time, with the cache of
// verified tokens and without it.
func BenchmarkOIDCLogin(b *testing.B) {
	for _, size := range []int{0, -1} {
		name := "cached"
		if size < 0 {
			name = "uncached"
		}
		b.Run(name, func(b *testing.B) {
			e := newCacheEnv(b, func(c *Config) { c.VerifiedTokens = size })
			tok := e.p.token(b, "k1", map[string]any{"sub": "user-1", "aud": "client-a", "email": "u@example.com"})
			var doc *iam.OIDCProvider
			if err := e.st.View(context.Background(), func(r storage.Reader) (err error) {
				doc, err = iam.OIDCProviderByARN(r, iam.OIDCProviderARN(testAccount, e.p.host()))
				return err
			}); err != nil {
				b.Fatal(err)
			}
			req := identity.LoginRequest{Pool: e.pool, Provider: e.p.host(), Token: tok, OIDC: doc}
			ctx := context.Background()
			for range 3 {
				if _, err := e.v.Verifier.Verify(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.v.Verifier.Verify(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
