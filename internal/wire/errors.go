package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
)

// statusClientClosed and codeClientClosed record a request whose client went
// away before the answer (nginx's "499 Client Closed Request").
const (
	statusClientClosed = 499
	codeClientClosed   = "ClientClosedRequest"
)

// errorBody is the JSON 1.1 error envelope; __type comes first, as AWS sends it.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// writeError is the one place errors reach the wire. Anything that is not an
// *apierr.Error is logged with its cause and answered as a generic
// InternalErrorException, so no internals leak.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	e := apierr.As(err)
	if e.Code == apierr.InternalError && r != nil && r.Context().Err() != nil {
		// The client cancelled or hung up, so the operation's context ended:
		// nothing failed here and nobody reads the answer. Counted and logged
		// as nginx's 499, not as a server error.
		c.status, c.code = statusClientClosed, codeClientClosed
		w.WriteHeader(c.status)
		return
	}
	if e.Code == apierr.InternalError {
		h.log.ErrorContext(ctxOf(r), "internal error", "request_id", c.caller.RequestID, "operation", c.op, "err", err)
		e = apierr.Internal(nil)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorBody{Type: e.Code, Message: e.Message}) // strings only: cannot fail
	buf.Truncate(buf.Len() - 1)

	c.status, c.code = e.Status(), e.Code
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	// The trailing colon is what AWS sends (x-amzn-ErrorType: Code:).
	hd.Set("x-amzn-ErrorType", e.Code+":")
	if e.Message != "" {
		hd.Set("x-amzn-ErrorMessage", headerSafe(e.Message))
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(buf.Bytes())
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

// ctxOf is r's context, or the background one when there is no request.
func ctxOf(r *http.Request) context.Context {
	if r == nil {
		return context.Background()
	}
	return r.Context()
}
