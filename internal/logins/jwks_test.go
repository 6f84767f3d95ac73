package logins

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// TestRotatedOutKeyNotRemembered: once a reading of the provider's key set
// without k_i has verified a token, no token of k_i is accepted, not even
// one verified for the first time, by other goroutines, while that reading
// came in. (go-oidc's RemoteKeySet let such a call verify against its old
// keys after the new set was read, and the verified-token cache then kept
// the answer for up to 15 minutes.)
func TestRotatedOutKeyNotRemembered(t *testing.T) {
	e := newCacheEnv(t, nil)
	kid := "k1"
	for round := 2; round <= 8; round++ {
		// Tokens of the old key, each verified for the first time below.
		old := make([]string, 48)
		for i := range old {
			old[i] = e.p.token(t, kid, map[string]any{"sub": "user-1", "aud": "client-a", "jti": strconv.Itoa(i)})
		}
		e.warm(t, old[0])
		// The provider rotates: the new key in, the old one out.
		next := fmt.Sprintf("k%d", round)
		e.p.addKey(t, next)
		e.p.mu.Lock()
		delete(e.p.keys, kid)
		e.p.mu.Unlock()

		var rotated, stop atomic.Bool
		var lateAccepts atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; !stop.Load(); i += 4 {
					after := rotated.Load()
					if e.verify(old[i%len(old)]) == nil && after {
						lateAccepts.Add(1)
					}
				}
			}()
		}
		fresh := e.p.token(t, next, map[string]any{"sub": "user-1", "aud": "client-a"})
		if err := e.verify(fresh); err != nil {
			t.Fatal(err)
		}
		rotated.Store(true)
		time.Sleep(5 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		if n := lateAccepts.Load(); n > 0 {
			t.Fatalf("round %d: tokens of the dropped key %s were accepted %d times after the new set verified a token", round, kid, n)
		}
		for _, tok := range old {
			wantRefused(t, e.verify(tok), msgSignature)
		}
		kid = next
	}
}

// TestVerifyReportsItsReading: a verification reports the generation of
// the keys that checked it, even when a newer reading is stored meanwhile,
// so the cache never files it under the newer one.
func TestVerifyReportsItsReading(t *testing.T) {
	p := newIDP(t)
	rs := newRemoteSet(nil, "unused")
	rs.cur.Store(&keyReading{gen: 1, keys: []jose.JSONWebKey{{Key: &p.key("k1").PublicKey, KeyID: "k1"}}})
	rs.afterLoad = func() {
		rs.afterLoad = nil
		rs.cur.Store(&keyReading{gen: 2, keys: nil}) // k1 dropped
	}
	_, gen, err := rs.verify(context.Background(), p.token(t, "k1", map[string]any{"sub": "s"}))
	if err != nil || gen != 1 {
		t.Fatalf("gen %d, err %v; want the reading that verified it, 1", gen, err)
	}
	if rs.gen() != 2 {
		t.Fatalf("current gen %d, want 2", rs.gen())
	}
}

// TestKeySetReadings: a reading of the same document keeps the generation
// (verifications stay reused); another document makes a new one; a failed
// fetch keeps the keys read before.
func TestKeySetReadings(t *testing.T) {
	p := newIDP(t)
	var mu sync.Mutex
	var body []byte
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("key set fetched with Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
		w.Write(body)
	}))
	defer srv.Close()
	set := func(code int, kids ...string) {
		var ks jose.JSONWebKeySet
		for _, kid := range kids {
			ks.Keys = append(ks.Keys, jose.JSONWebKey{Key: &p.addKey(t, kid).PublicKey, KeyID: kid, Algorithm: "RS256"})
		}
		b, _ := json.Marshal(ks)
		mu.Lock()
		body, status = b, code
		mu.Unlock()
	}
	f := newFetcher(srv.Client(), time.Second, time.Now)
	rs := newRemoteSet(f, srv.URL)
	ctx := context.Background()
	verify := func(kid string) (uint64, error) {
		_, gen, err := rs.verify(ctx, p.token(t, kid, map[string]any{"sub": "s"}))
		return gen, err
	}

	p.addKey(t, "b") // keys the set never holds
	p.addKey(t, "c")
	set(http.StatusOK, "a")
	g1, err := verify("a")
	if err != nil || g1 != 1 {
		t.Fatalf("first reading: gen %d, err %v", g1, err)
	}
	if _, err := verify("b"); err == nil { // refetches the same document
		t.Fatal("a key outside the set verified")
	}
	if rs.gen() != g1 {
		t.Fatalf("the same document read again changed the generation %d -> %d", g1, rs.gen())
	}
	set(http.StatusServiceUnavailable)
	if _, err := verify("c"); err == nil || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("a failed fetch: err %v", err)
	}
	if g, err := verify("a"); err != nil || g != g1 {
		t.Fatalf("after a failed fetch the keys read before must stay: gen %d, err %v", g, err)
	}
	set(http.StatusOK, "d")
	if g, err := verify("d"); err != nil || g != g1+1 {
		t.Fatalf("a new document: gen %d, err %v", g, err)
	}
	if _, err := verify("a"); err == nil {
		t.Fatal("a key dropped from the set still verifies")
	}
}

// TestParseKeySet: keys of refused algorithms or unknown types are
// skipped, as go-oidc skips them; a malformed key refuses the document.
func TestParseKeySet(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey := newIDP(t).key("k1")
	enc := func(k jose.JSONWebKey) string { b, _ := json.Marshal(k); return string(b) }
	good := enc(jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "rsa", Algorithm: "RS256"})
	noAlg := enc(jose.JSONWebKey{Key: &ec.PublicKey, KeyID: "ec"})
	eddsa := enc(jose.JSONWebKey{Key: ed.Public(), KeyID: "ed", Algorithm: "EdDSA"})
	doc := `{"keys":[` + good + `,` + noAlg + `,` + eddsa + `,{"kty":"oct","k":"c2VjcmV0","alg":"HS256","kid":"hmac"},{"kty":"XYZ","kid":"odd"}]}`
	keys, err := parseKeySet([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.KeyID)
	}
	if strings.Join(kids, ",") != "rsa,ec" {
		t.Fatalf("kept keys %v, want rsa,ec", kids)
	}
	for _, bad := range []string{`[]`, `{"keys":[1]}`, `{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}`, `not json`} {
		if _, err := parseKeySet([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// TestKeySetOneFetch: callers that all miss a new key share one fetch.
func TestKeySetOneFetch(t *testing.T) {
	p := newIDP(t)
	var hits atomic.Int64
	release := make(chan struct{})
	var doc atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) > 1 {
			<-release // hold the second fetch: the callers are all waiting by then
		}
		w.Write(doc.Load().([]byte))
	}))
	defer srv.Close()
	publish := func(kids ...string) {
		var ks jose.JSONWebKeySet
		for _, kid := range kids {
			ks.Keys = append(ks.Keys, jose.JSONWebKey{Key: &p.addKey(t, kid).PublicKey, KeyID: kid})
		}
		b, _ := json.Marshal(ks)
		doc.Store(b)
	}
	rs := newRemoteSet(newFetcher(srv.Client(), 5*time.Second, time.Now), srv.URL)
	publish("a")
	if _, _, err := rs.verify(context.Background(), p.token(t, "a", map[string]any{"sub": "s"})); err != nil {
		t.Fatal(err)
	}
	publish("a", "b")
	tok := p.token(t, "b", map[string]any{"sub": "s"})
	const callers = 8
	errs := make(chan error, callers)
	for i := 0; i < callers; i++ {
		go func() { _, _, err := rs.verify(context.Background(), tok); errs <- err }()
	}
	// Let every caller reach the held fetch, then release it.
	for deadline := time.Now().Add(5 * time.Second); hits.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	for i := 0; i < callers; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 2 {
		t.Fatalf("%d fetches of the key set, want 2 (the first reading and one shared refetch)", n)
	}
}

// TestKeySetFetchPanic: a panic while reading a document refuses that
// reading; the waiters are released and the next miss fetches again.
func TestKeySetFetchPanic(t *testing.T) {
	p := newIDP(t)
	rs := newRemoteSet(newFetcher(p.srv.Client(), 5*time.Second, time.Now), p.issuer()+"/keys")
	rs.parse = func([]byte) ([]jose.JSONWebKey, error) { panic("hostile document") }
	tok := p.token(t, "k1", map[string]any{"sub": "s"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := rs.verify(ctx, tok); err == nil || !strings.Contains(err.Error(), "hostile document") {
		t.Fatalf("err %v, want the panic as a refusal", err)
	}
	rs.parse = parseKeySet
	if _, _, err := rs.verify(ctx, tok); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
}
