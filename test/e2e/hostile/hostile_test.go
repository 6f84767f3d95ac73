package hostile

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

// healthEvery is how many cases run between two health checks.
const healthEvery = 20

// tally counts requests and the ones answered as the case demanded.
type tally struct{ sent, refused atomic.Int64 }

func (c *tally) record(ok bool) {
	c.sent.Add(1)
	if ok {
		c.refused.Add(1)
	}
}

// TestHostile runs the table of hostile requests beside the slow clients,
// so the slow ones hold connections open while the table shows the server
// still answers everybody else.
func TestHostile(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	var n tally
	t.Run("all", func(t *testing.T) {
		t.Run("table", func(t *testing.T) {
			t.Parallel()
			runTable(t, s, &n)
		})
		slowClients(t, s, &n)
	})
	healthy(t, s)
	noInternalErrors(t, s)
	t.Logf("hostile: %d requests, %d refused as expected", n.sent.Load(), n.refused.Load())
	if n.sent.Load() < 200 {
		t.Errorf("only %d hostile requests; the suite promises at least 200", n.sent.Load())
	}
	if n.sent.Load() != n.refused.Load() {
		t.Errorf("%d hostile requests were not answered as expected", n.sent.Load()-n.refused.Load())
	}
}

func runTable(t *testing.T, s *harness.Server, n *tally) {
	cases := jsonCases(t, s.Addr)
	cases = append(cases, httpCases(s.Addr)...)
	cases = append(cases, queryCases(s.Addr)...)
	for i, c := range cases {
		a, err := send(s.Addr, c.raw, c.closes)
		if err == nil {
			err = c.check(a)
		}
		n.record(err == nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if (i+1)%healthEvery == 0 || i == len(cases)-1 {
			if !healthy(t, s) {
				t.Fatalf("server unhealthy after case %d (%s)", i, c.name)
			}
		}
	}
	t.Logf("table: %d cases", len(cases))
}

// healthy checks /healthz answers and a signed SDK call still works.
func healthy(t *testing.T, s *harness.Server) bool {
	t.Helper()
	hc := &http.Client{Timeout: answerWait}
	resp, err := hc.Get(s.URL + "/healthz")
	if err != nil {
		t.Errorf("healthz: %v\n%s", err, s.Logs())
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", resp.StatusCode)
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), answerWait)
	defer cancel()
	if _, err := s.Cognito().ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Errorf("ListIdentityPools: %v", err)
		return false
	}
	return true
}

// within fails when done does not close in d: a hang, not a timing check.
func within(t *testing.T, done <-chan struct{}, d time.Duration, what string) bool {
	t.Helper()
	select {
	case <-done:
		return true
	case <-time.After(d):
		t.Errorf("%s: not over after %v", what, d)
		return false
	}
}

// noInternalErrors fails when the server logged a panic or an internal
// error: hostile input must be refused, never break something inside.
func noInternalErrors(t *testing.T, s *harness.Server) {
	t.Helper()
	for _, line := range strings.Split(s.Logs(), "\n") {
		if strings.Contains(line, "panic") || strings.Contains(line, "internal error") || strings.Contains(line, "level=ERROR") {
			t.Errorf("server log: %s", trim(line))
		}
	}
}
