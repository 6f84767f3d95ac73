package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// secretKeys name the members whose values --debug never prints.
var secretKeys = map[string]bool{
	"Logins": true, "Token": true, "SessionToken": true, "SecretKey": true,
}

// debugLog writes --debug lines to stderr in the aws CLI's log layout,
// with tokens, secret keys and login values redacted and no signatures.
type debugLog struct {
	w io.Writer
}

func (d *debugLog) logf(format string, args ...any) {
	ts := time.Now().Format("2006-01-02 15:04:05,000")
	fmt.Fprintf(d.w, "%s - MainThread - idpool.cli - DEBUG - %s\n", ts, fmt.Sprintf(format, args...))
}

func (d *debugLog) request(op string, params *object) {
	var b bytes.Buffer
	_ = writeJSON(&b, redact(params))
	d.logf("Calling %s with params: %s", op, bytes.TrimSpace(b.Bytes()))
}

// option logs each HTTP exchange: method, URL, status and redacted body.
func (d *debugLog) option() func(*cognitoidentity.Options) {
	return func(o *cognitoidentity.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("idpoolDebug",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						d.logf("Sending HTTP request: %s %s (X-Amz-Target: %s)", req.Method, req.URL, req.Header.Get("X-Amz-Target"))
					}
					out, md, err := next.HandleDeserialize(ctx, in)
					if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
						body, rerr := io.ReadAll(resp.Body)
						resp.Body.Close()
						resp.Body = io.NopCloser(bytes.NewReader(body))
						if rerr == nil {
							d.logf("Response status: %d, request id: %s", resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"))
							if v, jerr := decodeJSON(body); jerr == nil {
								var b bytes.Buffer
								_ = writeJSON(&b, redact(v))
								d.logf("Response body: %s", bytes.TrimSpace(b.Bytes()))
							}
						}
					}
					if err != nil {
						d.logf("Call error: %v", err)
					}
					return out, md, err
				}), middleware.After)
		})
	}
}

// redact copies v with secret members replaced by "<redacted>".
func redact(v any) any {
	switch x := v.(type) {
	case *object:
		o := newObject()
		for _, k := range x.keys {
			if secretKeys[k] {
				o.set(k, redactAll(x.vals[k]))
				continue
			}
			o.set(k, redact(x.vals[k]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redact(e)
		}
		return out
	}
	return v
}

func redactAll(v any) any {
	switch x := v.(type) {
	case *object:
		o := newObject()
		for _, k := range x.keys {
			o.set(k, "<redacted>")
		}
		return o
	}
	return "<redacted>"
}
