package wire

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/metrics"
)

// MetricsPath serves the Prometheus metrics when Config.Metrics is set.
const MetricsPath = "/metrics"

// rateExceeded is AWS's throttling answer: HTTP 400,
// {"__type":"TooManyRequestsException","message":"Rate exceeded"}
// (api-notes §4.11, observed from GetId and GetCredentialsForIdentity). The
// SDKs retry it as a throttle, by its code.
func rateExceeded() *apierr.Error {
	return &apierr.Error{Code: apierr.TooManyRequests, Message: "Rate exceeded"}
}

// queryBusy is the Query-protocol (STS, IAM) answer when too many requests
// are in flight. It is a 503 ServiceUnavailable rather than a Throttling
// 400: the refusal is about the server's load, not the caller's quota, and
// 503 is what load balancers and every SDK's retryer treat as transient.
// The namespace is left out: the form has not been read, and SDKs parse
// Error/Code without it.
const queryBusy = `<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service is too busy; try again.</Message></Error><RequestId>`

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

// refuse answers a request beyond MaxInFlight without reading its body:
// a JSON request gets TooManyRequestsException (the only throttle the
// Cognito Identity model declares, so every client handles it), a Query
// request 503 ServiceUnavailable, anything else a plain 503.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	id := uuid.NewString()
	hd := w.Header()
	hd.Set("x-amzn-RequestId", id)
	switch {
	case isQuery(r):
		hd.Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(queryBusy + id + "</RequestId></ErrorResponse>"))
		h.cfg.Metrics.Op(metrics.Query).Throttled(metrics.ReasonInFlight)
	case r.Method == http.MethodPost:
		name, _ := operationName(r.Header.Get("X-Amz-Target"))
		if _, known := h.ops[name]; !known {
			name = ""
		}
		c := &call{op: name, caller: auth.Caller{RequestID: id, SourceIP: sourceIP(r)}}
		h.writeError(w, r, c, rateExceeded())
		h.cfg.Metrics.Op(opLabel(name)).Throttled(metrics.ReasonInFlight)
		h.logRequest(r, c, h.now().Sub(start))
	default:
		hd.Set("Retry-After", "1")
		http.Error(w, "service busy", http.StatusServiceUnavailable)
	}
}

// health answers /healthz: 200 "ok", or 503 "draining" once a graceful
// shutdown has begun.
func (h *handler) health(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if h.cfg.Draining != nil && h.cfg.Draining() {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("draining"))
		return
	}
	_, _ = w.Write([]byte("ok"))
}
