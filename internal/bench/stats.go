package bench

import (
	"math"
	"sort"
	"time"
)

// Recorder accumulates the outcome of requests for one operation. It is not
// safe for concurrent use: each worker owns one and they are merged at the end,
// so the hot path takes no lock.
type Recorder struct {
	Latencies []time.Duration
	Errors    map[string]int // by error type (__type, "http-NNN" or "transport")
}

// Observe records one request.
func (r *Recorder) Observe(d time.Duration, errType string) {
	if errType != "" {
		if r.Errors == nil {
			r.Errors = map[string]int{}
		}
		r.Errors[errType]++
		return
	}
	r.Latencies = append(r.Latencies, d)
}

// Merge adds o's observations to r.
func (r *Recorder) Merge(o *Recorder) {
	r.Latencies = append(r.Latencies, o.Latencies...)
	for k, v := range o.Errors {
		if r.Errors == nil {
			r.Errors = map[string]int{}
		}
		r.Errors[k] += v
	}
}

// Summary is what a report shows for one operation.
type Summary struct {
	Operation string         `json:"operation"`
	Requests  int            `json:"requests"`
	OK        int            `json:"ok"`
	ErrorsN   int            `json:"errors"`
	Errors    map[string]int `json:"errorsByType,omitempty"`
	PerSecond float64        `json:"requestsPerSecond"`
	P50       Millis         `json:"p50Ms"`
	P90       Millis         `json:"p90Ms"`
	P99       Millis         `json:"p99Ms"`
	Max       Millis         `json:"maxMs"`
}

// Millis is a duration reported in milliseconds.
type Millis float64

// Summarize computes the summary of r over elapsed wall time. Percentiles use
// the nearest-rank method over successful requests.
func (r *Recorder) Summarize(op string, elapsed time.Duration) Summary {
	s := Summary{Operation: op, OK: len(r.Latencies), Errors: r.Errors}
	for _, n := range r.Errors {
		s.ErrorsN += n
	}
	s.Requests = s.OK + s.ErrorsN
	if elapsed > 0 {
		s.PerSecond = float64(s.Requests) / elapsed.Seconds()
	}
	if len(r.Latencies) == 0 {
		return s
	}
	sorted := append([]time.Duration(nil), r.Latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	s.P50 = toMillis(Percentile(sorted, 50))
	s.P90 = toMillis(Percentile(sorted, 90))
	s.P99 = toMillis(Percentile(sorted, 99))
	s.Max = toMillis(sorted[len(sorted)-1])
	return s
}

// Percentile returns the nearest-rank p-th percentile of sorted (ascending).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

func toMillis(d time.Duration) Millis {
	return Millis(math.Round(float64(d)/float64(time.Microsecond)) / 1000)
}
