package wire_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/testlog"
	"github.com/idpool/idpool/internal/wire"
)

// A client that goes away mid-call ends the operation's context; that is
// not a server failure and must not be logged or counted as one, whatever
// the protocol.
func TestClientGoneIsNotAnInternalError(t *testing.T) {
	for _, query := range []bool{false, true} {
		logs := &testlog.Buffer{}
		started := make(chan struct{})
		f := newFixture(t, func(c *wire.Config) {
			c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			c.QueryServices = []awsquery.Service{testService{started: started}}
			c.Operations = append(c.Operations, ops.Operation{Name: "GetOpenIdToken", Unsigned: true,
				Call: func(ctx context.Context, _ *auth.Caller, _ []byte) (any, error) {
					close(started)
					<-ctx.Done()
					return nil, ctx.Err() // what a store call returns once its context ends
				}})
		})
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL+"/", strings.NewReader(`{"IdentityId":"us-east-1:1a2b"}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetOpenIdToken")
		if query {
			req, _ = http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL, strings.NewReader("Action=Hang"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		go func() { <-started; cancel() }()
		clientGone(t, req, logs)
	}
}

func clientGone(t *testing.T, req *http.Request, logs *testlog.Buffer) {
	t.Helper()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request answered %d; want it cancelled", resp.StatusCode)
	}
	if !logs.Wait(`"status":499`, 10*time.Second) {
		t.Fatalf("no 499 request line; logs:\n%s", logs)
	}
	if out := logs.String(); strings.Contains(out, `"level":"ERROR"`) || strings.Contains(out, "InternalError") || strings.Contains(out, "InternalFailure") {
		t.Errorf("a client going away was logged as a server error:\n%s", out)
	}
}
