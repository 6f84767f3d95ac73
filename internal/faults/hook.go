package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsjson"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/wire"
)

// Lookup returns the account owning a pool (by pool id) or an identity's
// pool (by identity id), and that pool's id; ok is false when neither is
// known. It reads the store and never writes.
type Lookup func(ctx context.Context, poolID, identityID string) (account, pool string, ok bool)

// Config configures an Injector.
type Config struct {
	// Lookup finds the account of unsigned calls (GetId and the others
	// belong to the pool's account) and the pool of calls naming only an
	// identity. Nil: unsigned calls are never faulted.
	Lookup Lookup
	// Metrics counts the injected faults; nil counts nothing.
	Metrics *metrics.Metrics
	// Logger notes rules added and cleared; discarded when nil.
	Logger *slog.Logger
	// Now is the clock of time windows; time.Now when nil.
	Now func() time.Time
	// Roll returns a number in [0, 100) for percentages; random when nil.
	Roll func() float64
}

// Injector holds the rules of every account and is the wire.Hook that
// applies them.
type Injector struct {
	cfg Config
	// n counts the rules held, so calls pay nothing while there are none.
	n     atomic.Int64
	mu    sync.Mutex
	rules map[string][]*rule // by account, in the order they were added
}

var _ wire.Hook = (*Injector)(nil)

// rule is a Rule held for an account.
type rule struct {
	Rule
	id       string
	account  string
	added    time.Time
	injected int
}

// New returns an Injector with no rules.
func New(cfg Config) *Injector {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Roll == nil {
		cfg.Roll = func() float64 { return rand.Float64() * 100 }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Injector{cfg: cfg, rules: map[string][]*rule{}}
}

// Add validates r and adds it for account; it returns the held rule's view.
func (in *Injector) Add(account string, r Rule) (Fault, *apierr.Error) {
	if err := r.validate(); err != nil {
		return Fault{}, err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.rules[account]) >= MaxRulesPerAccount {
		return Fault{}, apierr.LimitExceededf("An account can hold at most %d fault rules; clear some with ClearFaults.", MaxRulesPerAccount)
	}
	h := &rule{Rule: r, id: uuid.NewString(), account: account, added: in.cfg.Now()}
	in.rules[account] = append(in.rules[account], h)
	in.n.Add(1)
	in.cfg.Logger.Warn("fault rule added", "account", account, "fault_id", h.id, "operation", r.Operation, "error", r.Error, "latency", time.Duration(r.Latency))
	return in.view(h), nil
}

// List returns account's rules, in the order they were added.
func (in *Injector) List(account string) []Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Fault, 0, len(in.rules[account]))
	for _, h := range in.rules[account] {
		out = append(out, in.view(h))
	}
	return out
}

// Clear removes account's rule id, or all of account's rules when id is
// empty, and returns how many it removed.
func (in *Injector) Clear(account, id string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	held := in.rules[account]
	kept := held[:0:0]
	for _, h := range held {
		if id != "" && h.id != id {
			kept = append(kept, h)
		}
	}
	n := len(held) - len(kept)
	if len(kept) == 0 {
		delete(in.rules, account)
	} else {
		in.rules[account] = kept
	}
	in.n.Add(-int64(n))
	if n > 0 {
		in.cfg.Logger.Warn("fault rules cleared", "account", account, "count", n)
	}
	return n
}

// Fault is a held rule as ListFaults shows it.
type Fault struct {
	FaultId string `json:"FaultId"`
	Rule
	// Injected counts the calls the rule has answered or slowed.
	Injected int `json:"Injected"`
	// Remaining is what is left of Times (absent without Times).
	Remaining *int `json:"Remaining,omitempty"`
	// Active says whether the rule can fire now (started, not ended, not spent).
	Active bool `json:"Active"`
}

func (in *Injector) view(h *rule) Fault {
	f := Fault{FaultId: h.id, Rule: h.Rule, Injected: h.injected, Active: in.active(h, in.cfg.Now())}
	if h.Times > 0 {
		left := h.Times - h.injected
		f.Remaining = &left
	}
	return f
}

// active reports whether h may fire at now.
func (in *Injector) active(h *rule, now time.Time) bool {
	start := h.added.Add(time.Duration(h.StartAfter))
	switch {
	case now.Before(start):
		return false
	case h.ActiveFor > 0 && !now.Before(start.Add(time.Duration(h.ActiveFor))):
		return false
	case h.Times > 0 && h.injected >= h.Times:
		return false
	}
	return true
}

// scope is what a call's input says about its pool, identity and logins.
type scope struct {
	IdentityPoolId string
	IdentityId     string
	Logins         map[string]json.RawMessage
	LoginsToRemove []string
}

func (s *scope) hasLogin(provider string) bool {
	if _, ok := s.Logins[provider]; ok {
		return true
	}
	for _, p := range s.LoginsToRemove {
		if p == provider {
			return true
		}
	}
	return false
}

// Begin implements wire.Hook: it finds the call's account, applies its
// rules in the order they were added (every firing rule's latency adds up;
// the first firing rule with an error answers) and marks the log line.
func (in *Injector) Begin(ctx context.Context, r *wire.Request) (context.Context, error) {
	if in.n.Load() == 0 || r.Protocol != apierr.JSON || strings.HasPrefix(r.Operation, awsjson.ExtensionPrefix) {
		return ctx, nil
	}
	var sc scope
	if body, ok := r.Input.([]byte); ok {
		_ = json.Unmarshal(body, &sc) // validated already; a mismatch leaves the scope empty
	}
	account := r.Caller.Account()
	pool := sc.IdentityPoolId
	if account == "" || (pool == "" && sc.IdentityId != "" && in.wantsPool(account)) {
		if in.cfg.Lookup == nil {
			return ctx, nil
		}
		owner, p, ok := in.cfg.Lookup(ctx, sc.IdentityPoolId, sc.IdentityId)
		if !ok {
			return ctx, nil // the call itself answers ResourceNotFoundException
		}
		if account == "" {
			account = owner
		}
		if owner == account {
			pool = p
		}
	}
	fired, latency, hit := in.fire(account, r.Operation, pool, &sc)
	if len(fired) == 0 {
		return ctx, nil
	}
	ids := make([]string, 0, len(fired))
	for _, h := range fired {
		ids = append(ids, h.id)
		label := h.Error
		if label == "" {
			label = "latency"
		}
		in.cfg.Metrics.FaultInjected(r.Operation, label)
	}
	r.Attrs = append(r.Attrs, slog.String("fault", strings.Join(ids, ",")))
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx, ctx.Err()
		}
	}
	if hit == nil {
		return ctx, nil
	}
	return ctx, hit.answer(pool, sc.IdentityId)
}

// wantsPool reports whether any of account's rules is scoped to a pool.
func (in *Injector) wantsPool(account string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, h := range in.rules[account] {
		if h.IdentityPoolId != "" {
			return true
		}
	}
	return false
}

// fire applies account's rules to one call and returns those that fired,
// their summed latency and the first with an error.
func (in *Injector) fire(account, operation, pool string, sc *scope) (fired []*rule, latency time.Duration, hit *rule) {
	now := in.cfg.Now()
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, h := range in.rules[account] {
		switch {
		case h.Operation != AnyOperation && h.Operation != operation,
			h.IdentityPoolId != "" && h.IdentityPoolId != pool,
			h.IdentityId != "" && h.IdentityId != sc.IdentityId,
			h.Login != "" && !sc.hasLogin(h.Login),
			!in.active(h, now),
			h.Error != "" && hit != nil: // one error answers; later error rules keep their count
			continue
		}
		if h.Percent > 0 && in.cfg.Roll() >= h.Percent {
			continue
		}
		h.injected++
		fired = append(fired, h)
		latency += time.Duration(h.Latency)
		if h.Error != "" {
			hit = h
		}
	}
	return fired, latency, hit
}

// answer is the error h injects, with AWS's text for its code.
func (h *rule) answer(pool, identity string) *apierr.Error {
	msg := h.Message
	switch {
	case msg != "":
	case h.Error == apierr.ResourceNotFound && pool != "":
		msg = fmt.Sprintf("IdentityPool '%s' not found.", cut(pool))
	case h.Error == apierr.ResourceNotFound && identity != "":
		msg = fmt.Sprintf("Identity '%s' not found.", cut(identity))
	case h.Error == apierr.NotAuthorized && identity != "":
		msg = fmt.Sprintf("Access to Identity '%s' is forbidden.", cut(identity))
	default:
		msg = messages[h.Error]
	}
	return apierr.New(h.Error, "%s", msg)
}

// End implements wire.Hook; an injected fault needs nothing afterwards.
func (*Injector) End(context.Context, *wire.Request, any, *apierr.Error) {}
