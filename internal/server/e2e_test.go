package server_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// These tests drive a real "idpool serve" process with the real SDK client
// and raw HTTP.

func code(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode()
}

func rawPost(t *testing.T, url, target, ctype, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	for _, bad := range []string{"sql", ".go:", "goroutine", "panic"} {
		if strings.Contains(b.String(), bad) {
			t.Errorf("body leaks %q: %s", bad, b.String())
		}
	}
	return resp.StatusCode, resp.Header, b.String()
}

func createPool(t *testing.T, c *cognitoidentity.Client, name string) string {
	t.Helper()
	out, err := c.CreateIdentityPool(context.Background(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String(name), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	return aws.ToString(out.IdentityPoolId)
}

func TestDevServer(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	admin := s.Cognito()

	t.Run("logs the development warning and where it listens", func(t *testing.T) {
		if !s.WaitLog("DEVELOPMENT MODE", 5*time.Second) || !s.WaitLog("listening", 5*time.Second) {
			t.Errorf("logs:\n%s", s.Logs())
		}
	})

	t.Run("unsigned GetId reaches the operation", func(t *testing.T) {
		pool := createPool(t, admin, "unsigned")
		out, err := s.Anonymous(harness.Region).GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool), AccountId: aws.String(harness.DevAccount)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(aws.ToString(out.IdentityId), harness.Region+":") {
			t.Errorf("IdentityId = %q", aws.ToString(out.IdentityId))
		}
	})

	t.Run("a signed operation without a signature", func(t *testing.T) {
		_, err := s.Anonymous(harness.Region).ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(5)})
		if got := code(t, err); got != "MissingAuthenticationTokenException" {
			t.Errorf("code %s", got)
		}
	})

	t.Run("a bad signature", func(t *testing.T) {
		_, err := s.CognitoAs(harness.DevAccessKey, "not-the-secret", harness.Region).ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(5)})
		if got := code(t, err); got != "InvalidSignatureException" {
			t.Errorf("code %s", got)
		}
		_, err = s.CognitoAs("AKIDNOBODY", "x", harness.Region).ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(5)})
		if got := code(t, err); got != "UnrecognizedClientException" {
			t.Errorf("code %s", got)
		}
	})

	envelope := []struct {
		name, target, body, code string
	}{
		{"an unknown operation", "AWSCognitoIdentityService.DoSomething", "{}", "UnknownOperationException"},
		{"malformed JSON", "AWSCognitoIdentityService.GetId", `{"IdentityPoolId": `, "SerializationException"},
		{"a wrong member type", "AWSCognitoIdentityService.GetId", `{"IdentityPoolId": 12}`, "SerializationException"},
		{"a model violation", "AWSCognitoIdentityService.GetId", `{"IdentityPoolId": "no-colon"}`, "ValidationException"},
		{"an oversized body", "AWSCognitoIdentityService.GetId", `{"IdentityPoolId":"` + strings.Repeat("x", 2<<20) + `"}`, "ValidationException"},
	}
	for _, c := range envelope {
		t.Run("answers "+c.name+" with an AWS error", func(t *testing.T) {
			status, h, body := rawPost(t, s.URL+"/", c.target, "application/x-amz-json-1.1", c.body)
			if status != 400 || !strings.HasPrefix(body, `{"__type":"`) || h.Get("x-amzn-RequestId") == "" {
				t.Fatalf("got %d %s", status, body)
			}
			if c.code != "" && !strings.HasPrefix(body, `{"__type":"`+c.code+`"`) {
				t.Errorf("body %s, want %s", body, c.code)
			}
			if !strings.HasSuffix(h.Get("x-amzn-ErrorType"), ":") {
				t.Errorf("x-amzn-ErrorType = %q", h.Get("x-amzn-ErrorType"))
			}
		})
	}

	t.Run("answers a CORS preflight", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, s.URL+"/", nil)
		req.Header.Set("Origin", "http://localhost:3000")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "x-amz-target") {
			t.Errorf("preflight %d %v", resp.StatusCode, resp.Header)
		}
	})

	t.Run("the development reset clears all state", func(t *testing.T) {
		createPool(t, admin, "doomed")
		status, _, _ := rawPost(t, s.URL+"/_idpool/reset", "", "application/json", "")
		if status != 200 {
			t.Fatalf("reset: %d", status)
		}
		out, err := admin.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.IdentityPools) != 0 {
			t.Errorf("pools after reset: %d", len(out.IdentityPools))
		}
		createPool(t, admin, "after-reset")
	})

	t.Run("SIGTERM drains and exits 0", func(t *testing.T) {
		if err := s.Stop(); err != nil {
			t.Fatalf("exit: %v\n%s", err, s.Logs())
		}
		if !strings.Contains(s.Logs(), "stopped") {
			t.Errorf("logs:\n%s", s.Logs())
		}
	})
}

func TestConfiguredServer(t *testing.T) {
	t.Setenv("IDPOOL_E2E_SECRET", "configured-secret")
	s := harness.Start(t, harness.Options{
		Config: `
accounts:
  - id: "111122223333"
    keys:
      - accessKeyId: AKIACONFIGURED
        secretAccessKey: ${IDPOOL_E2E_SECRET}
`,
	})
	ctx := context.Background()
	in := &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(5)}
	if _, err := s.CognitoAs("AKIACONFIGURED", "configured-secret", "eu-central-1").ListIdentityPools(ctx, in); err != nil {
		t.Fatalf("configured key: %v", err)
	}
	if _, err := s.Cognito().ListIdentityPools(ctx, in); code(t, err) != "UnrecognizedClientException" {
		t.Errorf("the development key works with a config file: %v", err)
	}
	if status, _, _ := rawPost(t, s.URL+"/_idpool/reset", "", "application/json", ""); status != 404 {
		t.Errorf("reset outside development mode: %d", status)
	}
	if strings.Contains(s.Logs(), "DEVELOPMENT MODE") || strings.Contains(s.Logs(), "configured-secret") {
		t.Errorf("logs:\n%s", s.Logs())
	}
}
