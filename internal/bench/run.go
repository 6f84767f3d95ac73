// Package bench is idpool's load generator ("idpool bench"): it drives a
// running idpool, or any Cognito Identity endpoint, with the hot operations
// and reports throughput, latency percentiles and errors by type. It is a
// client of the wire only.
package bench

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes one load run.
type Config struct {
	Endpoint    string
	Region      string
	AccessKey   string
	SecretKey   string
	Concurrency int
	// Duration and Requests bound the run; whichever comes first ends it.
	Duration time.Duration
	Requests int64
	// Mix maps an operation name (see Operations) to its weight.
	Mix map[string]int
	// PoolID is an existing pool to use; empty creates one.
	PoolID string
	// Seed is how many guest identities to create before the run for the
	// operations that need existing identities.
	Seed        int
	AllowRemote bool
	// Rate, when positive, sends this many requests per second on a fixed
	// schedule (open loop) instead of as fast as the workers go; latency is
	// then counted from each request's scheduled send time, so a stalled
	// server cannot hide its queue by slowing the generator down
	// (coordinated omission). Concurrency bounds requests in flight.
	Rate float64
	// Logins is how many logins getid-login seeds; IssuerDir holds its
	// issuer's TLS identity (DefaultIssuerDir when empty).
	Logins    int
	IssuerDir string
	// ListPages is how many pages list-deep walks to collect NextTokens.
	ListPages int
	// ServerPID, when set, is the server process whose memory and CPU the
	// report includes (it must run on this machine).
	ServerPID int
}

// Report is the outcome of a run.
type Report struct {
	Endpoint    string         `json:"endpoint"`
	Concurrency int            `json:"concurrency"`
	Mix         map[string]int `json:"mix"`
	// TargetRate is Config.Rate: requests per second of an open-loop run.
	TargetRate float64    `json:"targetRate,omitempty"`
	ElapsedSec float64    `json:"elapsedSeconds"`
	Resources  *Resources `json:"resources,omitempty"`
	Total      Summary    `json:"total"`
	Operations []Summary  `json:"operations"`
}

// Run executes the load described by cfg, printing a progress line to
// progress (when non-nil) once a second.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	if err := checkLoopback(cfg.Endpoint, cfg.AllowRemote); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 1 {
		return nil, fmt.Errorf("concurrency must be at least 1")
	}
	if cfg.Duration <= 0 && cfg.Requests <= 0 {
		return nil, fmt.Errorf("set a duration or a request count")
	}
	if cfg.Duration <= 0 || cfg.Duration > time.Hour {
		cfg.Duration = time.Hour // a run always ends by itself
	}
	c := newClient(cfg.Endpoint, cfg.Region, cfg.AccessKey, cfg.SecretKey, cfg.Concurrency)
	schedule, names, err := buildSchedule(cfg.Mix)
	if err != nil {
		return nil, err
	}
	env, err := prepare(ctx, c, cfg)
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	defer env.close()
	m, err := startMeter(cfg.ServerPID)
	if err != nil {
		return nil, err
	}

	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var issued, done, failed atomic.Int64
	recs := make([][]Recorder, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	pace := newPacer(start, cfg.Rate)
	for w := 0; w < cfg.Concurrency; w++ {
		recs[w] = make([]Recorder, len(names))
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ; i++ {
				if cfg.Requests > 0 && issued.Add(1) > cfg.Requests {
					return
				}
				if runCtx.Err() != nil {
					return
				}
				k := schedule[i%len(schedule)]
				t0 := time.Now()
				if pace != nil {
					var ok bool
					if t0, ok = pace.wait(runCtx); !ok {
						return
					}
				}
				et, _ := operations[names[k]](runCtx, c, env, w, i)
				if et == "canceled" && runCtx.Err() != nil {
					return // the run ended mid-request: not a server error
				}
				recs[w][k].Observe(time.Since(t0), et)
				done.Add(1)
				if et != "" {
					failed.Add(1)
				}
			}
		}(w)
	}
	stopProgress := make(chan struct{})
	var progressDone sync.WaitGroup
	if progress != nil {
		progressDone.Add(1)
		go func() {
			defer progressDone.Done()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stopProgress:
					fmt.Fprint(progress, "\r\033[K")
					return
				case <-tick.C:
					el := time.Since(start)
					fmt.Fprintf(progress, "\r\033[K%5.0fs  %9d requests  %6d errors  %8.0f req/s",
						el.Seconds(), done.Load(), failed.Load(), float64(done.Load())/el.Seconds())
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopProgress)
	progressDone.Wait()

	res, err := m.stop()
	if err != nil {
		return nil, err
	}
	rep := &Report{Endpoint: cfg.Endpoint, Concurrency: cfg.Concurrency, Mix: cfg.Mix, ElapsedSec: elapsed.Seconds(),
		TargetRate: cfg.Rate, Resources: res}
	var all Recorder
	for k, name := range names {
		var r Recorder
		for w := range recs {
			r.Merge(&recs[w][k])
		}
		all.Merge(&r)
		rep.Operations = append(rep.Operations, r.Summarize(name, elapsed))
	}
	rep.Total = all.Summarize("total", elapsed)
	return rep, nil
}

// buildSchedule turns weights into a repeating sequence of operation indexes,
// so workers interleave operations in the requested proportions without a
// shared random source.
func buildSchedule(mix map[string]int) ([]int, []string, error) {
	var names []string
	for name, w := range mix {
		if _, ok := operations[name]; !ok {
			return nil, nil, fmt.Errorf("unknown operation %q (known: %v)", name, OperationNames())
		}
		if w < 0 {
			return nil, nil, fmt.Errorf("negative weight for %s", name)
		}
		if w > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("the operation mix is empty")
	}
	sort.Strings(names)
	// Smooth weighted round-robin: each operation's slots are spread evenly
	// over the cycle instead of standing in runs.
	total := 0
	for _, name := range names {
		total += mix[name]
	}
	current := make([]int, len(names))
	schedule := make([]int, 0, total)
	for len(schedule) < total {
		best := 0
		for k, name := range names {
			current[k] += mix[name]
			if current[k] > current[best] {
				best = k
			}
		}
		current[best] -= total
		schedule = append(schedule, best)
	}
	return schedule, names, nil
}
