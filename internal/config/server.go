package config

import (
	"encoding/json"
	"fmt"
	"runtime"
	"time"
)

// Server is the config file's server section.
type Server struct {
	// MaxInFlight caps the requests served at once; beyond it requests are
	// refused at once (TooManyRequestsException). 0: DefaultMaxInFlight().
	MaxInFlight int `json:"maxInFlight,omitempty"`
	// DrainTimeout bounds how long a graceful shutdown waits for requests
	// in flight ("20s"). 0: DefaultDrainTimeout.
	DrainTimeout Duration `json:"drainTimeout,omitempty"`
	// ShutdownDelay keeps serving after SIGTERM, with /healthz answering
	// 503, before the listener closes: set it to the load balancer's
	// health-check interval so no request meets a closed port. 0: none.
	ShutdownDelay Duration `json:"shutdownDelay,omitempty"`
	// Metrics serves GET /metrics; true when left out.
	Metrics *bool `json:"metrics,omitempty"`
}

// DefaultDrainTimeout is Server.DrainTimeout's default.
const DefaultDrainTimeout = 20 * time.Second

// DefaultMaxInFlight is 128 requests per CPU the Go scheduler may use (256
// on two cores). Requests take milliseconds, so this is far above what the
// CPUs can finish in time (Little's law: 5,000 requests/s at 10 ms is 50 in
// flight), while bounding memory to a few hundred small bodies.
func DefaultMaxInFlight() int { return 128 * runtime.GOMAXPROCS(0) }

// InFlightLimit returns MaxInFlight or its default.
func (s Server) InFlightLimit() int {
	if s.MaxInFlight > 0 {
		return s.MaxInFlight
	}
	return DefaultMaxInFlight()
}

// Drain returns DrainTimeout or its default.
func (s Server) Drain() time.Duration {
	if s.DrainTimeout > 0 {
		return time.Duration(s.DrainTimeout)
	}
	return DefaultDrainTimeout
}

// MetricsEnabled reports whether GET /metrics is served.
func (s Server) MetricsEnabled() bool { return s.Metrics == nil || *s.Metrics }

// Duration is a time.Duration written as Go writes one ("20s", "1m30s").
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration such as \"20s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as \"20s\", got %q", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }
