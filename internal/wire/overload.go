package wire

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/metrics"
)

// enter counts a request in, and reports false (counting it out again)
// when that would pass MaxInFlight.
func (h *handler) enter() bool {
	n := h.inFlight.Add(1)
	if h.cfg.MaxInFlight > 0 && n > int64(h.cfg.MaxInFlight) {
		h.inFlight.Add(-1)
		return false
	}
	return true
}

// refuse answers a request beyond MaxInFlight without reading its body: an
// API request gets its codec's busy answer (TooManyRequestsException for
// JSON, the only throttle the Cognito Identity model declares, so every
// client handles it; 503 ServiceUnavailable for STS and IAM), anything
// else a plain 503.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	if r.Method != http.MethodPost && !(h.query != nil && awsquery.IsQuery(r)) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "service busy", http.StatusServiceUnavailable)
		return
	}
	x := &exchange{codec: h.codecOf(r)}
	x.req.Start, x.req.ID, x.req.Protocol = start, uuid.NewString(), x.codec.Protocol()
	if x.req.Protocol == apierr.JSON {
		x.req.Operation = h.json.Operation(r)
	}
	x.req.Caller = nil
	w.Header().Set("x-amzn-RequestId", x.req.ID)
	e := x.codec.Throttled(true)
	x.status, x.code = e.Status(), e.Code
	x.codec.WriteError(w, nil, x.req.ID, e)
	h.cfg.Metrics.Op(h.label(x)).Throttled(metrics.ReasonInFlight)
	h.finish(r, x)
}
