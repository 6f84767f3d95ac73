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

	"github.com/idpool/idpool/internal/config"
)

// BenchmarkCredentialsTraces is GetCredentialsForIdentity for guests through
// the whole composed server (wire, hooks, operations, SQLite, token signing,
// the embedded STS), on two servers, one with decision traces off and one
// with them on, called in turn so both see the same machine: off-µs and
// on-µs are their times per call. heap-MiB is the live heap after the run
// (the traced server's store full), to show memory stays flat.
func BenchmarkCredentialsTraces(b *testing.B) {
	type server struct {
		h   http.Handler
		ids []string
		d   time.Duration
	}
	start := func(traces config.Traces) *server {
		ctx := context.Background()
		s, err := resolve(Options{DataDir: b.TempDir()}, "127.0.0.1:9350")
		if err != nil {
			b.Fatal(err)
		}
		s.synchronous = "NORMAL"
		s.cfg.Traces = traces
		a, err := build(ctx, s, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { a.store.Close() })
		sv := &server{h: a.handler, ids: make([]string, 100)}
		var pool struct{ IdentityPoolId string }
		call(b, sv.h, "CreateIdentityPool", `{"IdentityPoolName":"bench","AllowUnauthenticatedIdentities":true}`, true, &pool)
		call(b, sv.h, "SetIdentityPoolRoles", `{"IdentityPoolId":"`+pool.IdentityPoolId+`","Roles":{"unauthenticated":"arn:aws:iam::000000000000:role/guest"}}`, true, nil)
		for i := range sv.ids {
			var id struct{ IdentityId string }
			call(b, sv.h, "GetId", `{"IdentityPoolId":"`+pool.IdentityPoolId+`"}`, false, &id)
			sv.ids[i] = id.IdentityId
		}
		return sv
	}
	no, yes := false, true
	off, on := start(config.Traces{Enabled: &no}), start(config.Traces{Enabled: &yes})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		for _, sv := range []*server{off, on} {
			t0 := time.Now()
			call(b, sv.h, "GetCredentialsForIdentity", `{"IdentityId":"`+sv.ids[i%len(sv.ids)]+`"}`, false, nil)
			sv.d += time.Since(t0)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(off.d.Microseconds())/float64(i), "off-µs")
	b.ReportMetric(float64(on.d.Microseconds())/float64(i), "on-µs")
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MiB")
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
