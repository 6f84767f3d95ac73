package ratelimit

import (
	"math"
	"sync/atomic"
	"time"
)

// Limiter holds one token bucket per configured account and operation, plus
// one per operation shared by every caller that is not a configured account
// (unsigned calls that name no account). All buckets exist from New on, so
// the set is bounded by (accounts+1) x operations and never grows.
type Limiter struct {
	ops map[string]*Op
}

// Op throttles one operation. A nil *Op allows everything.
type Op struct {
	byAccount map[string]*bucket // nil value: the account is unlimited
	other     *bucket            // callers that are not configured accounts
	clock     *clock
}

// clock turns the injected wall clock into monotonic nanoseconds since New.
type clock struct {
	base time.Time
	now  func() time.Time
}

func (c *clock) nanos() int64 { return int64(c.now().Sub(c.base)) }

// New builds the buckets of cfg for accounts (the configured account ids;
// accounts that cfg.Accounts names are included too). now is the clock,
// time.Now when nil. cfg must have passed config.Validate with the
// server's checks (operation names of the model).
func New(cfg Config, accounts []string, now func() time.Time) (*Limiter, error) {
	names, err := OperationNames()
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	clk := &clock{base: now(), now: now}
	var profile map[string]Rate
	if cfg.Profile == ProfileAWS {
		profile = AWSProfile()
	}
	all := append([]string(nil), accounts...)
	for id := range cfg.Accounts {
		all = append(all, id)
	}
	l := &Limiter{ops: make(map[string]*Op, len(names))}
	for _, name := range names {
		global := cfg.Default
		if r, ok := profile[name]; ok {
			global = r
		}
		if r, ok := cfg.Operations[name]; ok {
			global = r
		}
		op := &Op{byAccount: make(map[string]*bucket, len(all)), other: newBucket(global), clock: clk}
		limited := op.other != nil
		for _, id := range all {
			r := global
			if a, ok := cfg.Accounts[id]; ok {
				if set(a.Default) {
					r = a.Default
				}
				if ar, ok := a.Operations[name]; ok {
					r = ar
				}
			}
			b := newBucket(r)
			op.byAccount[id] = b
			limited = limited || b != nil
		}
		if limited {
			l.ops[name] = op
		}
	}
	return l, nil
}

// Op returns the limiter of the named operation; nil (allow all) when no
// account is limited on it, so an unlimited server pays one map lookup.
func (l *Limiter) Op(name string) *Op {
	if l == nil {
		return nil
	}
	return l.ops[name]
}

// Allow takes a token from account's bucket and reports whether there was
// one. Accounts that are not configured share one bucket.
func (o *Op) Allow(account string) bool {
	if o == nil {
		return true
	}
	b, ok := o.byAccount[account]
	if !ok {
		b = o.other
	}
	if b == nil {
		return true
	}
	return b.allow(o.clock.nanos())
}

// Bounds that keep the bucket arithmetic far from int64 overflow: one token
// at least every ~13 days, a bucket at most ~36 years deep.
const (
	maxInterval  = int64(1) << 50
	maxTolerance = int64(1) << 60
)

// bucket is a token bucket in its GCRA form: one atomic word, the
// theoretical arrival time of the next request, advanced by CAS. It needs
// no lock and no background refill, which is why it is used here instead of
// golang.org/x/time/rate (a mutex per bucket, several words of state).
type bucket struct {
	tat       atomic.Int64
	interval  int64 // nanoseconds per token
	tolerance int64 // interval x burst: how far tat may run ahead of now
}

// newBucket returns the bucket of r, nil when r is unlimited.
func newBucket(r Rate) *bucket {
	if r.RPS <= 0 {
		return nil
	}
	interval := int64(math.Min(float64(time.Second)/r.RPS, float64(maxInterval)))
	interval = max(interval, 1)
	tol := maxTolerance
	if b := int64(burst(r)); b <= maxTolerance/interval {
		tol = interval * b
	}
	return &bucket{interval: interval, tolerance: tol}
}

func (b *bucket) allow(now int64) bool {
	for {
		old := b.tat.Load()
		next := max(old, now) + b.interval
		if next-now > b.tolerance {
			return false
		}
		if b.tat.CompareAndSwap(old, next) {
			return true
		}
	}
}
