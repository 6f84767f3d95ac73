package wire_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/wire"
)

// lockedBuffer is a log sink the handler's goroutines and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A client that goes away mid-call ends the operation's context; that is
// not a server failure and must not be logged or counted as one.
func TestClientGoneIsNotAnInternalError(t *testing.T) {
	logs := &lockedBuffer{}
	started := make(chan struct{})
	f := newFixture(t, func(c *wire.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
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
	go func() { <-started; cancel() }()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request answered %d; want it cancelled", resp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"status":499`) {
		if time.Now().After(deadline) {
			t.Fatalf("no 499 request line; logs:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if out := logs.String(); strings.Contains(out, `"level":"ERROR"`) || strings.Contains(out, "InternalError") {
		t.Errorf("a client going away was logged as a server error:\n%s", out)
	}
}
