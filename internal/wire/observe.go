package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/ratelimit"
)

// recorder remembers the status a handler wrote. Recorders are pooled so
// observing a request allocates nothing.
type recorder struct {
	http.ResponseWriter
	status int
}

func (rw *recorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// observe serves r through route and records its operation, AWS error code
// (from x-amzn-ErrorType, which writeError sets; the HTTP status for the
// Query protocol) and duration.
func (h *handler) observe(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	label := metrics.Unknown
	if isQuery(r) {
		label = metrics.Query
	} else if name, ok := operationName(r.Header.Get("X-Amz-Target")); ok {
		if _, known := h.ops[name]; known {
			label = name
		}
	}
	rw := h.recorders.Get().(*recorder)
	rw.ResponseWriter, rw.status = w, 0
	h.route(rw, r)
	status := rw.status
	rw.ResponseWriter = nil
	h.recorders.Put(rw)

	code := ""
	if status >= 400 || status == 0 {
		code = strings.TrimSuffix(w.Header().Get("X-Amzn-ErrorType"), ":")
		if code == "" {
			code = strconv.Itoa(status)
		}
	}
	h.cfg.Metrics.Op(label).Done(code, h.now().Sub(start))
}

// opLabel is the metrics label of an operation name ("" is unknown).
func opLabel(name string) string {
	if name == "" {
		return metrics.Unknown
	}
	return name
}

// throttle wraps an operation's Call with its rate limit, so throttling runs
// after the signature is verified and the body validated (both in memory)
// and before the operation touches the store or signs anything. Signed calls
// are counted against the signer's account. Unsigned calls are counted
// against the account the request names (GetId's AccountId): the pool's
// account is only known after a store read, and reading the store to decide
// whether to refuse work would defeat the purpose. Unsigned calls that name
// no configured account share one bucket per operation.
func throttle(op ops.Operation, limit *ratelimit.Op, m *metrics.Op) func(context.Context, *auth.Caller, []byte) (any, error) {
	call := op.Call
	if limit == nil {
		return call
	}
	return func(ctx context.Context, c *auth.Caller, body []byte) (any, error) {
		account := c.Account()
		if account == "" && op.Unsigned {
			account = namedAccount(body)
		}
		if !limit.Allow(account) {
			m.Throttled(metrics.ReasonRate)
			return nil, rateExceeded()
		}
		return call(ctx, c, body)
	}
}

// namedAccount returns the AccountId member of a (validated) body, or "".
func namedAccount(body []byte) string {
	if !bytes.Contains(body, []byte(`"AccountId"`)) {
		return ""
	}
	var in struct{ AccountId string }
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	return in.AccountId
}
