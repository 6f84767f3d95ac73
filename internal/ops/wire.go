package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
)

// op adapts a typed handler to the dispatch table: it decodes the (already
// model-validated) body into In, so no handler parses JSON by hand.
func op[In, Out any](name string, unsigned bool, fn func(context.Context, *auth.Caller, *In) (*Out, error)) Operation {
	return Operation{
		Name:     name,
		Unsigned: unsigned,
		Call: func(ctx context.Context, c *auth.Caller, body []byte) (any, error) {
			in := new(In)
			if len(bytes.TrimSpace(body)) > 0 {
				if err := json.Unmarshal(body, in); err != nil {
					return nil, apierr.New(apierr.Serialization, "Start of structure or map found where not expected.").Wrap(err)
				}
			}
			if c == nil {
				c = &auth.Caller{}
			}
			out, err := fn(ctx, c, in)
			if err != nil {
				return nil, err
			}
			if out == nil {
				return &empty{}, nil
			}
			return out, nil
		},
	}
}

// empty is the output of operations that return nothing; it encodes as {}.
type empty struct{}

// epochSeconds is a timestamp as AWS JSON protocols send it: a JSON number of
// seconds since the epoch, fractional part allowed.
type epochSeconds time.Time

// stamp returns t as an epochSeconds pointer for optional output members.
func stamp(t time.Time) *epochSeconds {
	if t.IsZero() {
		return nil
	}
	e := epochSeconds(t)
	return &e
}

// MarshalJSON encodes the time with millisecond precision, as AWS does.
func (e epochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON accepts integer or fractional seconds.
func (e *epochSeconds) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*e = epochSeconds(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}
