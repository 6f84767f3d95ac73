package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestPacerSchedule(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if newPacer(start, 0) != nil {
		t.Fatal("rate 0 must be closed loop")
	}
	p := newPacer(start, 400)
	for n, want := range map[int64]time.Duration{0: 0, 1: 2500 * time.Microsecond, 400: time.Second, 1000: 2500 * time.Millisecond} {
		if got := p.due(n).Sub(start); got != want {
			t.Errorf("due(%d) = +%v, want +%v", n, got, want)
		}
	}
	// Slots are claimed in order, each once, and a slot already past due
	// is returned at once with its scheduled (not its actual) time.
	past := newPacer(time.Now().Add(-time.Hour), 10)
	for n := int64(0); n < 3; n++ {
		due, ok := past.wait(context.Background())
		if !ok || !due.Equal(past.due(n)) {
			t.Fatalf("slot %d: %v %v, want %v", n, due, ok, past.due(n))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := newPacer(time.Now().Add(time.Hour), 1).wait(ctx); ok {
		t.Error("wait ignored a canceled context")
	}
}

// TestOpenLoopCountsQueueing: a server that answers one request at a time,
// each after 20 ms, driven by one worker at 1,000 req/s. The requests are
// scheduled 1 ms apart but complete at least 20 ms apart, so the k-th
// request's latency counted from its scheduled time is at least
// 20(k+1) - k ms. A closed-loop count would report about 20 ms for each.
func TestOpenLoopCountsQueueing(t *testing.T) {
	const n, service = 6, 20 * time.Millisecond
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(service)
		served.Add(1)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	rep, err := Run(context.Background(), Config{
		Endpoint: srv.URL, Region: "us-east-1", AccessKey: "test", SecretKey: "test",
		Concurrency: 1, Requests: n, Duration: time.Minute, Rate: 1000,
		Mix: map[string]int{"describe": 1}, PoolID: "us-east-1:00000000-0000-0000-0000-000000000000",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Requests != n || rep.Total.OK != n || int(served.Load()) != n {
		t.Fatalf("counts: %+v, served %d", rep.Total, served.Load())
	}
	floor := float64(service*n-(n-1)*time.Millisecond) / float64(time.Millisecond)
	if float64(rep.Total.Max) < floor {
		t.Errorf("max latency %.1f ms, want at least %.1f ms (queueing behind the schedule must count)", rep.Total.Max, floor)
	}
	if rep.TargetRate != 1000 || rep.Resources == nil {
		t.Errorf("report: target %v, resources %+v", rep.TargetRate, rep.Resources)
	}
}
