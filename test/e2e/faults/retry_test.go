package faults

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/idpool/idpool/test/harness"
)

// Each SDK's standard retryer completes a GetId through N injected
// TooManyRequestsException answers, and /metrics counts the faults and
// the throttled attempts the SDK retried.
func TestSDKsRetryThroughInjectedThrottles(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	pool := guestPool(t, s.Cognito(), "faults")
	const series = `idpool_faults_injected_total{error="TooManyRequestsException",operation="GetId"}`
	const refused = `idpool_requests_total{error="TooManyRequestsException",operation="GetId"}`
	const ok = `idpool_requests_total{error="",operation="GetId"}`

	// attempts runs one client's call through n faults and checks it took
	// n+1 attempts, n of them counted as injected faults.
	check := func(t *testing.T, n int, call func() int) {
		t.Helper()
		before, beforeRefused, beforeOK := metric(t, s, series), metric(t, s, refused), metric(t, s, ok)
		addFault(t, s, `{"Operation":"GetId","IdentityPoolId":"`+pool+`","Error":"TooManyRequestsException","Times":`+strconv.Itoa(n)+`}`)
		if got := call(); got != n+1 {
			t.Errorf("the call took %d attempts, want %d", got, n+1)
		}
		if d := metric(t, s, series) - before; d != float64(n) {
			t.Errorf("%s rose by %v, want %d", series, d, n)
		}
		if d := metric(t, s, refused) - beforeRefused; d != float64(n) {
			t.Errorf("%s rose by %v, want %d", refused, d, n)
		}
		if d := metric(t, s, ok) - beforeOK; d != 1 {
			t.Errorf("%s rose by %v, want 1", ok, d)
		}
	}

	t.Run("go", func(t *testing.T) {
		// No Retryer option: the SDK's standard retryer (3 attempts).
		c := cognitoidentity.New(cognitoidentity.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: aws.AnonymousCredentials{}})
		check(t, 2, func() int {
			out, err := c.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
			if err != nil {
				t.Fatalf("GetId through 2 faults: %v", err)
			}
			attempts, _ := retryAttempts(out.ResultMetadata)
			return attempts
		})
		// One fault more than the retryer's attempts: the app sees AWS's answer.
		addFault(t, s, `{"Operation":"GetId","Error":"TooManyRequestsException","Times":3}`)
		_, err := c.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
		var tm *types.TooManyRequestsException
		if !errorsAs(err, &tm) || tm.ErrorMessage() != "Rate exceeded" {
			t.Errorf("GetId through 3 faults with 3 attempts: %v, want TooManyRequestsException: Rate exceeded", err)
		}
	})
	t.Run("boto3", func(t *testing.T) {
		py := python(t)
		check(t, 3, func() int {
			stdout, stderr, code := harness.Run(t, nil, py, filepath.Join(harness.Root(), "test", "e2e", "faults", "retry.py"), s.URL, pool, "4")
			if code != 0 {
				t.Fatalf("retry.py: exit %d\n%s%s", code, stdout, stderr)
			}
			return attemptsOf(t, stdout)
		})
	})
	t.Run("javascript", func(t *testing.T) {
		node, dir := jsDir(t)
		check(t, 2, func() int {
			stdout, stderr, code := harness.Run(t, nil, node, filepath.Join(dir, "faults-retry.mjs"), s.URL, pool)
			if code != 0 {
				t.Fatalf("faults-retry.mjs: exit %d\n%s%s", code, stdout, stderr)
			}
			return attemptsOf(t, stdout)
		})
	})
	if !s.WaitLog(`error=TooManyRequestsException fault=`, 5*time.Second) {
		t.Errorf("no log line marks an injected fault:\n%s", s.Logs())
	}
}

func attemptsOf(t *testing.T, stdout string) int {
	t.Helper()
	var out struct {
		IdentityId string
		Attempts   int
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.IdentityId == "" {
		t.Fatalf("client output %q: %v", stdout, err)
	}
	return out.Attempts
}

// retryAttempts is how many attempts the Go SDK's retryer made for a call.
func retryAttempts(md middleware.Metadata) (int, bool) {
	res, ok := retry.GetAttemptResults(md)
	return len(res.Results), ok
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }

// idpool's own operations are counted under their X-Amz-Target name, with
// their error codes, not lumped with unknown targets.
func TestExtensionOperationsHaveTheirMetrics(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	const listed = `idpool_requests_total{error="",operation="IdpoolService.ListFaults"}`
	const missing = `idpool_requests_total{error="ResourceNotFoundException",operation="IdpoolService.ClearFaults"}`
	const unknown = `idpool_requests_total{error="UnknownOperationException",operation="unknown"}`
	beforeUnknown := metric(t, s, unknown)
	for range 3 {
		if status, _ := s.Extension(t, harness.DevAccessKey, harness.DevSecretKey, "ListFaults", `{}`); status != http.StatusOK {
			t.Fatalf("ListFaults: %d", status)
		}
	}
	if status, _ := s.Extension(t, harness.DevAccessKey, harness.DevSecretKey, "ClearFaults", `{"FaultId":"nope"}`); status != http.StatusBadRequest {
		t.Fatalf("ClearFaults of no rule: %d", status)
	}
	if got := metric(t, s, listed); got != 3 {
		t.Errorf("%s = %v, want 3", listed, got)
	}
	if got := metric(t, s, missing); got != 1 {
		t.Errorf("%s = %v, want 1", missing, got)
	}
	if got := metric(t, s, unknown) - beforeUnknown; got != 0 {
		t.Errorf("%s rose by %v", unknown, got)
	}
	// An unknown idpool target is still unknown, and labelled so.
	if status, _ := s.Extension(t, harness.DevAccessKey, harness.DevSecretKey, "NoSuchThing", `{}`); status != http.StatusBadRequest {
		t.Fatalf("an unknown extension: %d", status)
	}
	if got := metric(t, s, unknown) - beforeUnknown; got != 1 {
		t.Errorf("%s rose by %v, want 1", unknown, got)
	}
}
