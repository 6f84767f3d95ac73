package wire

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/awsjson"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/ratelimit"
	"github.com/idpool/idpool/internal/sigv4"
)

// DefaultMaxBodyBytes caps a request body when Config leaves it zero. AWS's
// JSON services refuse large requests too; the largest legitimate Cognito
// Identity request (ten 50,000-character logins) fits with room to spare,
// and so does the largest Query request (a 128 KiB policy, URL-encoded).
const DefaultMaxBodyBytes = 1 << 20

// ResetPath is the development-only endpoint that clears all state.
const ResetPath = "/_idpool/reset"

// MetricsPath serves the Prometheus metrics when Config.Metrics is set.
const MetricsPath = "/metrics"

// Config configures the front end.
type Config struct {
	// Operations is Cognito Identity's operation table (AWS JSON 1.1).
	Operations []ops.Operation
	// Extensions are idpool's own operations on the JSON wire, under the
	// target prefix awsjson.ExtensionPrefix; always signed.
	Extensions []ops.Operation
	// Validator checks JSON bodies before an operation runs; nil skips it.
	Validator awsjson.Validator
	// QueryServices are the Query-protocol services (STS, IAM) answering
	// form-encoded POSTs and GETs naming an Action; none: such requests are
	// answered as JSON ones (an unknown operation).
	QueryServices []awsquery.Service
	// Verifier checks signatures. Required.
	Verifier *sigv4.Verifier
	// Extra are plain handlers by exact path (/.well-known/jwks_uri, ...).
	Extra map[string]http.Handler
	// Reset clears all state for POST /_idpool/reset; nil (the default, and
	// always outside development mode) answers 404.
	Reset func(ctx context.Context) error
	// Logger receives one line per request; discarded when nil.
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// Now is the clock for request durations; time.Now when nil.
	Now func() time.Time

	// RateLimits throttles operations per account before they run; nil
	// limits nothing.
	RateLimits *ratelimit.Limiter
	// MaxInFlight caps the requests served at once (health checks and
	// metrics excluded); beyond it requests are refused at once. Zero or
	// less: no cap.
	MaxInFlight int
	// Metrics records every request and serves GET /metrics; nil: neither.
	Metrics *metrics.Metrics
	// Draining, when it reports true, makes /healthz answer 503 so load
	// balancers stop sending traffic during a graceful shutdown.
	Draining func() bool
	// Degraded, when it reports a storage condition ("full", "read-only"),
	// makes /healthz answer 503 with it: writes fail, reads are served.
	Degraded func() string
	// Hooks run around every call's operation, in order (traces, faults).
	Hooks []Hook
}

// handler is the http.Handler New returns.
type handler struct {
	cfg   Config
	json  *awsjson.Codec
	query *awsquery.Codec // nil without QueryServices
	log   *slog.Logger
	now   func() time.Time
	// inFlight counts requests being served, for MaxInFlight and the gauge.
	inFlight atomic.Int64
	metrics  http.Handler
	// recorders are reused across requests when Metrics is set.
	recorders sync.Pool
}

// New returns the front end for cfg.
func New(cfg Config) http.Handler {
	h := &handler{cfg: cfg, json: awsjson.New(cfg.Operations, cfg.Validator, cfg.Extensions...), log: cfg.Logger, now: cfg.Now}
	if len(cfg.QueryServices) > 0 {
		h.query = awsquery.New(cfg.QueryServices...)
	}
	if cfg.Metrics != nil {
		// idpool's own operations are labelled by their X-Amz-Target name.
		for _, e := range cfg.Extensions {
			cfg.Metrics.Add(awsjson.ExtensionPrefix + e.Name)
		}
		h.metrics = cfg.Metrics.Handler()
		cfg.Metrics.TrackInFlight(func() float64 { return float64(h.inFlight.Load()) })
	}
	h.recorders.New = func() any { return &recorder{} }
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.cfg.MaxBodyBytes <= 0 {
		h.cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return h
}

// ServeHTTP routes a request. Every response carries CORS headers, because
// browsers call the unsigned operations directly. Health checks and metrics
// are answered before the in-flight cap, so they work under overload.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header())
	if len(r.TransferEncoding) > 0 {
		// Go reads a chunked body and drops any Content-Length beside it;
		// RFC 9112 §6.3 requires closing the connection after answering
		// such a request, so a proxy that framed it by Content-Length can't
		// have a second request smuggled through it.
		w.Header().Set("Connection", "close")
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case r.URL.Path == "/healthz" && get:
		h.health(w)
		return
	case r.URL.Path == MetricsPath && get && h.metrics != nil:
		h.metrics.ServeHTTP(w, r)
		return
	}
	if !h.enter() {
		h.refuse(w, r)
		return
	}
	defer h.inFlight.Add(-1)
	switch {
	case r.Method == http.MethodOptions:
		h.plain(w, r, preflight)
	case h.cfg.Extra[r.URL.Path] != nil:
		h.plain(w, r, h.cfg.Extra[r.URL.Path].ServeHTTP)
	case r.URL.Path == ResetPath:
		h.plain(w, r, h.reset)
	default:
		h.serveAPI(w, r)
	}
}

// reset serves the development-only reset endpoint.
func (h *handler) reset(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Reset == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := h.cfg.Reset(r.Context()); err != nil {
		h.log.ErrorContext(r.Context(), "reset failed", "err", err)
		http.Error(w, "reset failed", http.StatusInternalServerError)
		return
	}
	h.log.WarnContext(r.Context(), "development reset: all state cleared")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

// health answers /healthz: 200 "ok"; 503 "draining" once a graceful
// shutdown has begun, or "degraded: storage full|read-only; ..." while the
// store takes no writes.
func (h *handler) health(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if h.cfg.Draining != nil && h.cfg.Draining() {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("draining"))
		return
	}
	if h.cfg.Degraded != nil {
		if c := h.cfg.Degraded(); c != "" {
			// A load balancer must stop sending writes here; the body says why.
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("degraded: storage " + c + "; writes fail, reads are served"))
			return
		}
	}
	_, _ = w.Write([]byte("ok"))
}
