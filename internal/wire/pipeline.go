package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/protocol"
	"github.com/idpool/idpool/internal/sigv4"
)

// statusClientClosed and codeClientClosed record a request whose client went
// away before the answer (nginx's "499 Client Closed Request").
const (
	statusClientClosed = 499
	codeClientClosed   = "ClientClosedRequest"
)

// Request is what the pipeline knows of a call when its hooks run.
type Request struct {
	// ID is the request id (x-amzn-RequestId).
	ID       string
	Protocol apierr.Protocol
	// Service is the SigV4 signing name ("cognito-identity", "sts", "iam").
	Service   string
	Operation string
	// Caller is the verified caller (Principal nil when unsigned).
	Caller *auth.Caller
	// Input is the JSON body ([]byte) or the Query form (url.Values).
	Input any
	// Start is when the request arrived.
	Start time.Time
	// Attrs are added to the request's log line by hooks (an injected
	// fault marks it).
	Attrs []slog.Attr
}

// Hook runs around every call's operation, whatever its protocol.
type Hook interface {
	// Begin runs once the call is authenticated, validated and within its
	// rate limit. It returns the context the operation runs in (a trace
	// may ride in it) and, to answer instead of running the operation, an
	// error in the call's protocol (an injected fault).
	Begin(ctx context.Context, r *Request) (context.Context, error)
	// End runs with the outcome, before the answer is written.
	End(ctx context.Context, r *Request, out any, err *apierr.Error)
}

// exchange is one API request on its way through the pipeline.
type exchange struct {
	codec  protocol.Codec
	call   *protocol.Call
	req    Request
	status int
	code   string
}

// serveAPI runs the steps every API request shares, whatever its protocol,
// in a fixed order so no operation can skip one: decode, authenticate,
// authorize, validate, rate limit, hooks, call, write; and, around them,
// the request id, panic recovery, the log line and the metrics.
func (h *handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	x := &exchange{codec: h.codecOf(r)}
	x.req.Start = h.now()
	x.req.ID = uuid.NewString()
	x.req.Protocol = x.codec.Protocol()
	x.req.Caller = &auth.Caller{RequestID: x.req.ID, SourceIP: sourceIP(r)}
	w.Header().Set("x-amzn-RequestId", x.req.ID)
	defer func() {
		if p := recover(); p != nil {
			h.fail(w, r, x, apierr.InternalIn(x.req.Protocol, fmt.Errorf("panic: %v", p)))
		}
		h.finish(r, x)
	}()
	out, err := h.run(w, r, x)
	if err != nil {
		h.fail(w, r, x, err)
		return
	}
	x.status = http.StatusOK
	x.codec.WriteResult(w, x.call, x.req.ID, out)
}

// codecOf picks the protocol of a request.
func (h *handler) codecOf(r *http.Request) protocol.Codec {
	if h.query != nil && awsquery.IsQuery(r) {
		return h.query
	}
	return h.json
}

func (h *handler) run(w http.ResponseWriter, r *http.Request, x *exchange) (any, error) {
	call, err := x.codec.Decode(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	x.call = call
	x.req.Service, x.req.Operation, x.req.Input = call.Service, call.Operation, call.Input
	if err := h.authenticate(r, call, x.req.Caller, x.req.Protocol); err != nil {
		return nil, err
	}
	if call.Deferred != nil {
		return nil, call.Deferred
	}
	if call.Validate != nil {
		if err := call.Validate(); err != nil {
			return nil, err
		}
		x.req.Input = call.Input
	}
	if !h.allow(x) {
		return nil, x.codec.Throttled(false)
	}
	ctx := r.Context()
	for i, hook := range h.cfg.Hooks {
		var herr error
		if ctx, herr = hook.Begin(ctx, &x.req); herr != nil {
			h.end(ctx, x, i+1, nil, herr)
			return nil, herr
		}
	}
	out, err := call.Invoke(ctx, x.req.Caller)
	h.end(ctx, x, len(h.cfg.Hooks), out, err)
	return out, err
}

// end tells the first n hooks the outcome, last begun first.
func (h *handler) end(ctx context.Context, x *exchange, n int, out any, err error) {
	var e *apierr.Error
	if err != nil {
		e = apierr.AsIn(x.req.Protocol, err)
	}
	for i := n - 1; i >= 0; i-- {
		h.cfg.Hooks[i].End(ctx, &x.req, out, e)
	}
}

// authenticate verifies the signature when there is one, and demands one
// for signed operations. The scope's region becomes the caller's region.
func (h *handler) authenticate(r *http.Request, call *protocol.Call, caller *auth.Caller, p apierr.Protocol) error {
	var (
		principal *auth.Principal
		scope     sigv4.Scope
		err       error
	)
	body := call.Body
	if call.AnyService {
		principal, scope, err = h.cfg.Verifier.Verify(r.Context(), r, body)
	} else {
		principal, scope, err = h.cfg.Verifier.VerifyService(r.Context(), r, body, call.Service)
	}
	if err != nil {
		if call.Unsigned && sigv4.IsNoSignature(err) {
			return nil
		}
		var se *sigv4.Error
		if !errors.As(err, &se) {
			return apierr.InternalIn(p, err)
		}
		if p == apierr.Query {
			return se.Query()
		}
		return se.JSON()
	}
	if principal.Session != nil && call.DenySessions {
		// Credentials vended to app users carry no IAM permission policy
		// (idpool has none), so they may call only what AWS lets anyone
		// call: the unsigned operations. Denied as AWS denies an IAM
		// principal without the permission; [inf] the resource is "*" as
		// the request is not parsed yet.
		return apierr.New(apierr.AccessDenied, "User: %s is not authorized to perform: %s:%s on resource: *", principal.ARN, call.Service, call.Operation)
	}
	caller.Principal = principal
	caller.Region = scope.Region
	return nil
}

// allow applies the operation's rate limit. Signed calls are counted
// against the signer's account. Unsigned calls are counted against the
// account the request names (GetId's AccountId): the pool's account is only
// known after a store read, and reading the store to decide whether to
// refuse work would defeat the purpose. Unsigned calls that name no
// configured account share one bucket per operation. It runs after the
// signature is verified and the input validated (both in memory) and
// before the operation touches the store or signs anything.
func (h *handler) allow(x *exchange) bool {
	limit := h.cfg.RateLimits.Op(x.call.Operation)
	if limit == nil {
		return true
	}
	account := x.req.Caller.Account()
	if account == "" {
		account = x.call.Account
	}
	if limit.Allow(account) {
		return true
	}
	h.cfg.Metrics.Op(h.label(x)).Throttled(metrics.ReasonRate)
	return false
}

// fail writes err in the request's protocol. A client that hung up is
// recorded as 499 with no answer: nothing failed here and nobody reads it.
// Internal errors are logged with their cause and answered generically.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, x *exchange, err error) {
	if r.Context().Err() != nil {
		x.status, x.code = statusClientClosed, codeClientClosed
		w.WriteHeader(x.status)
		return
	}
	e := apierr.AsIn(x.req.Protocol, err)
	if e.Status() >= 500 && e.Unwrap() != nil && !e.IsQuiet() {
		msg := "request failed"
		if e.Code == apierr.InternalError || e.Code == apierr.QueryInternalFailure {
			msg = "internal error"
		}
		h.log.ErrorContext(r.Context(), msg, "request_id", x.req.ID, "operation", x.req.Operation, "err", err)
	}
	x.status, x.code = e.Status(), e.Code
	x.codec.WriteError(w, x.call, x.req.ID, e)
}

// finish writes the one structured line per request and its metrics. It
// never logs tokens, secrets, the Authorization header or the body.
func (h *handler) finish(r *http.Request, x *exchange) {
	d := h.now().Sub(x.req.Start)
	if h.cfg.Metrics != nil {
		code := ""
		if x.status >= 400 {
			code = x.code
		}
		h.cfg.Metrics.Op(h.label(x)).Done(code, d)
	}
	level := slog.LevelInfo
	if x.status >= 500 && x.status != statusClientClosed {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", x.req.ID),
		slog.String("operation", x.req.Operation),
		slog.Int("status", x.status),
		slog.Duration("duration", d),
	}
	if x.req.Service != "" && x.req.Service != "cognito-identity" {
		attrs = append(attrs, slog.String("service", x.req.Service))
	}
	if acct := x.req.Caller.Account(); acct != "" {
		attrs = append(attrs, slog.String("account", acct))
	}
	if x.code != "" {
		attrs = append(attrs, slog.String("error", x.code))
	}
	attrs = append(attrs, x.req.Attrs...)
	h.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// label is the metrics label of a request: its Cognito operation, or
// metrics.Query for STS and IAM, or metrics.Unknown.
func (h *handler) label(x *exchange) string {
	if x.req.Protocol == apierr.Query {
		return metrics.Query
	}
	if x.req.Operation == "" {
		return metrics.Unknown
	}
	return x.req.Operation
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
