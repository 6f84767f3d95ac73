package bench

import (
	"context"
	"sync/atomic"
	"time"
)

// pacer hands out the send times of an open-loop run: request n is due at
// start + n/rate, whatever happened to the requests before it.
type pacer struct {
	start    time.Time
	interval float64 // nanoseconds between sends
	next     atomic.Int64
}

// newPacer returns nil for rate <= 0 (closed loop).
func newPacer(start time.Time, rate float64) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{start: start, interval: float64(time.Second) / rate}
}

// due is the scheduled send time of request n.
func (p *pacer) due(n int64) time.Time {
	return p.start.Add(time.Duration(float64(n) * p.interval))
}

// wait claims the next slot, sleeps until it is due and returns its due
// time, from which the request's latency is counted. It returns false when
// ctx ends first.
func (p *pacer) wait(ctx context.Context) (time.Time, bool) {
	due := p.due(p.next.Add(1) - 1)
	if d := time.Until(due); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return due, false
		}
	}
	return due, ctx.Err() == nil
}
