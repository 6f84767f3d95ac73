// Package metrics holds the server's Prometheus metrics and serves them at
// GET /metrics in the text exposition format. Labels are bounded: operation
// names from the model and idpool's own IdpoolService.* operations (plus
// "unknown" and "query"), error codes that idpool
// itself produces, and throttle reasons. Nothing identifies a caller, an
// identity or a secret. The external STS's error codes are labelled up to a
// fixed number of distinct codes.
package metrics

import (
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label values of requests that are not a known Cognito Identity operation.
const (
	// Unknown labels JSON requests for an operation the model does not have.
	Unknown = "unknown"
	// Query labels the Query-protocol (STS, IAM) requests.
	Query = "query"
)

// Throttle reasons.
const (
	// ReasonRate is a refusal by a rate limit.
	ReasonRate = "rate"
	// ReasonInFlight is a refusal because too many requests were in flight.
	ReasonInFlight = "inflight"
)

// Metrics is one server's registry. It is not global: each server (and each
// test) has its own.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	throttled  *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	faults     *prometheus.CounterVec
	storage    *prometheus.CounterVec
	stsRefused *prometheus.CounterVec
	stsDown    *prometheus.CounterVec
	// loginSigs are idpool_login_signatures_total's children by outcome.
	loginSigs map[string]prometheus.Counter
	// stsCodes are the external STS's error codes labelled so far (at
	// most maxSTSCodes; later ones count as "other").
	stsCodes sync.Map
	stsCodeN atomic.Int32
	ops      map[string]*Op
}

// Op holds the pre-resolved children of one operation label, so the hot
// path is an atomic add, not a label lookup.
type Op struct {
	name     string
	m        *Metrics
	ok       prometheus.Counter
	latency  prometheus.Observer
	rate     prometheus.Counter
	inflight prometheus.Counter
	// errs caches the counter of each error code seen (a small, bounded set).
	errs sync.Map
}

// New returns the metrics for the given operation names.
func New(operations []string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idpool_requests_total",
			Help: "Requests answered, by operation and AWS error code (empty on success).",
		}, []string{"operation", "error"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idpool_throttled_total",
			Help: "Requests refused with TooManyRequestsException or ServiceUnavailable, by operation and reason (rate, inflight).",
		}, []string{"operation", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "idpool_request_duration_seconds",
			Help:    "Time from the first byte of a request to the end of its answer, by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idpool_faults_injected_total",
			Help: "Faults injected by fault rules, by operation and injected error code (\"latency\" for a delay alone).",
		}, []string{"operation", "error"}),
		storage: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idpool_storage_write_failures_total",
			Help: "Writes the store refused because it is full or read-only, by condition (full, read-only).",
		}, []string{"condition"}),
		stsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idpool_external_sts_refusals_total",
			Help: "AssumeRoleWithWebIdentity calls the external STS refused, by its error code.",
		}, []string{"code"}),
		stsDown: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idpool_external_sts_unavailable_total",
			Help: "AssumeRoleWithWebIdentity calls the external STS gave no usable answer to, by reason (unreachable, timeout, server-error).",
		}, []string{"reason"}),
		ops: make(map[string]*Op, len(operations)+2),
	}
	loginSigs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "idpool_login_signatures_total",
		Help: "Signature checks of JWT login tokens, by outcome: verified (an RSA/ECDSA verification) or cached (this node verified the same token under the same keys before).",
	}, []string{"outcome"})
	m.loginSigs = map[string]prometheus.Counter{}
	for _, o := range []string{LoginSignatureVerified, LoginSignatureCached} {
		m.loginSigs[o] = loginSigs.WithLabelValues(o)
	}
	m.reg.MustRegister(m.requests, m.throttled, m.latency, m.faults, m.storage, m.stsRefused, m.stsDown, loginSigs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Add(append([]string{Unknown, Query}, operations...)...)
	return m
}

// Add labels more operations by name (idpool's own IdpoolService.*
// operations, known only when the front end is built). Call it before
// serving: Op reads the table without a lock.
func (m *Metrics) Add(operations ...string) {
	if m == nil {
		return
	}
	for _, name := range operations {
		if _, ok := m.ops[name]; ok {
			continue
		}
		m.ops[name] = &Op{
			name:     name,
			m:        m,
			ok:       m.requests.WithLabelValues(name, ""),
			latency:  m.latency.WithLabelValues(name),
			rate:     m.throttled.WithLabelValues(name, ReasonRate),
			inflight: m.throttled.WithLabelValues(name, ReasonInFlight),
		}
	}
}

// Op returns the children of an operation; unknown names share Unknown's.
// A nil Metrics returns nil, and a nil *Op records nothing.
func (m *Metrics) Op(name string) *Op {
	if m == nil {
		return nil
	}
	if o, ok := m.ops[name]; ok {
		return o
	}
	return m.ops[Unknown]
}

// TrackInFlight exports the idpool_requests_in_flight gauge, read from
// count at scrape time (so the hot path pays nothing for it). Only the
// first call on m has an effect.
func (m *Metrics) TrackInFlight(count func() float64) {
	_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "idpool_requests_in_flight",
		Help: "Requests being served now (health checks and metrics excluded).",
	}, count))
}

// TrackStorage exports the idpool_storage_writable gauge (1 while writes
// work, 0 while the store is full or read-only), read from writable at
// scrape time. Only the first call on m has an effect.
func (m *Metrics) TrackStorage(writable func() float64) {
	_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "idpool_storage_writable",
		Help: "1 while the store takes writes; 0 while it is full or read-only (see /healthz).",
	}, writable))
}

// StorageWriteFailed counts one write refused for condition ("full",
// "read-only"). A nil Metrics records nothing.
func (m *Metrics) StorageWriteFailed(condition string) {
	if m == nil {
		return
	}
	m.storage.WithLabelValues(condition).Inc()
}

// maxSTSCodes bounds the code label of idpool_external_sts_refusals_total:
// the codes come from another server, so their set is not idpool's to bound.
const maxSTSCodes = 32

// stsCode matches the codes labelled as they are (AWS's and MinIO's are
// short CamelCase words).
var stsCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.]{0,63}$`)

// ExternalSTSRefused counts one refusal by the external STS with its error
// code: the first maxSTSCodes well-formed codes get their own label, the
// rest "other". A nil Metrics records nothing.
func (m *Metrics) ExternalSTSRefused(code string) {
	if m == nil {
		return
	}
	label := "other"
	if _, seen := m.stsCodes.Load(code); seen {
		label = code
	} else if stsCode.MatchString(code) && m.stsCodeN.Add(1) <= maxSTSCodes {
		m.stsCodes.Store(code, true)
		label = code
	}
	m.stsRefused.WithLabelValues(label).Inc()
}

// ExternalSTSUnavailable counts one call the external STS gave no usable
// answer to, for reason (sts.ReasonUnreachable, ReasonTimeout,
// ReasonServerError). A nil Metrics records nothing.
func (m *Metrics) ExternalSTSUnavailable(reason string) {
	if m == nil {
		return
	}
	m.stsDown.WithLabelValues(reason).Inc()
}

// Outcomes of idpool_login_signatures_total (logins.SignatureVerified and
// logins.SignatureCached).
const (
	LoginSignatureVerified = "verified"
	LoginSignatureCached   = "cached"
)

// LoginSignatureChecked counts one signature check of a login token by
// outcome; other outcomes are not counted. A nil Metrics records nothing.
func (m *Metrics) LoginSignatureChecked(outcome string) {
	if m == nil {
		return
	}
	if c := m.loginSigs[outcome]; c != nil {
		c.Inc()
	}
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Done records one answered request: its error code ("" on success) and
// how long it took.
func (o *Op) Done(code string, d time.Duration) {
	if o == nil {
		return
	}
	o.latency.Observe(d.Seconds())
	if code == "" {
		o.ok.Inc()
		return
	}
	c, ok := o.errs.Load(code)
	if !ok {
		c, _ = o.errs.LoadOrStore(code, o.m.requests.WithLabelValues(o.name, code))
	}
	c.(prometheus.Counter).Inc()
}

// Throttled records a refusal for reason (ReasonRate or ReasonInFlight).
func (o *Op) Throttled(reason string) {
	if o == nil {
		return
	}
	if reason == ReasonInFlight {
		o.inflight.Inc()
		return
	}
	o.rate.Inc()
}

// FaultInjected records one fault a fault rule injected into operation:
// its error code, or "latency". Both labels come from the model (the rule
// was validated against it), so the set stays bounded.
func (m *Metrics) FaultInjected(operation, code string) {
	if m == nil {
		return
	}
	m.faults.WithLabelValues(operation, code).Inc()
}
