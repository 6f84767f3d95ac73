package wire

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/ratelimit"
	"github.com/idpool/idpool/internal/sigv4"
)

// DefaultMaxBodyBytes caps a request body when Config leaves it zero. AWS's
// JSON services refuse large requests too; the largest legitimate Cognito
// Identity request (ten 50,000-character logins) fits with room to spare.
const DefaultMaxBodyBytes = 1 << 20

// ResetPath is the development-only endpoint that clears all state.
const ResetPath = "/_idpool/reset"

// signingName is the SigV4 service name of Cognito Identity.
const signingName = "cognito-identity"

// Validator checks a request body against the service model.
// *model.Model implements it.
type Validator interface {
	// Has reports whether op is an operation of the model.
	Has(op string) bool
	// Validate returns the ValidationException (or SerializationException)
	// AWS would answer for body, or nil when it is valid.
	Validate(op string, body []byte) *apierr.Error
}

// Config configures the handler.
type Config struct {
	// Operations is the dispatch table.
	Operations []ops.Operation
	// Validator checks bodies before an operation runs; nil skips it.
	Validator Validator
	// Verifier checks signatures. Required.
	Verifier *sigv4.Verifier
	// Query serves form-encoded POSTs (STS, IAM); nil answers them as an
	// unknown operation.
	Query http.Handler
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
}

// handler is the http.Handler New returns.
type handler struct {
	cfg Config
	ops map[string]ops.Operation
	log *slog.Logger
	now func() time.Time
	// inFlight counts requests being served, for MaxInFlight and the gauge.
	inFlight atomic.Int64
	metrics  http.Handler
	// recorders are reused across requests when Metrics is set.
	recorders sync.Pool
}

// New returns the front end for cfg.
func New(cfg Config) http.Handler {
	h := &handler{cfg: cfg, ops: make(map[string]ops.Operation, len(cfg.Operations)), log: cfg.Logger, now: cfg.Now}
	for _, op := range cfg.Operations {
		op.Call = throttle(op, cfg.RateLimits.Op(op.Name), cfg.Metrics.Op(op.Name))
		h.ops[op.Name] = op
	}
	if cfg.Metrics != nil {
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
	if h.cfg.Metrics != nil {
		h.observe(w, r)
		return
	}
	h.route(w, r)
}

// route serves everything but health checks and metrics.
func (h *handler) route(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodOptions:
		preflight(w, r)
	case h.cfg.Extra[r.URL.Path] != nil:
		h.cfg.Extra[r.URL.Path].ServeHTTP(w, r)
	case r.URL.Path == ResetPath:
		h.reset(w, r)
	case h.cfg.Query != nil && isQuery(r):
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
		h.cfg.Query.ServeHTTP(w, r)
	default:
		h.serveJSON(w, r)
	}
}

// formType is the media type of Query-protocol bodies.
const formType = "application/x-www-form-urlencoded"

// isQuery reports a Query-protocol request (STS, IAM): a form POST, or a GET
// of / naming an Action (STS answers GETs too: presigned GetCallerIdentity
// URLs are how EKS tokens and Vault's AWS auth prove an identity).
func isQuery(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost:
		return isForm(r.Header.Get("Content-Type"))
	case http.MethodGet:
		return r.URL.Path == "/" && r.URL.Query().Has("Action")
	}
	return false
}

// isForm reports the form media type, with or without parameters. It runs
// on every POST, so it compares in place rather than through
// mime.ParseMediaType, which allocates.
func isForm(contentType string) bool {
	if len(contentType) < len(formType) || !strings.EqualFold(contentType[:len(formType)], formType) {
		return false
	}
	rest := strings.TrimLeft(contentType[len(formType):], " \t")
	return rest == "" || rest[0] == ';'
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

// operationName returns the operation named by an X-Amz-Target value, in
// either of the forms SDKs send.
func operationName(target string) (string, bool) {
	for _, prefix := range []string{"AWSCognitoIdentityService.", "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService."} {
		if name, ok := strings.CutPrefix(target, prefix); ok && name != "" {
			return name, true
		}
	}
	return "", false
}
