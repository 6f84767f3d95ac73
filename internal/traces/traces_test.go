package traces

import (
	"context"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/trace"
	"github.com/idpool/idpool/internal/wire"
)

// A sampled call of a traced operation is kept for its pool's account, an
// untraced or unsampled one is not, and one that names no account is dropped.
func TestKeeper(t *testing.T) {
	k := New(Config{SampleRate: 0.5}, func() time.Time { return time.Unix(0, 0) })
	rolls := []float64{0.1, 0.9}
	k.roll = func() float64 { r := rolls[0]; rolls = rolls[1:]; return r }
	run := func(id, op string, account string, poolAccount string, err *apierr.Error) {
		r := &wire.Request{ID: id, Operation: op, Caller: &auth.Caller{}, Start: time.Unix(0, 0)}
		if account != "" {
			r.Caller.Principal = &auth.Principal{AccountID: account}
		}
		ctx, _ := k.Begin(context.Background(), r)
		if poolAccount != "" {
			trace.From(ctx).Pool("pool-1", poolAccount)
		}
		k.End(ctx, r, nil, err)
	}
	run("sampled", "GetId", "", "111111111111", apierr.NotAuthorizedf("no"))
	run("unsampled", "GetId", "", "111111111111", nil)
	run("untraced", "DescribeIdentityPool", "111111111111", "", nil)
	if tr, ok := k.Store().Get("111111111111", "sampled"); !ok || tr.Outcome != trace.OutcomeRefused || tr.Steps[0].Check != "error" {
		t.Errorf("sampled: %+v %v", tr, ok)
	}
	for _, id := range []string{"unsampled", "untraced"} {
		if _, ok := k.Store().Get("111111111111", id); ok {
			t.Errorf("%s is kept", id)
		}
	}
	k.rate = 1
	run("nobody", "GetId", "", "", nil)
	if n := k.Store().Len(""); n != 0 {
		t.Errorf("a call of no account is kept (%d)", n)
	}
}
