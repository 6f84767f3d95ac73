package awsquery

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/sigv4"
)

// DefaultMaxBodyBytes bounds a Query request body when HandlerConfig leaves
// it zero. [inf] AWS does not document STS's or IAM's cap; 1 MiB holds the
// largest legal request (a 128 KiB policy, URL-encoded) many times over.
const DefaultMaxBodyBytes = 1 << 20

// HandlerConfig configures NewHandler.
type HandlerConfig struct {
	// Services are routed by action name; for signed requests the
	// credential scope must name the service's SigningName.
	Services []Service
	// Verifier checks signatures; its Keyring must know account keys and
	// the STS's vended credentials.
	Verifier     *sigv4.Verifier
	Logger       *slog.Logger
	MaxBodyBytes int64
}

type handler struct {
	services []Service
	verifier *sigv4.Verifier
	log      *slog.Logger
	maxBody  int64
}

// NewHandler returns the Query-protocol front end: it parses the form,
// verifies the signature, routes Action to a Service and writes AWS's XML
// answer or error. It never answers a 500 for a client's mistake.
func NewHandler(cfg HandlerConfig) http.Handler {
	h := &handler{services: cfg.Services, verifier: cfg.Verifier, log: cfg.Logger, maxBody: cfg.MaxBodyBytes}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := uuid.NewString()
	rw := &responder{w: w, requestID: reqID, ns: h.defaultNamespace()}
	action := ""
	defer func() {
		if p := recover(); p != nil {
			h.log.ErrorContext(r.Context(), "query action panicked", "request_id", reqID, "action", action, "panic", p)
			rw.fail(apierr.InternalIn(apierr.Query, nil))
		}
		h.log.InfoContext(r.Context(), "query request", "request_id", reqID, "action", action,
			"status", rw.status, "error", rw.code, "duration", time.Since(start))
	}()

	body, form, err := h.readForm(w, r)
	if err != nil {
		rw.fail(err)
		return
	}
	action, _ = Get(form, "Action")
	svc, act, found := h.route(form, action)
	rw.ns = svc.XMLNamespace()

	principal, scope, err := h.verify(r, body, svc, found)
	switch {
	case sigv4.IsNoSignature(err) && (!found || act.Unsigned):
		principal = nil
	case err != nil:
		var se *sigv4.Error
		if errors.As(err, &se) {
			rw.fail(se.Query())
		} else {
			h.log.ErrorContext(r.Context(), "signature check failed", "request_id", reqID, "err", err)
			rw.fail(apierr.InternalIn(apierr.Query, nil))
		}
		return
	}
	if !found {
		rw.fail(unknownAction(action, form))
		return
	}
	caller := &auth.Caller{Principal: principal, Region: scope.Region, RequestID: reqID, SourceIP: sourceIP(r)}
	result, err := act.Call(r.Context(), caller, form)
	if err != nil && r.Context().Err() != nil {
		// The client hung up mid-call: not a server failure, and nobody reads
		// the answer (nginx's 499, as the JSON front end records it).
		rw.status, rw.code = statusClientClosed, "ClientClosedRequest"
		w.WriteHeader(rw.status)
		return
	}
	if err != nil {
		h.logFailure(r.Context(), reqID, action, err)
		rw.fail(err)
		return
	}
	rw.ok(action, result)
}

// verify checks the signature against the action's service; the signature
// of a request for an unknown action is checked for any service, so a signed
// client learns its action is unknown rather than that its scope is wrong.
func (h *handler) verify(r *http.Request, body []byte, svc Service, found bool) (*auth.Principal, sigv4.Scope, error) {
	if h.verifier == nil {
		return nil, sigv4.Scope{}, &sigv4.Error{Kind: sigv4.NoSignature, Message: "no verifier"}
	}
	if !found {
		return h.verifier.Verify(r.Context(), r, body)
	}
	return h.verifier.VerifyService(r.Context(), r, body, svc.SigningName())
}

// readForm reads and parses the form: the body of a POST, the query string
// of a GET (AWS's Query services accept both).
func (h *handler) readForm(w http.ResponseWriter, r *http.Request) ([]byte, url.Values, error) {
	if r.Method == http.MethodGet {
		form, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, nil, apierr.Queryf(apierr.QueryMalformedQueryString, "The query string is malformed.")
		}
		return nil, form, nil
	}
	if r.Method != http.MethodPost {
		return nil, nil, apierr.Queryf(apierr.QueryInvalidAction, "Only GET and POST requests are supported.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, apierr.Queryf(apierr.QueryRequestEntityTooLarge, "Request body must be less than %d bytes.", h.maxBody)
		}
		return nil, nil, apierr.Queryf(apierr.QueryMalformedQueryString, "The request body could not be read.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, apierr.Queryf(apierr.QueryMalformedQueryString, "The request body is not a valid form.")
	}
	// Parameters in the URL of a POST count too (SDKs never send them, curl
	// users do); the body wins for a name sent twice.
	if r.URL.RawQuery != "" {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
			for k, v := range q {
				if _, dup := form[k]; !dup && k != "X-Amz-Signature" {
					form[k] = v
				}
			}
		}
	}
	return body, form, nil
}

// route finds the service that has the action. When several do, the one
// whose API version the request names wins. A request for an unknown action
// still gets a service (for its namespace and signing name).
func (h *handler) route(form url.Values, action string) (Service, Action, bool) {
	version, _ := Get(form, "Version")
	var firstSvc Service
	var firstAct Action
	found := false
	for _, s := range h.services {
		a, ok := s.Action(action)
		if !ok {
			continue
		}
		if !found {
			firstSvc, firstAct, found = s, a, true
		}
		if v, ok := s.(versioned); ok && v.APIVersion() == version {
			return s, a, true
		}
	}
	if found {
		return firstSvc, firstAct, true
	}
	for _, s := range h.services {
		if v, ok := s.(versioned); ok && v.APIVersion() == version {
			return s, Action{}, false
		}
	}
	if len(h.services) > 0 {
		return h.services[0], Action{}, false
	}
	return noService{}, Action{}, false
}

// versioned services name their API version (2011-06-15 for STS), which
// breaks ties between services that share an action name.
type versioned interface{ APIVersion() string }

func (h *handler) defaultNamespace() string {
	if len(h.services) > 0 {
		return h.services[0].XMLNamespace()
	}
	return ""
}

// statusClientClosed records a request whose client went away first.
const statusClientClosed = 499

func unknownAction(action string, form url.Values) error {
	if action == "" {
		// [inf] STS answers a form without Action like an unknown one.
		return apierr.Queryf(apierr.QueryMissingAction, "Missing Action")
	}
	version, _ := Get(form, "Version")
	return apierr.Queryf(apierr.QueryInvalidAction, "Could not find operation %s for version %s", action, version)
}

func (h *handler) logFailure(ctx context.Context, reqID, action string, err error) {
	var ae *apierr.Error
	if errors.As(err, &ae) && ae.Status() < 500 {
		return
	}
	h.log.ErrorContext(ctx, "query action failed", "request_id", reqID, "action", action, "err", err)
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type noService struct{}

func (noService) SigningName() string          { return "" }
func (noService) XMLNamespace() string         { return "" }
func (noService) Action(string) (Action, bool) { return Action{}, false }
