// Package trace records why a call was decided as it was: the steps the
// identity logic took (the pool, each login's checks, the identity, the role,
// the trust policy, the STS), under the call's request id. A Recorder rides
// in the call's context; with none there (tracing off, or the call not
// sampled) every method is a no-op that allocates nothing, so callers that
// compute facts guard them with On.
//
// Secrets and whole tokens never go into a step: facts that look like a JWT
// are replaced by "[token]", and every fact is clipped.
package trace

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Phases of a step.
const (
	PhasePool     = "pool"
	PhaseLogin    = "login"
	PhaseIdentity = "identity"
	PhaseRole     = "role"
	PhaseTrust    = "trust"
	PhaseSTS      = "sts"
)

// Results of a step.
const (
	Pass = "pass"
	Fail = "fail"
	Info = "info"
)

// Outcomes of a call.
const (
	OutcomeOK      = "ok"
	OutcomeRefused = "refused"
	OutcomeError   = "error"
)

// Step is one decision: what was checked, how it came out, why, and the
// values compared.
type Step struct {
	Phase  string `json:"Phase"`
	Check  string `json:"Check"`
	Result string `json:"Result"`
	Detail string `json:"Detail"`
	Facts  Facts  `json:"Facts"`
}

// Summary is what ListTraces shows of a call.
type Summary struct {
	RequestId      string `json:"RequestId"`
	Operation      string `json:"Operation"`
	Time           string `json:"Time"`
	IdentityPoolId string `json:"IdentityPoolId,omitempty"`
	IdentityId     string `json:"IdentityId,omitempty"`
	Outcome        string `json:"Outcome"`
	ErrorType      string `json:"ErrorType,omitempty"`
}

// Trace is a call's summary and its steps; the first failed step is the cause.
type Trace struct {
	Summary
	ErrorMessage string `json:"ErrorMessage,omitempty"`
	Steps        []Step `json:"Steps"`
}

// Recorder collects the steps of one call. Its methods are safe for
// concurrent use and do nothing on a nil Recorder.
type Recorder struct {
	mu       sync.Mutex
	steps    []Step
	pool     string
	identity string
	account  string
}

// New returns an empty Recorder, with room for the steps of a login call
// (about ten) so that recording them does not regrow the slice.
func New() *Recorder { return &Recorder{steps: make([]Step, 0, 12)} }

type ctxKey struct{}

// With returns ctx carrying r.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// From returns the Recorder ctx carries, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(ctxKey{}).(*Recorder)
	return r
}

// On reports whether r records: callers compute costly facts only then.
func (r *Recorder) On() bool { return r != nil }

// Step records a step; facts are name, value pairs (a trailing name
// without a value is dropped).
func (r *Recorder) Step(phase, check, result, detail string, facts ...string) {
	if r == nil {
		return
	}
	m := make(Facts, 0, len(facts)/2)
	for i := 0; i+1 < len(facts); i += 2 {
		m = append(m, Fact{facts[i], Clean(facts[i+1])})
	}
	r.mu.Lock()
	r.steps = append(r.steps, Step{Phase: phase, Check: check, Result: result, Detail: Clean(detail), Facts: m})
	r.mu.Unlock()
}

// Pool records the call's pool and the account that owns it: the trace is
// kept for that account.
func (r *Recorder) Pool(id, account string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.pool, r.account = id, account
	r.mu.Unlock()
}

// Account records the account a call belongs to when it names no pool (an
// STS call's role account); a pool's account set by Pool wins.
func (r *Recorder) Account(account string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.account == "" {
		r.account = account
	}
	r.mu.Unlock()
}

// Identity records the identity the call resolved to.
func (r *Recorder) Identity(id string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.identity = id
	r.mu.Unlock()
}

// Failed reports whether a step failed.
func (r *Recorder) Failed() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.steps {
		if s.Result == Fail {
			return true
		}
	}
	return false
}

// Finish returns the trace of the call: its id, operation and time, the
// error's type and message (none for a success), and the account it belongs
// to ("" when the call named nothing of any account's).
func (r *Recorder) Finish(requestID, operation string, at time.Time, errType, errMsg string, internal bool) (*Trace, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := &Trace{
		Summary: Summary{
			RequestId: requestID, Operation: operation, Time: at.UTC().Format(time.RFC3339),
			IdentityPoolId: r.pool, IdentityId: r.identity, Outcome: OutcomeOK,
		},
		Steps: r.steps,
	}
	if t.Steps == nil {
		t.Steps = []Step{}
	}
	if errType != "" {
		t.Outcome, t.ErrorType, t.ErrorMessage = OutcomeRefused, errType, errMsg
		if internal {
			t.Outcome = OutcomeError
		}
	}
	return t, r.account
}

// maxFact bounds a fact's length.
const maxFact = 512

// jwtLike matches a compact JWS or JWE (every JWT starts with eyJ).
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*`)

// Clean replaces anything shaped like a token in s by "[token]" and clips it.
func Clean(s string) string {
	// Every match starts with "eyJ": most facts are ruled out without the regexp.
	if len(s) > 20 && strings.Contains(s, "eyJ") && jwtLike.MatchString(s) {
		s = jwtLike.ReplaceAllString(s, "[token]")
	}
	if len(s) > maxFact {
		n := maxFact
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}
