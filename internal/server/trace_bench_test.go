package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// BenchmarkCredentialsTraces is GetCredentialsForIdentity for guests through
// the whole composed server (wire, hooks, operations, SQLite, token signing,
// the embedded STS) with decision traces off and on: the cost of tracing.
// heap-MiB is the live heap after the run (traces on: the bounded store
// full), to show memory stays flat.
func BenchmarkCredentialsTraces(b *testing.B) {
	for _, c := range []struct{ name, traces string }{{"traces=off", `{"enabled":false}`}, {"traces=on", `{"enabled":true}`}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := resolve(Options{DataDir: b.TempDir()}, "127.0.0.1:9350")
			if err != nil {
				b.Fatal(err)
			}
			s.synchronous = "NORMAL"
			s.cfg.Traces = json.RawMessage(c.traces)
			a, err := build(ctx, s, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { a.store.Close() })
			h := a.handler
			var pool struct{ IdentityPoolId string }
			call(b, h, "CreateIdentityPool", `{"IdentityPoolName":"bench","AllowUnauthenticatedIdentities":true}`, true, &pool)
			call(b, h, "SetIdentityPoolRoles", `{"IdentityPoolId":"`+pool.IdentityPoolId+`","Roles":{"unauthenticated":"arn:aws:iam::000000000000:role/guest"}}`, true, nil)
			ids := make([]string, 100)
			for i := range ids {
				var id struct{ IdentityId string }
				call(b, h, "GetId", `{"IdentityPoolId":"`+pool.IdentityPoolId+`"}`, false, &id)
				ids[i] = id.IdentityId
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i = (i + 1) % len(ids)
				call(b, h, "GetCredentialsForIdentity", `{"IdentityId":"`+ids[i]+`"}`, false, nil)
			}
			b.StopTimer()
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MiB")
		})
	}
}

// call posts one Cognito Identity call to h (signed with the development
// keys when signed) and decodes a 200 answer into out.
func call(b *testing.B, h http.Handler, op, body string, signed bool, out any) {
	b.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+op)
	if signed {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: devAccessKey, SecretAccessKey: devSecretKey},
			req, hex.EncodeToString(sum[:]), "cognito-identity", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", op, w.Code, w.Body)
	}
	if out != nil {
		if err := json.NewDecoder(io.Reader(w.Body)).Decode(out); err != nil {
			b.Fatal(err)
		}
	}
}
