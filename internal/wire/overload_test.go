package wire_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/ratelimit"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/wire"
)

const throttledBody = `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`

// overloadFixture adds rate limits, metrics, a draining switch and a
// blocking operation to the shared fixture, and counts operation calls.
type overloadFixture struct {
	*fixture
	calls    map[string]*atomic.Int64
	entered  chan struct{}
	release  chan struct{}
	draining atomic.Bool
}

func newOverloadFixture(t *testing.T, limits ratelimit.Config, maxInFlight int) *overloadFixture {
	t.Helper()
	o := &overloadFixture{calls: map[string]*atomic.Int64{}, entered: make(chan struct{}, 16), release: make(chan struct{})}
	o.fixture = newFixture(t, func(cfg *wire.Config) {
		cfg.Operations = append(cfg.Operations, ops.Operation{Name: "LookupDeveloperIdentity", Unsigned: true,
			Call: func(ctx context.Context, _ *auth.Caller, _ []byte) (any, error) {
				o.entered <- struct{}{}
				<-o.release
				return nil, nil
			}})
		names := make([]string, 0, len(cfg.Operations))
		for i, op := range cfg.Operations {
			n := &atomic.Int64{}
			o.calls[op.Name] = n
			call := op.Call
			cfg.Operations[i].Call = func(ctx context.Context, c *auth.Caller, body []byte) (any, error) {
				n.Add(1)
				return call(ctx, c, body)
			}
			names = append(names, op.Name)
		}
		lim, err := ratelimit.New(limits, []string{"000000000000", "111122223333"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.RateLimits = lim
		cfg.Metrics = metrics.New(names)
		cfg.MaxInFlight = maxInFlight
		cfg.Draining = o.draining.Load
	})
	return o
}

func (o *overloadFixture) raw(t *testing.T, method, path, ctype, target, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, o.srv.URL+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (o *overloadFixture) getID(t *testing.T, body string) (int, http.Header, string) {
	return o.raw(t, http.MethodPost, "/", "application/x-amz-json-1.1", "AWSCognitoIdentityService.GetId", body)
}

func TestRateLimitedOperation(t *testing.T) {
	tiny := ratelimit.Rate{RPS: 0.0001, Burst: 3} // no refill during the test
	o := newOverloadFixture(t, ratelimit.Config{
		Operations: map[string]ratelimit.Rate{"GetId": tiny},
		Accounts: map[string]ratelimit.AccountConfig{
			"000000000000": {Operations: map[string]ratelimit.Rate{"ListIdentityPools": {RPS: 0.0001, Burst: 1}}},
		},
	}, 0)
	ok, throttled := 0, 0
	for range 10 {
		status, hd, body := o.getID(t, `{"IdentityPoolId":"eu-west-1:1a2b"}`)
		switch {
		case status == 200:
			ok++
		case status == 400 && body == throttledBody && hd.Get("x-amzn-ErrorType") == "TooManyRequestsException:" && hd.Get("x-amzn-RequestId") != "":
			throttled++
		default:
			t.Fatalf("unexpected answer %d %v %s", status, hd, body)
		}
	}
	t.Logf("rate limit: 10 attempts, %d allowed, %d throttled", ok, throttled)
	if ok != 3 || throttled != 7 || o.calls["GetId"].Load() != 3 {
		t.Fatalf("%d allowed, %d throttled, %d operation calls; want 3, 7, 3", ok, throttled, o.calls["GetId"].Load())
	}
	// GetId naming a configured account is counted against that account.
	if status, _, body := o.getID(t, `{"AccountId":"111122223333","IdentityPoolId":"eu-west-1:1a2b"}`); status != 200 {
		t.Fatalf("GetId naming its own account: %d %s", status, body)
	}

	// Signed calls are counted against the signer's account.
	c := o.client("test", "test")
	if _, err := c.ListIdentityPools(t.Context(), &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ListIdentityPools(t.Context(), &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	if code := apiCode(t, err); code != "TooManyRequestsException" {
		t.Fatalf("second signed call: %v", err)
	}
	if n := o.calls["ListIdentityPools"].Load(); n != 1 {
		t.Fatalf("ListIdentityPools ran %d times, want 1", n)
	}

	_, _, m := o.raw(t, http.MethodGet, "/metrics", "", "", "")
	for _, want := range []string{
		`idpool_requests_total{error="",operation="GetId"} 4`,
		`idpool_requests_total{error="TooManyRequestsException",operation="GetId"} 7`,
		`idpool_throttled_total{operation="GetId",reason="rate"} 7`,
		`idpool_throttled_total{operation="ListIdentityPools",reason="rate"} 1`,
		`idpool_request_duration_seconds_count{operation="GetId"} 11`,
		`idpool_requests_in_flight 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(m, "1a2b") || strings.Contains(m, "111122223333") {
		t.Error("metrics name an identity pool or account")
	}
}

func TestInFlightCap(t *testing.T) {
	o := newOverloadFixture(t, ratelimit.Config{}, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			status, _, body := o.raw(t, http.MethodPost, "/", "application/x-amz-json-1.1", "AWSCognitoIdentityService.LookupDeveloperIdentity", `{}`)
			if status != 200 {
				t.Errorf("held request: %d %s", status, body)
				o.entered <- struct{}{} // never held: don't leave the test waiting
			}
		})
	}
	<-o.entered
	<-o.entered

	refused := 0
	status, _, body := o.getID(t, `{"IdentityPoolId":"eu-west-1:1a2b"}`)
	if status == 400 && body == throttledBody {
		refused++
	}
	status, hd, body := o.raw(t, http.MethodPost, "/", "application/x-www-form-urlencoded", "", url.Values{"Action": {"GetCallerIdentity"}}.Encode())
	if status == 503 && hd.Get("Content-Type") == "text/xml" && strings.Contains(body, "<Code>ServiceUnavailable</Code>") {
		refused++
	}
	if status, _, _ := o.raw(t, http.MethodGet, "/.well-known/jwks_uri", "", "", ""); status == 503 {
		refused++
	}
	t.Logf("in-flight cap 2 with 2 held: 3 attempts, %d refused", refused)
	if refused != 3 {
		t.Fatalf("%d of 3 refused", refused)
	}
	if o.calls["GetId"].Load() != 0 {
		t.Fatal("a refused request ran")
	}
	if status, _, body := o.raw(t, http.MethodGet, "/healthz", "", "", ""); status != 200 || body != "ok" {
		t.Fatalf("healthz under load: %d %s", status, body)
	}
	_, _, m := o.raw(t, http.MethodGet, "/metrics", "", "", "")
	for _, want := range []string{"idpool_requests_in_flight 2", `idpool_throttled_total{operation="GetId",reason="inflight"} 1`,
		`idpool_throttled_total{operation="query",reason="inflight"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	close(o.release)
	wg.Wait()
	if status, _, body := o.getID(t, `{"IdentityPoolId":"eu-west-1:1a2b"}`); status != 200 {
		t.Fatalf("after the held requests ended: %d %s", status, body)
	}
}

func TestHealthWhileDraining(t *testing.T) {
	o := newOverloadFixture(t, ratelimit.Config{}, 0)
	if status, _, _ := o.raw(t, http.MethodGet, "/healthz", "", "", ""); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
	o.draining.Store(true)
	resp, err := http.Get(o.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || string(body) != "draining" || !resp.Close {
		t.Fatalf("healthz while draining: %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	// Requests are still served while draining.
	if status, _, _ := o.getID(t, `{"IdentityPoolId":"eu-west-1:1a2b"}`); status != 200 {
		t.Fatalf("GetId while draining: %d", status)
	}
}

// BenchmarkHooks measures what rate limits, the in-flight cap and metrics
// add to one unsigned GetId through the handler (no network).
func BenchmarkHooks(b *testing.B) {
	getID := ops.Operation{Name: "GetId", Unsigned: true, Call: func(context.Context, *auth.Caller, []byte) (any, error) {
		return map[string]string{"IdentityId": "us-east-1:1a2b"}, nil
	}}
	verifier := &sigv4.Verifier{Keyring: auth.NewStatic(nil)}
	run := func(b *testing.B, cfg wire.Config) {
		cfg.Operations, cfg.Verifier = []ops.Operation{getID}, verifier
		h := wire.New(cfg)
		body := `{"IdentityPoolId":"us-east-1:1a2b"}`
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetId")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatal(w.Code, w.Body.String())
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, wire.Config{}) })
	b.Run("hooks", func(b *testing.B) {
		lim, err := ratelimit.New(ratelimit.Config{Default: ratelimit.Rate{RPS: 1e12, Burst: 1 << 30}}, []string{"000000000000"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		run(b, wire.Config{RateLimits: lim, MaxInFlight: 1 << 20, Metrics: metrics.New([]string{"GetId"})})
	})
}
