package overload

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

// (a) A burst of raw requests against GetId limited to a bucket of 5 that
// does not refill during the test: exactly 5 pass, the rest get AWS's
// throttling answer byte for byte, and none of them reached the store.
func TestRawBurstIsThrottled(t *testing.T) {
	s, pool := start(t, `
rateLimits:
  operations: {GetId: {rps: 0.001, burst: 5}}
`)
	const n = 30
	var ok, throttled, other atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			status, body, err := getID(http.DefaultClient, s.URL, pool)
			switch {
			case err == nil && status == 200 && strings.Contains(body, `"IdentityId":"us-east-1:`):
				ok.Add(1)
			case err == nil && status == 400 && body == throttledBody:
				throttled.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected answer: %d %q %v", status, body, err)
			}
		})
	}
	wg.Wait()
	t.Logf("throttling: %d attempts, %d allowed, %d throttled (exact body), %d other", n, ok.Load(), throttled.Load(), other.Load())
	if ok.Load() != 5 || throttled.Load() != n-5 {
		t.Fatalf("want 5 allowed and %d throttled", n-5)
	}
	if got := metric(t, s.URL, `idpool_throttled_total{operation="GetId",reason="rate"}`); got != n-5 {
		t.Errorf("metrics count %v throttles, want %d", got, n-5)
	}
	// Signed operations without a limit are not affected.
	if _, err := s.Cognito().ListIdentityPools(t.Context(), &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
}

// (b) and (c): the SDKs' default retryers treat TooManyRequestsException as
// a throttle, back off and finish every call of a burst.
func TestSDKsRetryThrottles(t *testing.T) {
	s, pool := start(t, `
rateLimits:
  operations: {GetId: {rps: 20, burst: 5}}
`)
	const series = `idpool_throttled_total{operation="GetId",reason="rate"}`

	t.Run("go", func(t *testing.T) {
		// No Retryer and no RetryMaxAttempts: the SDK's standard retryer
		// with its defaults (3 attempts, exponential jitter backoff).
		client := cognitoidentity.New(cognitoidentity.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: aws.AnonymousCredentials{}})
		before := metric(t, s.URL, series)
		const n = 12
		var done, failed atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				out, err := client.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
				if err != nil || out.IdentityId == nil {
					failed.Add(1)
					t.Errorf("GetId: %v", err)
					return
				}
				done.Add(1)
			})
		}
		close(start)
		wg.Wait()
		retried := metric(t, s.URL, series) - before
		t.Logf("aws-sdk-go-v2: %d calls, %d completed, %d failed; %v throttled attempts retried", n, done.Load(), failed.Load(), retried)
		if done.Load() != n {
			t.Fatalf("%d of %d calls completed", done.Load(), n)
		}
		if retried < 1 {
			t.Fatalf("no attempt was throttled: the burst did not exercise the retryer")
		}
	})

	t.Run("boto3", func(t *testing.T) {
		python := harness.Tool(t, "IDPOOL_TEST_PYTHON", "python3")
		if _, _, code := harness.Run(t, nil, python, "-c", "import boto3"); code != 0 {
			harness.Missing(t, "boto3 for "+python)
		}
		// botocore's default "legacy" retry mode retries throttles only by
		// HTTP 429 or a short list of codes, which does not include
		// TooManyRequestsException with AWS's 400 (so it does not retry
		// AWS's own throttling either); its "standard" mode retries the
		// code, as the other SDKs do. Its default 3 attempts back off
		// within 1 s and then 2 s, where a burst of retries can meet an
		// empty bucket again by chance; 5 attempts make the outcome depend
		// on the classification alone, not on jitter.
		env := []string{"AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=5"}
		for _, e := range s.AWSEnv(t) {
			if !strings.HasPrefix(e, "AWS_MAX_ATTEMPTS=") {
				env = append(env, e)
			}
		}
		const n = 20
		before := metric(t, s.URL, series)
		stdout, stderr, code := harness.Run(t, env, python, filepath.Join(harness.Root(), "test", "e2e", "overload", "burst.py"), s.URL, pool, strconv.Itoa(n))
		if code != 0 {
			t.Fatalf("burst.py exit %d\n%s\n%s", code, stderr, stdout)
		}
		var out struct {
			Completed int
			Errors    []string
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		retried := metric(t, s.URL, series) - before
		t.Logf("boto3: %d calls, %d completed, %d failed; %v throttled attempts retried", n, out.Completed, len(out.Errors), retried)
		if out.Completed != n || len(out.Errors) != 0 {
			t.Fatalf("boto3: %+v", out)
		}
		if retried < 1 {
			t.Fatalf("no attempt was throttled: the burst did not exercise the retryer")
		}
	})
}

// (d) With the in-flight cap reached by requests that are still being
// served, a flood is refused at once (no timeouts), the server's memory
// stays bounded, and it recovers when the held requests finish.
func TestFloodBeyondInFlightCap(t *testing.T) {
	const maxInFlight = 8
	s, pool := start(t, `
server: {maxInFlight: 8}
`)
	held := make([]*heldRequest, maxInFlight)
	for i := range held {
		held[i] = holdGetID(t, s.Addr, pool)
	}
	waitFor(t, "the held requests to be in flight", func() bool {
		return metric(t, s.URL, "idpool_requests_in_flight") == maxInFlight
	})
	rssBefore := metric(t, s.URL, "process_resident_memory_bytes")

	const n, conc = 2000, 32
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	var refused, other atomic.Int64
	var wg sync.WaitGroup
	work := make(chan struct{})
	go func() {
		for range n {
			work <- struct{}{}
		}
		close(work)
	}()
	for range conc {
		wg.Go(func() {
			for range work {
				status, body, err := getID(client, s.URL, pool)
				if err == nil && status == 400 && body == throttledBody {
					refused.Add(1)
					continue
				}
				if other.Add(1) <= 3 {
					t.Errorf("flood answer: %d %q %v", status, body, err)
				}
			}
		})
	}
	wg.Wait()
	rssAfter := metric(t, s.URL, "process_resident_memory_bytes")
	t.Logf("flood: %d requests beyond the in-flight cap of %d, %d refused at once, %d other; RSS %.1f MiB before, %.1f MiB after",
		n, maxInFlight, refused.Load(), other.Load(), rssBefore/(1<<20), rssAfter/(1<<20))
	if refused.Load() != n {
		t.Fatalf("%d of %d refused", refused.Load(), n)
	}
	if got := metric(t, s.URL, `idpool_throttled_total{operation="GetId",reason="inflight"}`); got != n {
		t.Errorf("metrics count %v in-flight refusals, want %d", got, n)
	}
	if rssAfter > rssBefore+64<<20 {
		t.Errorf("RSS grew from %.1f to %.1f MiB during the flood", rssBefore/(1<<20), rssAfter/(1<<20))
	}

	// Recovery: the held requests complete, and new ones are served.
	for i, h := range held {
		status, body, err := h.finish()
		if err != nil || status != 200 {
			t.Fatalf("held request %d: %d %q %v", i, status, body, err)
		}
	}
	if status, body, err := getID(client, s.URL, pool); err != nil || status != 200 {
		t.Fatalf("after the flood: %d %q %v", status, body, err)
	}
}

// (e) SIGTERM with requests in flight: /healthz turns 503 during the
// shutdown delay, then new connections are refused, the requests in flight
// complete with 200, the process exits 0, and what they wrote is in the
// store when the server starts again.
func TestGracefulShutdown(t *testing.T) {
	s, pool := start(t, `
server: {shutdownDelay: 3s, drainTimeout: 60s}
`)
	const n = 3
	held := make([]*heldRequest, n)
	for i := range held {
		held[i] = holdGetID(t, s.Addr, pool)
	}
	waitFor(t, "the held requests to be in flight", func() bool {
		return metric(t, s.URL, "idpool_requests_in_flight") == n
	})

	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }() // SIGTERM, then wait for the exit
	waitFor(t, "/healthz to answer 503", func() bool {
		resp, err := http.Get(s.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	waitFor(t, "new connections to be refused", func() bool {
		c, err := net.Dial("tcp", s.Addr)
		if err == nil {
			c.Close()
			return false
		}
		return errors.Is(err, syscall.ECONNREFUSED)
	})
	select {
	case err := <-stopped:
		t.Fatalf("the server exited with requests in flight: %v", err)
	default:
	}

	var ids []string
	for i, h := range held {
		status, body, err := h.finish()
		if err != nil || status != 200 {
			t.Fatalf("in-flight request %d: %d %q %v", i, status, body, err)
		}
		var out struct{ IdentityId string }
		_ = json.Unmarshal([]byte(body), &out)
		ids = append(ids, out.IdentityId)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.Logs())
	}
	t.Logf("shutdown: %d requests in flight at SIGTERM, %d completed with 200; healthz 503, new connections refused, exit 0", n, len(ids))
	if !strings.Contains(s.Logs(), "stopped") {
		t.Errorf("no 'stopped' line in the log:\n%s", s.Logs())
	}

	s.Restart()
	for _, id := range ids {
		if _, err := s.Cognito().DescribeIdentity(t.Context(), &cognitoidentity.DescribeIdentityInput{IdentityId: aws.String(id)}); err != nil {
			t.Errorf("identity %s written during the drain is gone: %v", id, err)
		}
	}
}

// A request that outlasts server.drainTimeout does not hold the process:
// its connection is cut, the store is closed and the exit status (1) says
// the drain was not clean.
func TestDrainTimeoutBoundsShutdown(t *testing.T) {
	s, pool := start(t, `
server: {drainTimeout: 1s}
`)
	h := holdGetID(t, s.Addr, pool)
	waitFor(t, "the held request to be in flight", func() bool {
		return metric(t, s.URL, "idpool_requests_in_flight") == 1
	})
	err := s.Stop()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit after a drain timeout: %v, want status 1\n%s", err, s.Logs())
	}
	if !strings.Contains(s.Logs(), "drain timeout passed") {
		t.Errorf("no drain-timeout warning in the log:\n%s", s.Logs())
	}
	if status, _, err := h.finish(); err == nil {
		t.Fatalf("the cut-off request was answered: %d", status)
	}
	t.Logf("drain timeout: 1 request held past drainTimeout 1s, connection cut, exit status 1")
}
