// Package awsjson is the AWS JSON 1.1 codec of Cognito Identity: POST /
// with X-Amz-Target naming an operation of the table (package ops), a
// JSON body validated against the model, and JSON answers and errors
// ({"__type": ..., "message": ...}). The pipeline in package wire runs it.
package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/protocol"
)

// ContentType is the media type of AWS JSON 1.1 requests and responses.
const ContentType = "application/x-amz-json-1.1"

// SigningName is the SigV4 service name of Cognito Identity.
const SigningName = "cognito-identity"

// Validator checks a request body against the service model.
// *model.Model implements it.
type Validator interface {
	// Validate returns the ValidationException (or SerializationException)
	// AWS would answer for body, or nil when it is valid. It accepts only
	// valid JSON: the codec does not scan an accepted body again.
	Validate(op string, body []byte) *apierr.Error
}

// ExtensionPrefix starts the X-Amz-Target of idpool's own operations
// (IdpoolService.Explain, ...). They share the wire and its signatures
// (service cognito-identity) but never a name with AWS's operations, and
// they are always signed, by an account's own keys.
const ExtensionPrefix = "IdpoolService."

// Codec is the JSON 1.1 codec over an operation table.
type Codec struct {
	ops        map[string]ops.Operation
	extensions map[string]ops.Operation
	validator  Validator
}

var _ protocol.Codec = (*Codec)(nil)

// New returns the codec for operations and idpool's extensions; a nil
// validator skips validation. Extensions are not in the model: each
// decodes its input strictly itself (ops.Extension).
func New(operations []ops.Operation, v Validator, extensions ...ops.Operation) *Codec {
	c := &Codec{ops: make(map[string]ops.Operation, len(operations)), extensions: map[string]ops.Operation{}, validator: v}
	for _, op := range operations {
		c.ops[op.Name] = op
	}
	for _, op := range extensions {
		op.Unsigned = false
		c.extensions[op.Name] = op
	}
	return c
}

// Protocol implements protocol.Codec.
func (*Codec) Protocol() apierr.Protocol { return apierr.JSON }

// Operation returns the known operation a request's X-Amz-Target names, or
// "". An extension's name carries its prefix (IdpoolService.Explain).
func (c *Codec) Operation(r *http.Request) string {
	_, name := c.lookup(r.Header.Get("X-Amz-Target"))
	return name
}

// lookup finds the operation of a target, AWS's or idpool's.
func (c *Codec) lookup(target string) (ops.Operation, string) {
	if name, ok := strings.CutPrefix(target, ExtensionPrefix); ok {
		if op, known := c.extensions[name]; known {
			return op, target
		}
		return ops.Operation{}, ""
	}
	name, ok := operationName(target)
	if op, known := c.ops[name]; ok && known {
		return op, name
	}
	return ops.Operation{}, ""
}

// Decode implements protocol.Codec: route, then read the body. The body
// is checked (JSON, then the model) only after the signature, by Validate.
func (c *Codec) Decode(w http.ResponseWriter, r *http.Request, maxBody int64) (*protocol.Call, error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" || !jsonContent(r) {
		return nil, &apierr.Error{Code: apierr.UnknownOperation}
	}
	op, name := c.lookup(r.Header.Get("X-Amz-Target"))
	if name == "" {
		return nil, &apierr.Error{Code: apierr.UnknownOperation}
	}
	_, extension := c.extensions[strings.TrimPrefix(name, ExtensionPrefix)]
	extension = extension && strings.HasPrefix(name, ExtensionPrefix)
	body, err := readBody(http.MaxBytesReader(w, r.Body, maxBody), r.ContentLength, maxBody)
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			// [inf] AWS's exact answer to an oversized JSON request is not
			// documented; a ValidationException is what an SDK user expects.
			return nil, apierr.New(apierr.Validation, "Request body must be at most %d bytes.", maxBody)
		}
		return nil, apierr.New(apierr.Serialization, "Could not read the request body.").Wrap(err)
	}
	call := &protocol.Call{
		Service:      SigningName,
		Operation:    name,
		Unsigned:     op.Unsigned,
		DenySessions: !op.Unsigned,
		Body:         body,
		Input:        body,
	}
	if op.Unsigned {
		call.Account = namedAccount(body)
	}
	call.Validate = func() error {
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}") // some clients send nothing for an empty input
			call.Input = body
		}
		// The model's validator parses the whole body and accepts only
		// valid JSON (model.FuzzValidate), so json.Valid, a second scan as
		// costly as the decode, runs only where the validator does not or
		// refuses: invalid JSON keeps its own answer either way.
		var verr *apierr.Error
		if c.validator != nil && !extension {
			if verr = c.validator.Validate(name, body); verr == nil {
				return nil
			}
		}
		if !json.Valid(body) {
			return &apierr.Error{Code: apierr.Serialization, Message: "Request body is not valid JSON."}
		}
		if verr != nil {
			return verr
		}
		return nil
	}
	call.Invoke = func(ctx context.Context, caller *auth.Caller) (any, error) {
		return op.Call(ctx, caller, body)
	}
	return call, nil
}

// errorBody is the JSON 1.1 error envelope; __type comes first, as AWS sends it.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// WriteResult implements protocol.Codec: 200 and the output as compact
// JSON, {} for nil.
func (c *Codec) WriteResult(w http.ResponseWriter, call *protocol.Call, requestID string, out any) {
	var buf bytes.Buffer
	if out == nil {
		buf.WriteString("{}")
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			c.WriteError(w, call, requestID, apierr.Internal(fmt.Errorf("encode output: %w", err)))
			return
		}
		buf.Truncate(buf.Len() - 1) // Encode's trailing newline
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// WriteError implements protocol.Codec: AWS's envelope and headers. An
// internal error is written with the generic text, whatever its cause,
// but for those that tell the client to retry (apierr.Unavailable).
func (*Codec) WriteError(w http.ResponseWriter, _ *protocol.Call, _ string, e *apierr.Error) {
	if e.Code == apierr.InternalError && !e.Told() {
		e = apierr.Internal(nil)
	}
	// Every quoted value is bounded where it is quoted (apierr.Echo); the
	// whole message is bounded here too, and far more in the header.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorBody{Type: e.Code, Message: apierr.Clip(e.Message, apierr.MaxMessage)}) // strings only: cannot fail
	buf.Truncate(buf.Len() - 1)
	hd := w.Header()
	hd.Set("Content-Type", ContentType)
	// The trailing colon is what AWS sends (x-amzn-ErrorType: Code:).
	hd.Set("x-amzn-ErrorType", e.Code+":")
	if e.Message != "" {
		hd.Set("x-amzn-ErrorMessage", apierr.Clip(headerSafe(apierr.Clip(e.Message, apierr.MaxMessage)), apierr.MaxHeaderMessage))
	}
	w.WriteHeader(e.Status())
	_, _ = w.Write(buf.Bytes())
}

// Throttled implements protocol.Codec: AWS's throttling answer is HTTP
// 400 {"__type":"TooManyRequestsException","message":"Rate exceeded"}
// (api-notes §4.11, observed from GetId and GetCredentialsForIdentity), and
// it is the only throttle the model declares, so every client retries it;
// a busy server answers the same.
func (*Codec) Throttled(bool) *apierr.Error {
	return &apierr.Error{Code: apierr.TooManyRequests, Message: "Rate exceeded"}
}

// headerSafe drops control characters, which may not appear in a header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
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
	case ContentType, "application/x-amz-json-1.0", "application/json":
		return true
	}
	return false
}

// namedAccount returns the AccountId member of a body, or "": unsigned
// calls are rate limited against the account they name.
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

// readBody is io.ReadAll starting from a buffer of the declared length (when
// it is within max), so that a request body is read into one allocation
// rather than grown from 512 bytes: a GetId with an ID token is 1-2 KB.
func readBody(r io.Reader, declared, max int64) ([]byte, error) {
	if declared <= 0 || declared > max {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, declared+1) // the extra byte lets the final read see EOF
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
