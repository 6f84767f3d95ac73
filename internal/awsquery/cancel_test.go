package awsquery_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/testlog"
)

// A client hanging up mid-action is recorded as 499, not as an
// InternalFailure logged at ERROR.
func TestClientGoneIsNotAFailure(t *testing.T) {
	logs := &testlog.Buffer{}
	started := make(chan struct{})
	keys := auth.NewStatic([]auth.Account{{ID: "000000000000", Keys: map[string]string{"test": "test"}}})
	srv := httptest.NewServer(awsquery.NewHandler(awsquery.HandlerConfig{
		Services: []awsquery.Service{testService{started: started}}, Verifier: &sigv4.Verifier{Keyring: keys},
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	}))
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("Action=Hang"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	go func() { <-started; cancel() }()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("answered %d; want the request cancelled", resp.StatusCode)
	}
	if !logs.Wait(`"status":499`, 10*time.Second) {
		t.Fatalf("no 499 request line; logs:\n%s", logs)
	}
	if out := logs.String(); strings.Contains(out, `"level":"ERROR"`) || strings.Contains(out, "InternalFailure") {
		t.Errorf("a client going away was logged as a failure:\n%s", out)
	}
}
