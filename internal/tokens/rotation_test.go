package tokens

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

// jwksKids returns the kids the JWKS currently publishes.
func jwksKids(t *testing.T, s *Service) []string {
	t.Helper()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(s.state.Load().jwks, &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KID)
	}
	return kids
}

func readKeyBlob(t *testing.T, st storage.Store) (*keyBlob, int64) {
	t.Helper()
	var b *storage.Blob
	if err := st.View(context.Background(), func(r storage.Reader) error {
		var err error
		b, err = r.GetBlob(blobKey)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	kb, err := decodeBlob(b.Value)
	if err != nil {
		t.Fatal(err)
	}
	return kb, b.Version
}

// TestRotation walks a fake clock through several rotations (after dex's
// signer rotation test): each key is published before it signs, signs for
// one period, then verifies its tokens until they have all expired, and is
// then dropped.
func TestRotation(t *testing.T) {
	const period = 6 * time.Hour // shorter than MaxTTL: several retired keys at once
	clk := newClock()
	st := openStore(t, "")
	s := newService(t, Config{Store: st, Rotation: period, Now: clk.Now})
	ctx := context.Background()

	type issued struct {
		tok string
		exp time.Time
		kid string
	}
	var toks []issued
	seen := map[string]bool{}
	var prevNext string
	for round := range 8 {
		kb, _ := readKeyBlob(t, st)
		ks := s.state.Load()
		if ks.signer.kid != kb.Active.KID {
			t.Fatalf("round %d: signing with %s, blob active %s", round, ks.signer.kid, kb.Active.KID)
		}
		if round > 0 && kb.Active.KID != prevNext {
			t.Fatalf("round %d: active %s was not the published next key %s", round, kb.Active.KID, prevNext)
		}
		if seen[kb.Active.KID] {
			t.Fatalf("round %d: key %s active twice", round, kb.Active.KID)
		}
		seen[kb.Active.KID] = true
		prevNext = kb.Next.KID
		kids := jwksKids(t, s)
		if !slices.Contains(kids, kb.Active.KID) || !slices.Contains(kids, kb.Next.KID) {
			t.Fatalf("round %d: JWKS %v lacks active or next key", round, kids)
		}
		for _, k := range kb.Retired {
			if k.Priv != nil || k.Nonce != nil {
				t.Fatalf("retired key %s keeps its private key", k.KID)
			}
		}
		// Retired keys stay only while tokens they signed can be valid:
		// MaxTTL/period+1 of them at most.
		if max := int(MaxTTL/period) + 1; len(kb.Retired) > max {
			t.Fatalf("round %d: %d retired keys kept, want at most %d", round, len(kb.Retired), max)
		}

		r := sampleRequest()
		r.TTL = MaxTTL
		toks = append(toks, issued{issue(t, s, r), clk.Now().Add(MaxTTL), kb.Active.KID})

		// Every unexpired token verifies; every expired one is refused.
		for i, it := range toks {
			_, err := s.VerifyOpenIDToken(ctx, it.tok)
			valid := clk.Now().Before(it.exp)
			if valid && err != nil {
				t.Fatalf("round %d: token %d (key %s) no longer verifies: %v", round, i, it.kid, err)
			}
			if !valid && err == nil {
				t.Fatalf("round %d: expired token %d still verifies", round, i)
			}
		}

		clk.Advance(period)
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Keys whose tokens have all expired are no longer published.
	kids := jwksKids(t, s)
	for _, it := range toks[:len(toks)-int(MaxTTL/period)-2] {
		if slices.Contains(kids, it.kid) {
			t.Errorf("key %s still published %v after its tokens expired", it.kid, clk.Now().Sub(it.exp))
		}
	}
	if _, v := readKeyBlob(t, st); v != 9 {
		t.Errorf("blob version %d after create + 8 rotations, want 9", v)
	}
}

// TestRotationCatchesUp: a store unused for many periods rotates once.
func TestRotationCatchesUp(t *testing.T) {
	clk := newClock()
	st := openStore(t, "")
	s := newService(t, Config{Store: st, Rotation: time.Hour, Now: clk.Now})
	clk.Advance(100 * time.Hour)
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	kb, v := readKeyBlob(t, st)
	if v != 2 {
		t.Errorf("version %d, want 2 (one rotation)", v)
	}
	if got, want := time.Unix(kb.NextRotation, 0), clk.Now().Add(time.Hour); !got.Equal(want) {
		t.Errorf("next rotation %v, want %v", got, want)
	}
}

// TestTwoServicesRace starts two services on one SQLite file at once (two
// store handles, as two server processes would have), then rotates both at
// once: one set of first keys and one rotation is written, and both agree.
func TestTwoServicesRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	stA, stB := openStore(t, path), openStore(t, path)
	clk := newClock()
	cfg := func(st storage.Store) Config {
		return Config{Store: st, Issuer: testIssuer, Rotation: time.Hour, Now: clk.Now, Logger: quietLogger()}
	}
	ctx := context.Background()
	stores := [2]storage.Store{stA, stB}
	var svcs [2]*Service
	// both runs fn for both services at once and checks they then agree on
	// the signing key and the blob is at version want.
	both := func(what string, want int64, fn func(i int) error) {
		t.Helper()
		var errs [2]error
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { errs[i] = fn(i) })
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if a, b := svcs[0].state.Load().signer.kid, svcs[1].state.Load().signer.kid; a != b {
			t.Fatalf("%s: services sign with different keys %s, %s", what, a, b)
		}
		if _, v := readKeyBlob(t, stA); v != want {
			t.Fatalf("%s: blob version %d, want %d", what, v, want)
		}
	}
	for round := range 3 {
		both(fmt.Sprintf("round %d start", round), int64(1+round), func(i int) error {
			var err error
			svcs[i], err = New(ctx, cfg(stores[i]))
			return err
		})
		clk.Advance(time.Hour)
		both(fmt.Sprintf("round %d rotation", round), int64(2+round), func(i int) error {
			return svcs[i].Refresh(ctx)
		})
	}
}

// TestOtherNodeSeesRotation: node B learns node A's rotation from storage,
// on an unknown kid or at its next refresh.
func TestOtherNodeSeesRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	clk := newClock()
	a := newService(t, Config{Store: openStore(t, path), Rotation: time.Hour, Now: clk.Now})
	b := newService(t, Config{Store: openStore(t, path), Rotation: time.Hour, Now: clk.Now})
	// Hold off B's background refresh so that only the paths under test
	// (the published next key, the unknown-kid reload) can teach B.
	b.refreshing.Store(true)
	clk.Advance(time.Hour)
	if err := a.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok := issue(t, a, sampleRequest())
	// B has not refreshed, but the new key was already published as B's "next".
	if _, err := b.VerifyOpenIDToken(context.Background(), tok); err != nil {
		t.Fatalf("B refuses A's token after A rotated: %v", err)
	}
	// Two rotations on A: B has never seen the key and must reload.
	clk.Advance(time.Hour)
	if err := a.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.lastUnknownKid.Store(0)
	tok = issue(t, a, sampleRequest())
	if _, err := b.VerifyOpenIDToken(context.Background(), tok); err != nil {
		t.Fatalf("B refuses a token of a key it has not loaded: %v", err)
	}
	if a.state.Load().signer.kid != b.state.Load().signer.kid {
		t.Error("B did not install A's rotated keys")
	}
}

func TestEncryptionAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "enc.db")
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	st := openStore(t, path)
	s := newService(t, Config{Store: st, EncryptionKey: key})
	kb, _ := readKeyBlob(t, st)
	for _, k := range []*storedKey{kb.Active, kb.Next} {
		if k.Nonce == nil {
			t.Fatalf("key %s stored without encryption", k.KID)
		}
		if _, err := x509.ParsePKCS8PrivateKey(k.Priv); err == nil {
			t.Fatalf("key %s private key readable without the encryption key", k.KID)
		}
	}
	tok := issue(t, s, sampleRequest())
	// Another process with the same key signs with the same key.
	s2 := newService(t, Config{Store: openStore(t, path), EncryptionKey: key})
	if _, err := s2.VerifyOpenIDToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	issue(t, s2, sampleRequest())
	wrong := append([]byte(nil), key...)
	wrong[0] ^= 1
	for name, ek := range map[string][]byte{"wrong key": wrong, "no key": nil, "short key": key[:16]} {
		if _, err := New(context.Background(), Config{Store: st, Issuer: testIssuer, EncryptionKey: ek, Logger: quietLogger()}); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	// Keys stored in the clear before a key was configured still sign with
	// one (the server seals the whole blob: internal/sealbox).
	plain := openStore(t, "")
	newService(t, Config{Store: plain})
	issue(t, newService(t, Config{Store: plain, EncryptionKey: key}), sampleRequest())
}

func TestConfigValidation(t *testing.T) {
	st := openStore(t, "")
	for name, cfg := range map[string]Config{
		"no store":          {Issuer: testIssuer},
		"relative issuer":   {Store: st, Issuer: "example.com"},
		"issuer with query": {Store: st, Issuer: "https://example.com/?a=b"},
		"negative rotation": {Store: st, Issuer: testIssuer, Rotation: -time.Hour},
	} {
		if _, err := New(context.Background(), cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	s := newService(t, Config{Store: st, Issuer: "https://id.example.com/pool/"})
	if s.Issuer() != "https://id.example.com/pool" {
		t.Errorf("issuer %q keeps its trailing slash", s.Issuer())
	}
}
