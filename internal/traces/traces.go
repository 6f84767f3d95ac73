// Package traces keeps the decision traces of the calls that decide who a
// caller is and what it gets (GetId, GetOpenIdToken,
// GetOpenIdTokenForDeveloperIdentity, GetCredentialsForIdentity,
// UnlinkIdentity, STS AssumeRoleWithWebIdentity): a wire.Hook gives each
// such call a trace.Recorder and keeps the trace under the request id, for
// the account the call belongs to; the extensions IdpoolService.GetTrace and
// ListTraces read them back. Tracing changes nothing of the answer.
package traces

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/trace"
	"github.com/idpool/idpool/internal/wire"
)

// Traced are the operations a trace is kept for.
var Traced = map[string]bool{
	"GetId": true, "GetOpenIdToken": true, "GetOpenIdTokenForDeveloperIdentity": true,
	"GetCredentialsForIdentity": true, "UnlinkIdentity": true, "AssumeRoleWithWebIdentity": true,
}

// Config sizes the keeper (config.Traces says whether there is one).
type Config struct {
	// PerAccount bounds the traces kept per account (default 1000).
	PerAccount int
	// SampleRate is the share of calls traced, in (0, 1] (default 1).
	SampleRate float64
}

// Keeper is the hook and the store of traces.
type Keeper struct {
	store *trace.Store
	rate  float64
	now   func() time.Time
	roll  func() float64
}

var _ wire.Hook = (*Keeper)(nil)

// New returns a Keeper for c (checked by config.Validate); now is the clock (time.Now when nil).
func New(c Config, now func() time.Time) *Keeper {
	if now == nil {
		now = time.Now
	}
	rate := c.SampleRate
	if rate <= 0 || rate > 1 {
		rate = 1
	}
	return &Keeper{store: trace.NewStore(c.PerAccount), rate: rate, now: now, roll: rand.Float64}
}

// Store is where the traces are kept.
func (k *Keeper) Store() *trace.Store { return k.store }

// Begin implements wire.Hook: a traced operation, when sampled, gets a
// recorder in its context.
func (k *Keeper) Begin(ctx context.Context, r *wire.Request) (context.Context, error) {
	if !Traced[r.Operation] || strings.HasPrefix(r.Operation, "IdpoolService.") {
		return ctx, nil
	}
	if k.rate < 1 && k.roll() >= k.rate {
		return ctx, nil
	}
	return trace.With(ctx, trace.New()), nil
}

// End implements wire.Hook: it keeps the trace for the call's account (the
// pool's, else the signer's); a call that named nothing of any account's is
// not kept.
func (k *Keeper) End(ctx context.Context, r *wire.Request, _ any, err *apierr.Error) {
	tr := trace.From(ctx)
	if tr == nil {
		return
	}
	var typ, msg string
	internal := false
	if err != nil {
		typ, msg, internal = err.Code, err.Message, err.Status() >= 500
		if !tr.Failed() {
			check, detail := "error", "The call was refused: "+msg
			for _, a := range r.Attrs {
				if a.Key == "fault" {
					check, detail = "fault", "An injected fault (IdpoolService.AddFault) answered the call."
				}
			}
			tr.Step(trace.PhasePool, check, trace.Fail, detail, "code", typ)
		}
	}
	t, account := tr.Finish(r.ID, r.Operation, r.Start, typ, msg, internal)
	if account == "" {
		account = r.Caller.Account()
	}
	if account == "" {
		return
	}
	k.store.Put(account, t)
}

// Names of the extension operations.
const (
	GetTraceName   = "GetTrace"
	ListTracesName = "ListTraces"
)

// Extensions are the signed, account-scoped operations reading the caller's
// own traces.
func (k *Keeper) Extensions() []ops.Operation {
	return []ops.Operation{ops.Extension(GetTraceName, k.getTrace), ops.Extension(ListTracesName, k.listTraces)}
}

type getTraceInput struct {
	RequestId string `json:"RequestId"`
}

type getTraceOutput struct {
	Trace *trace.Trace `json:"Trace"`
}

func (k *Keeper) getTrace(_ context.Context, c *auth.Caller, in *getTraceInput) (*getTraceOutput, error) {
	if in.RequestId == "" {
		return nil, apierr.InvalidParameterf("RequestId is required.")
	}
	t, ok := k.store.Get(c.Account(), in.RequestId)
	if !ok {
		return nil, apierr.NotFoundf("Trace '%s' not found.", clip(in.RequestId))
	}
	return &getTraceOutput{Trace: t}, nil
}

type listTracesInput struct {
	Operation      string `json:"Operation,omitempty"`
	IdentityId     string `json:"IdentityId,omitempty"`
	IdentityPoolId string `json:"IdentityPoolId,omitempty"`
	MaxResults     *int   `json:"MaxResults,omitempty"`
	NextToken      string `json:"NextToken,omitempty"`
}

type listTracesOutput struct {
	Traces    []trace.Summary `json:"Traces"`
	NextToken string          `json:"NextToken,omitempty"`
}

func (k *Keeper) listTraces(_ context.Context, c *auth.Caller, in *listTracesInput) (*listTracesOutput, error) {
	max := 20
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 60 {
			return nil, apierr.InvalidParameterf("MaxResults must be between 1 and 60.")
		}
		max = *in.MaxResults
	}
	list, next, ok := k.store.List(c.Account(), trace.Filter{Operation: in.Operation, IdentityID: in.IdentityId, PoolID: in.IdentityPoolId}, max, in.NextToken)
	if !ok {
		return nil, apierr.InvalidParameterf("The NextToken is not valid.")
	}
	out := &listTracesOutput{Traces: make([]trace.Summary, 0, len(list)), NextToken: next}
	for _, t := range list {
		out.Traces = append(out.Traces, t.Summary)
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
