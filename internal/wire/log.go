package wire

import (
	"log/slog"
	"net/http"
	"time"
)

// logRequest writes the one structured line per request. It never logs
// tokens, secrets, the Authorization header or the body.
func (h *handler) logRequest(r *http.Request, c *call, d time.Duration) {
	level := slog.LevelInfo
	if c.status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", c.caller.RequestID),
		slog.String("operation", c.op),
		slog.Int("status", c.status),
		slog.Duration("duration", d),
	}
	if acct := c.caller.Account(); acct != "" {
		attrs = append(attrs, slog.String("account", acct))
	}
	if c.code != "" {
		attrs = append(attrs, slog.String("error", c.code))
	}
	h.log.LogAttrs(r.Context(), level, "request", attrs...)
}
