package wire

import (
	"net/http"
	"strconv"

	"github.com/idpool/idpool/internal/metrics"
)

// recorder remembers the status a handler wrote. Recorders are pooled so
// observing a request allocates nothing.
type recorder struct {
	http.ResponseWriter
	status int
}

func (rw *recorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// plain serves a request outside the API (preflight, key sets, reset) and
// records its status and duration under metrics.Unknown.
func (h *handler) plain(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request)) {
	if h.cfg.Metrics == nil {
		serve(w, r)
		return
	}
	start := h.now()
	rw := h.recorders.Get().(*recorder)
	rw.ResponseWriter, rw.status = w, 0
	serve(rw, r)
	status := rw.status
	rw.ResponseWriter = nil
	h.recorders.Put(rw)
	code := ""
	if status >= 400 || status == 0 {
		code = strconv.Itoa(status)
	}
	h.cfg.Metrics.Op(metrics.Unknown).Done(code, h.now().Sub(start))
}
