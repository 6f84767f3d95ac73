package sts_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/testlog"
)

func TestRoleARNs(t *testing.T) {
	cases := []struct {
		kind    sts.Kind
		pattern string
		arn     string
		ok      bool
	}{
		{"", "", "arn:aws:iam::123456789012:role/app/reader", true},
		{"", "", "arn:aws-cn:iam::123456789012:role/reader", true},
		{"", "", "arn:minio:iam:::role/dfOt7WuF", false},
		{"", "", "arn:aws:iam:::role/S3Access", false},
		{sts.KindAWS, "", "arn:aws:iam::12345678901:role/short-account", false},
		{sts.KindMinIO, "", "arn:minio:iam:::role/dfOt7WuF2i6bU4x0ZGrL5rBY1Ek", true},
		{sts.KindMinIO, "", "arn:minio:iam:us-east-1::role/app.v2_x-y/z", true},
		{sts.KindMinIO, "", "arn:minio:iam:::role/-leading-dash", false},
		{sts.KindMinIO, "", "arn:minio:iam::123456789012:role/with-account", false},
		{sts.KindMinIO, "", "arn:aws:iam::123456789012:role/aws-form", false},
		{sts.KindCeph, "", "arn:aws:iam:::role/S3Access", true},
		{sts.KindCeph, "", "arn:aws:iam::tenant_a:role/app/S3Access", true},
		{sts.KindCeph, "", "arn:aws:iam::123456789012:role/S3Access", true},
		{sts.KindCeph, "", "arn:minio:iam:::role/x", false},
		// The operator's pattern adds to the kind's form and must match whole.
		{"", `arn:example:iam::\d{12}:role/[a-z]+`, "arn:example:iam::000000000000:role/reader", true},
		{"", `arn:example:iam::\d{12}:role/[a-z]+`, "arn:aws:iam::000000000000:role/reader", true},
		{"", `arn:example:iam::\d{12}:role/[a-z]+`, "xarn:example:iam::000000000000:role/reader", false},
		{"", `arn:example:iam::\d{12}:role/[a-z]+`, "arn:example:iam::000000000000:role/reader/x", false},
		{sts.KindMinIO, `arn:example:.*`, "arn:example:anything", true},
	}
	for _, c := range cases {
		re, err := sts.RoleARNs(c.kind, c.pattern)
		if err != nil {
			t.Fatalf("%q %q: %v", c.kind, c.pattern, err)
		}
		if got := re.MatchString(c.arn); got != c.ok {
			t.Errorf("kind %q pattern %q: %s matched %v, want %v", c.kind, c.pattern, c.arn, got, c.ok)
		}
	}
	if _, err := sts.RoleARNs("garage", ""); err == nil || !strings.Contains(err.Error(), "aws, minio or ceph") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := sts.RoleARNs("", "arn:(unclosed"); err == nil {
		t.Error("a pattern that does not compile was taken")
	}
}

// counts is an sts.Observer.
type counts struct {
	mu               sync.Mutex
	refused, missing []string
}

func (c *counts) ExternalSTSRefused(code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused = append(c.refused, code)
}

func (c *counts) ExternalSTSUnavailable(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.missing = append(c.missing, reason)
}

// stsError is an STS Query error document.
func stsError(code, msg string) string {
	return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>` + code +
		`</Code><Message>` + msg + `</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`
}

// A token-shaped string, as an STS might echo the web identity token.
const echoedToken = "eyJraWQiOiJ1cy1lYXN0LTExIiwiYWxnIjoiUlM1MTIifQ.eyJzdWIiOiJ1cy1lYXN0LTE6YWJjIn0.c2lnbmF0dXJlLWJ5dGVz"

func TestExternalOutcomes(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(stsError("InvalidParameterValue", "RoleARN parse err: invalid ARN - bad partition field; token "+echoedToken)))
	}))
	defer refusing.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(stsError("InternalError", "We encountered an internal error, please try again.")))
	}))
	defer failing.Close()
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hanging.Close()
	defer close(release)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	cases := []struct {
		name, endpoint string
		refused        bool
		reason         string
		within         time.Duration
	}{
		{"a refusal keeps the STS's code", refusing.URL, true, "", 3 * time.Second},
		{"a 5xx is a failure", failing.URL, false, sts.ReasonServerError, 3 * time.Second},
		{"no answer within the timeout", hanging.URL, false, sts.ReasonTimeout, 3 * time.Second},
		{"nobody listening", closed, false, sts.ReasonUnreachable, 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs testlog.Buffer
			ext, err := sts.NewExternal(sts.ExternalConfig{Endpoint: c.endpoint, Timeout: time.Second,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			var n counts
			ext.Observe(&n)
			start := time.Now()
			_, err = ext.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{RoleARN: "arn:aws:iam::123456789012:role/r", WebIdentityToken: echoedToken})
			if took := time.Since(start); took > c.within {
				t.Errorf("took %s", took)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, identity.ErrSTSUnavailable); got == c.refused {
				t.Fatalf("ErrSTSUnavailable = %v for %v", got, err)
			}
			if c.refused {
				if e := apierr.AsIn(apierr.Query, err); e.Code != "InvalidParameterValue" || !strings.Contains(e.Message, "bad partition field") {
					t.Errorf("refusal = %v", err)
				}
				line := logs.String()
				for _, want := range []string{"external STS refused", "code=InvalidParameterValue", "bad partition field", "[token]", "status=400", "role=arn:aws:iam::123456789012:role/r"} {
					if !strings.Contains(line, want) {
						t.Errorf("log lacks %q:\n%s", want, line)
					}
				}
				if strings.Contains(line+err.Error(), echoedToken[:40]) {
					t.Errorf("the token reached the log or the error:\n%s\n%v", line, err)
				}
				if len(n.refused) != 1 || n.refused[0] != "InvalidParameterValue" || len(n.missing) != 0 {
					t.Errorf("counted %v %v", n.refused, n.missing)
				}
				return
			}
			if !strings.Contains(err.Error(), c.endpoint) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("error lacks the endpoint or the reason: %v", err)
			}
			if len(n.missing) != 1 || n.missing[0] != c.reason || len(n.refused) != 0 {
				t.Errorf("counted %v %v", n.refused, n.missing)
			}
		})
	}
}

// A client that hangs up is neither a refusal nor a failure of the STS.
func TestExternalCallerGone(t *testing.T) {
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hanging.Close()
	defer close(release)
	ext, err := sts.NewExternal(sts.ExternalConfig{Endpoint: hanging.URL})
	if err != nil {
		t.Fatal(err)
	}
	var n counts
	ext.Observe(&n)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = ext.AssumeRoleWithWebIdentity(ctx, identity.AssumeRequest{RoleARN: "arn:aws:iam::123456789012:role/r", WebIdentityToken: "t"})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, identity.ErrSTSUnavailable) || len(n.missing)+len(n.refused) != 0 {
		t.Errorf("err = %v, counted %v %v", err, n.refused, n.missing)
	}
}
