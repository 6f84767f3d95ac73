package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/config"
)

func TestRateLimitsAndServerSections(t *testing.T) {
	c, err := config.Parse([]byte(`
server:
  maxInFlight: 64
  drainTimeout: 5s
  shutdownDelay: 1500ms
  metrics: false
rateLimits:
  profile: aws
  default: {rps: 0}
  operations: {GetId: {rps: 50, burst: 100}}
  accounts: {"111122223333": {operations: {GetOpenIdToken: {rps: 5}}}}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Server.InFlightLimit() != 64 || c.Server.Drain() != 5*time.Second ||
		time.Duration(c.Server.ShutdownDelay) != 1500*time.Millisecond || c.Server.MetricsEnabled() {
		t.Errorf("server = %+v", c.Server)
	}
	rl := c.RateLimits
	if rl.Profile != "aws" || rl.Operations["GetId"].RPS != 50 || rl.Operations["GetId"].Burst != 100 ||
		rl.Accounts["111122223333"].Operations["GetOpenIdToken"].RPS != 5 {
		t.Errorf("rateLimits = %+v", rl)
	}

	var zero config.Server
	if zero.InFlightLimit() != config.DefaultMaxInFlight() || zero.Drain() != config.DefaultDrainTimeout || !zero.MetricsEnabled() {
		t.Errorf("defaults = %d %v %v", zero.InFlightLimit(), zero.Drain(), zero.MetricsEnabled())
	}
}

func TestRateLimitsStrictAndValidated(t *testing.T) {
	if _, err := config.Parse([]byte("rateLimits:\n  operations: {GetId: {rps: 1, brust: 2}}\n"), env(nil)); err == nil ||
		!strings.Contains(err.Error(), "brust") {
		t.Fatalf("unknown key accepted: %v", err)
	}
	if _, err := config.Parse([]byte("server:\n  drainTimeout: soon\n"), env(nil)); err == nil {
		t.Fatal("bad duration accepted")
	}
	c, err := config.Parse([]byte(`
server: {maxInFlight: -1}
rateLimits:
  profile: azure
  operations: {GetId: {rps: -3}}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	for _, want := range []string{"server.maxInFlight", `profile "azure"`, "operations.GetId: rps"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validation error lacks %q: %v", want, err)
		}
	}
}
