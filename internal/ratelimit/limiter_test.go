package ratelimit

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock; the tests never sleep.
type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.t.Add(int64(d)) }

func newLimiter(t *testing.T, cfg Config, accounts ...string) (*Limiter, *fakeClock) {
	t.Helper()
	clk := &fakeClock{}
	clk.t.Store(1e18)
	l, err := New(cfg, accounts, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	return l, clk
}

// take counts how many of n calls are allowed.
func take(op *Op, account string, n int) int {
	ok := 0
	for range n {
		if op.Allow(account) {
			ok++
		}
	}
	return ok
}

func TestBurstThenRefill(t *testing.T) {
	l, clk := newLimiter(t, Config{Operations: map[string]Rate{"GetId": {RPS: 5, Burst: 10}}}, "111122223333")
	op := l.Op("GetId")
	if got := take(op, "111122223333", 50); got != 10 {
		t.Fatalf("burst: %d allowed, want 10", got)
	}
	clk.advance(time.Second) // five tokens
	if got := take(op, "111122223333", 50); got != 5 {
		t.Fatalf("after 1s: %d allowed, want 5", got)
	}
	clk.advance(199 * time.Millisecond) // not yet one token
	if got := take(op, "111122223333", 1); got != 0 {
		t.Fatalf("after 199ms: %d allowed, want 0", got)
	}
	clk.advance(time.Millisecond)
	if got := take(op, "111122223333", 5); got != 1 {
		t.Fatalf("after 200ms: %d allowed, want 1", got)
	}
	clk.advance(time.Hour) // the bucket fills up to its depth, no further
	if got := take(op, "111122223333", 50); got != 10 {
		t.Fatalf("after an hour: %d allowed, want 10", got)
	}
}

func TestDefaultBurstIsRPS(t *testing.T) {
	l, _ := newLimiter(t, Config{Default: Rate{RPS: 3.5}})
	if got := take(l.Op("DescribeIdentityPool"), "", 20); got != 4 {
		t.Fatalf("rps 3.5: %d allowed at once, want ceil = 4", got)
	}
	l, _ = newLimiter(t, Config{Default: Rate{RPS: 0.001}})
	if got := take(l.Op("GetId"), "", 20); got != 1 {
		t.Fatalf("rps 0.001: %d allowed at once, want 1", got)
	}
}

func TestAccountsAreSeparate(t *testing.T) {
	a, b := "111122223333", "444455556666"
	l, _ := newLimiter(t, Config{Default: Rate{RPS: 1, Burst: 2}}, a, b)
	op := l.Op("GetOpenIdToken")
	if got := take(op, a, 10); got != 2 {
		t.Fatalf("account a: %d, want 2", got)
	}
	if got := take(op, b, 10); got != 2 {
		t.Fatalf("account b after a is exhausted: %d, want 2", got)
	}
	// Callers that are not configured accounts share one bucket.
	if got := take(op, "", 10) + take(op, "999999999999", 10); got != 2 {
		t.Fatalf("unconfigured callers: %d, want 2 together", got)
	}
	// Other operations have their own buckets.
	if got := take(l.Op("GetId"), a, 10); got != 2 {
		t.Fatalf("GetId for a: %d, want 2", got)
	}
}

func TestPrecedence(t *testing.T) {
	acct := "111122223333"
	cfg := Config{
		Profile:    ProfileAWS,
		Default:    Rate{RPS: 1000, Burst: 7},
		Operations: map[string]Rate{"GetOpenIdToken": {RPS: 1, Burst: 3}},
		Accounts: map[string]AccountConfig{acct: {
			Default:    Rate{RPS: 1, Burst: 2},
			Operations: map[string]Rate{"GetId": {RPS: 1, Burst: 4}, "ListIdentities": {RPS: 0}},
		}},
	}
	l, _ := newLimiter(t, cfg)
	cases := []struct {
		op, account string
		want        int
	}{
		{"GetId", "", 25},                      // profile (burst = rps)
		{"GetId", acct, 4},                     // account operation
		{"GetOpenIdToken", "", 3},              // operation over profile
		{"GetOpenIdToken", acct, 2},            // account default over global operation
		{"DescribeIdentityPool", "", 7},        // global default
		{"DescribeIdentityPool", acct, 2},      // account default
		{"ListIdentities", acct, 300},          // account unlimited
		{"TagResource", "", 5},                 // profile
		{"ListTagsForResource", "", 10},        // profile
		{"GetCredentialsForIdentity", "", 200}, // profile
	}
	for _, c := range cases {
		if got := take(l.Op(c.op), c.account, 300); got != c.want {
			t.Errorf("%s for %q: %d allowed, want %d", c.op, c.account, got, c.want)
		}
	}
}

func TestUnlimitedIsNil(t *testing.T) {
	l, _ := newLimiter(t, Config{}, "111122223333")
	names, err := OperationNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 23 {
		t.Fatalf("%d operations in the model, want 23", len(names))
	}
	for _, n := range names {
		if op := l.Op(n); op != nil {
			t.Errorf("%s: limiter without limits, want nil", n)
		}
	}
	var none *Op
	if !none.Allow("x") {
		t.Fatal("nil Op refused")
	}
	var nl *Limiter
	if nl.Op("GetId") != nil {
		t.Fatal("nil Limiter returned an Op")
	}
}

func TestConcurrentTakesExactlyBurst(t *testing.T) {
	l, _ := newLimiter(t, Config{Default: Rate{RPS: 1, Burst: 100}})
	op := l.Op("GetId")
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { allowed.Add(int64(take(op, "", 1000))) })
	}
	wg.Wait()
	if allowed.Load() != 100 {
		t.Fatalf("%d allowed across goroutines with a frozen clock, want 100", allowed.Load())
	}
}

func TestExtremeRatesDoNotOverflow(t *testing.T) {
	l, clk := newLimiter(t, Config{Operations: map[string]Rate{
		"GetId":          {RPS: 1e-12, Burst: 1 << 40},
		"GetOpenIdToken": {RPS: 1e15, Burst: 1},
	}})
	if got := take(l.Op("GetId"), "", 1000); got != 1000 {
		t.Fatalf("deep bucket: %d allowed, want 1000", got)
	}
	if got := take(l.Op("GetOpenIdToken"), "", 3); got != 1 {
		t.Fatalf("fast bucket, frozen clock: %d allowed, want 1", got)
	}
	clk.advance(time.Nanosecond)
	if got := take(l.Op("GetOpenIdToken"), "", 3); got != 1 {
		t.Fatalf("fast bucket after 1ns: %d allowed, want 1", got)
	}
}

func BenchmarkAllow(b *testing.B) {
	l, err := New(Config{Default: Rate{RPS: 1e12, Burst: 1 << 30}}, []string{"111122223333"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Op("GetId").Allow("111122223333")
	}
}

// BenchmarkAllowContended has every goroutine on one bucket: the worst case
// of the CAS loop.
func BenchmarkAllowContended(b *testing.B) {
	l, err := New(Config{Default: Rate{RPS: 1e12, Burst: 1 << 30}}, []string{"111122223333"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Op("GetId").Allow("111122223333")
		}
	})
}

func BenchmarkUnlimited(b *testing.B) {
	l, err := New(Config{}, []string{"111122223333"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Op("GetId").Allow("111122223333")
	}
}
