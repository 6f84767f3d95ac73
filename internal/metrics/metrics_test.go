package metrics

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Result().Body)
	return string(b)
}

func TestRecordsByOperationAndCode(t *testing.T) {
	m := New([]string{"GetId", "ListIdentities"})
	inFlight := 3.0
	m.TrackInFlight(func() float64 { return inFlight })
	m.TrackInFlight(func() float64 { return 99 }) // second call: no effect
	m.Op("GetId").Done("", time.Millisecond)
	m.Op("GetId").Done("TooManyRequestsException", time.Microsecond)
	m.Op("GetId").Done("TooManyRequestsException", time.Microsecond)
	m.Op("GetId").Throttled(ReasonRate)
	m.Op("ListIdentities").Throttled(ReasonInFlight)
	m.Op("NoSuchOperation").Done("UnknownOperationException", 0) // shares "unknown"
	var none *Metrics
	none.Op("GetId").Done("", 0) // nil-safe
	none.Op("GetId").Throttled(ReasonRate)

	out := scrape(t, m)
	for _, want := range []string{
		`idpool_requests_total{error="",operation="GetId"} 1`,
		`idpool_requests_total{error="TooManyRequestsException",operation="GetId"} 2`,
		`idpool_requests_total{error="UnknownOperationException",operation="unknown"} 1`,
		`idpool_throttled_total{operation="GetId",reason="rate"} 1`,
		`idpool_throttled_total{operation="ListIdentities",reason="inflight"} 1`,
		`idpool_request_duration_seconds_count{operation="GetId"} 3`,
		`idpool_requests_in_flight 3`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(out, "NoSuchOperation") {
		t.Error("an unknown operation name became a label")
	}
}

func BenchmarkDone(b *testing.B) {
	op := New([]string{"GetId"}).Op("GetId")
	b.ReportAllocs()
	for b.Loop() {
		op.Done("", 300*time.Microsecond)
	}
}

// The external STS's codes are its own: their label set is bounded here.
func TestExternalSTSCodesBounded(t *testing.T) {
	m := New(nil)
	m.ExternalSTSRefused("AccessDenied")
	m.ExternalSTSRefused("AccessDenied")
	m.ExternalSTSRefused("<script>")
	for i := 0; i < 40; i++ {
		m.ExternalSTSRefused(fmt.Sprintf("Code%d", i))
	}
	m.ExternalSTSUnavailable("timeout")
	body := scrape(t, m)
	for _, want := range []string{`idpool_external_sts_refusals_total{code="AccessDenied"} 2`, `idpool_external_sts_refusals_total{code="Code30"} 1`,
		`idpool_external_sts_refusals_total{code="other"} 10`, `idpool_external_sts_unavailable_total{reason="timeout"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(body, `code="Code31"`) || strings.Contains(body, `code="<script>"`) {
		t.Error("a code past the bound, or a malformed one, got its own label")
	}
	var nilMetrics *Metrics
	nilMetrics.ExternalSTSRefused("AccessDenied")
	nilMetrics.ExternalSTSUnavailable("timeout")
}
