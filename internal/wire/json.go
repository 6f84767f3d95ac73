package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/sigv4"
)

// contentType is the media type of AWS JSON 1.1 requests and responses.
const contentType = "application/x-amz-json-1.1"

// call is one JSON request on its way through the shared phases.
type call struct {
	op     string
	caller auth.Caller
	status int
	code   string
}

// serveJSON runs the phases every operation shares, in a fixed order so no
// operation can skip one: route, read, authenticate, validate, call, write.
func (h *handler) serveJSON(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	c := &call{caller: auth.Caller{RequestID: uuid.NewString(), SourceIP: sourceIP(r)}}
	w.Header().Set("x-amzn-RequestId", c.caller.RequestID)
	defer func() {
		if p := recover(); p != nil {
			h.writeError(w, r, c, apierr.Internal(fmt.Errorf("panic: %v", p)))
		}
		h.logRequest(r, c, h.now().Sub(start))
	}()
	out, err := h.run(w, r, c)
	if err != nil {
		h.writeError(w, r, c, err)
		return
	}
	h.writeJSON(w, c, out)
}

func (h *handler) run(w http.ResponseWriter, r *http.Request, c *call) (any, error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" || !jsonContent(r) {
		return nil, &apierr.Error{Code: apierr.UnknownOperation}
	}
	name, ok := operationName(r.Header.Get("X-Amz-Target"))
	op, known := h.ops[name]
	if !ok || !known {
		return nil, &apierr.Error{Code: apierr.UnknownOperation}
	}
	c.op = name
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			// [inf] AWS's exact answer to an oversized JSON request is not
			// documented; a ValidationException is what an SDK user expects.
			return nil, apierr.New(apierr.Validation, "Request body must be at most %d bytes.", h.cfg.MaxBodyBytes)
		}
		return nil, apierr.New(apierr.Serialization, "Could not read the request body.").Wrap(err)
	}
	if err := h.authenticate(r, body, op, &c.caller); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}") // some clients send nothing for an empty input
	}
	if !json.Valid(body) {
		return nil, &apierr.Error{Code: apierr.Serialization, Message: "Request body is not valid JSON."}
	}
	if h.cfg.Validator != nil {
		if verr := h.cfg.Validator.Validate(name, body); verr != nil {
			return nil, verr
		}
	}
	return op.Call(r.Context(), &c.caller, body)
}

// authenticate verifies the signature when there is one, and demands one
// for signed operations. The scope's region becomes the caller's region.
func (h *handler) authenticate(r *http.Request, body []byte, op ops.Operation, caller *auth.Caller) error {
	p, scope, err := h.cfg.Verifier.VerifyService(r.Context(), r, body, signingName)
	if err != nil {
		if op.Unsigned && sigv4.IsNoSignature(err) {
			return nil
		}
		var se *sigv4.Error
		if errors.As(err, &se) {
			return se.JSON()
		}
		return apierr.Internal(err)
	}
	if p.Session != nil && !op.Unsigned {
		// Credentials vended to app users carry no IAM permission policy
		// (idpool has none), so they may call only what AWS lets anyone
		// call: the unsigned operations. Denied as AWS denies an IAM
		// principal without the permission; [inf] the resource is "*" as
		// the request is not parsed yet.
		return apierr.New(apierr.AccessDenied, "User: %s is not authorized to perform: cognito-identity:%s on resource: *", p.ARN, op.Name)
	}
	caller.Principal = p
	caller.Region = scope.Region
	return nil
}

// jsonContent accepts the JSON protocol's media types; a missing
// Content-Type is tolerated as JSON.
func jsonContent(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case contentType, "application/x-amz-json-1.0", "application/json":
		return true
	}
	return false
}

// writeJSON writes a success: 200 and the output as compact JSON, {} for nil.
func (h *handler) writeJSON(w http.ResponseWriter, c *call, out any) {
	var buf bytes.Buffer
	if out == nil {
		buf.WriteString("{}")
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			h.writeError(w, nil, c, apierr.Internal(fmt.Errorf("encode %s output: %w", c.op, err)))
			return
		}
		buf.Truncate(buf.Len() - 1) // Encode's trailing newline
	}
	c.status = http.StatusOK
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
