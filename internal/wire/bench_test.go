package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/model"
	"github.com/idpool/idpool/internal/ops"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/wire"
)

// BenchmarkHandler is a request's way through the wire without storage or
// network: route, read, SigV4 verification, model validation, the JSON
// answer and the request log line (at info level, discarded), with the real
// model and verifier and an operation that returns a fixed output.
func BenchmarkHandler(b *testing.B) {
	m, err := model.Load()
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]any{"IdentityPoolId": "us-east-1:0190a000-0000-7000-8000-000000000000", "IdentityPoolName": "bench",
		"AllowUnauthenticatedIdentities": true, "SupportedLoginProviders": map[string]string{"graph.facebook.com": "123"}}
	fixed := func(context.Context, *auth.Caller, []byte) (any, error) { return out, nil }
	h := wire.New(wire.Config{
		Operations: []ops.Operation{{Name: "DescribeIdentityPool", Call: fixed}, {Name: "GetId", Unsigned: true, Call: fixed}},
		Validator:  m,
		Verifier:   &sigv4.Verifier{Keyring: auth.NewStatic([]auth.Account{{ID: "000000000000", Keys: map[string]string{"test": "test"}}})},
		Logger:     slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	cases := []struct {
		name, op, body string
		signed         bool
	}{
		{"DescribeIdentityPool/signed", "DescribeIdentityPool", `{"IdentityPoolId":"us-east-1:0190a000-0000-7000-8000-000000000000"}`, true},
		{"GetId/unsigned-login", "GetId", `{"IdentityPoolId":"us-east-1:0190a000-0000-7000-8000-000000000000",` +
			`"Logins":{"graph.facebook.com":"` + string(bytes.Repeat([]byte("t"), 900)) + `"}}`, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+c.op)
			if c.signed {
				sum := sha256.Sum256(body)
				if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
					req, hex.EncodeToString(sum[:]), "cognito-identity", "us-east-1", time.Now()); err != nil {
					b.Fatal(err)
				}
			}
			rd := bytes.NewReader(body)
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				req.Body = io.NopCloser(rd)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
