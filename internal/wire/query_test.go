package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/wire"
)

// testService is a small Query service for exercising the handler. Hang
// closes started (when set) and waits for its request to end.
type testService struct{ started chan struct{} }

type echoResult struct {
	Caller string   `xml:"Caller"`
	Items  []string `xml:"Items>member"`
}

func (testService) SigningName() string  { return "sts" }
func (testService) XMLNamespace() string { return "https://example.test/doc/" }
func (ts testService) Action(name string) (awsquery.Action, bool) {
	switch name {
	case "Hang":
		return awsquery.Action{Unsigned: true, Call: func(ctx context.Context, _ *auth.Caller, _ url.Values) (any, error) {
			close(ts.started)
			<-ctx.Done()
			return nil, ctx.Err()
		}}, true
	case "Echo":
		return awsquery.Action{Unsigned: true, Call: func(_ context.Context, c *auth.Caller, f url.Values) (any, error) {
			who := "anonymous"
			if c.Principal != nil {
				who = c.Principal.ARN
			}
			return echoResult{Caller: who, Items: awsquery.Members(f, "Items")}, nil
		}}, true
	case "Nothing":
		return awsquery.Action{Unsigned: true, Call: func(context.Context, *auth.Caller, url.Values) (any, error) { return nil, nil }}, true
	case "Boom":
		return awsquery.Action{Unsigned: true, Call: func(context.Context, *auth.Caller, url.Values) (any, error) { panic("boom") }}, true
	case "Leak":
		return awsquery.Action{Unsigned: true, Call: func(context.Context, *auth.Caller, url.Values) (any, error) {
			return nil, errors.New("sql: connection refused at db.go:12")
		}}, true
	case "Private":
		return awsquery.Action{Call: func(context.Context, *auth.Caller, url.Values) (any, error) { return nil, nil }}, true
	}
	return awsquery.Action{}, false
}

func queryServer(t *testing.T) *httptest.Server {
	keys := auth.NewStatic([]auth.Account{{ID: "000000000000", Keys: map[string]string{"test": "test"}}})
	srv := httptest.NewServer(wire.New(wire.Config{
		QueryServices: []awsquery.Service{testService{}}, Verifier: &sigv4.Verifier{Keyring: keys},
	}))
	t.Cleanup(srv.Close)
	return srv
}

func doReq(t *testing.T, req *http.Request) (int, string, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func postForm(t *testing.T, srv *httptest.Server, body string) (int, string, http.Header) {
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doReq(t, req)
}

var requestID = regexp.MustCompile(`<RequestId>([0-9a-f-]{36})</RequestId>`)

func TestQuerySuccessShape(t *testing.T) {
	srv := queryServer(t)
	status, body, h := postForm(t, srv, "Action=Echo&Version=1&Items.member.1=a&Items.member.2=b&Items.member.4=skipped")
	m := requestID.FindStringSubmatch(body)
	if status != 200 || m == nil || h.Get("x-amzn-RequestId") != m[1] || h.Get("Content-Type") != "text/xml" {
		t.Fatalf("%d %v %s", status, h, body)
	}
	want := `<EchoResponse xmlns="https://example.test/doc/"><EchoResult><Caller>anonymous</Caller><Items><member>a</member><member>b</member></Items></EchoResult>` +
		`<ResponseMetadata><RequestId>` + m[1] + `</RequestId></ResponseMetadata></EchoResponse>`
	if body != want {
		t.Fatalf("body\n%s\nwant\n%s", body, want)
	}
	_, body, _ = postForm(t, srv, "Action=Nothing")
	if strings.Contains(body, "NothingResult") || !strings.HasPrefix(body, `<NothingResponse xmlns="https://example.test/doc/"><ResponseMetadata>`) {
		t.Fatalf("nil result: %s", body)
	}
	status, body, _ = doReq(t, mustReq(http.NewRequest(http.MethodGet, srv.URL+"/?Action=Echo&Items.member.1=q", nil)))
	if status != 200 || !strings.Contains(body, "<member>q</member>") {
		t.Fatalf("GET: %d %s", status, body)
	}
}

func mustReq(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}

func TestQueryErrorsNeverLeak(t *testing.T) {
	srv := queryServer(t)
	for _, action := range []string{"Boom", "Leak"} {
		status, body, _ := postForm(t, srv, "Action="+action)
		if status != 500 || !strings.Contains(body, "<Type>Receiver</Type><Code>InternalFailure</Code>") ||
			strings.Contains(body, "sql") || strings.Contains(body, ".go") || strings.Contains(body, "boom") {
			t.Errorf("%s: %d %s", action, status, body)
		}
	}
	status, body, _ := postForm(t, srv, "Version=1")
	if status != 400 || !strings.Contains(body, "<Code>MissingAction</Code>") {
		t.Errorf("no action: %d %s", status, body)
	}
	status, body, _ = doReq(t, mustReq(http.NewRequest(http.MethodPut, srv.URL, nil)))
	if status != 400 || !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("PUT (not a Query request, so the JSON codec's): %d %s", status, body)
	}
}

// sign signs a form POST with the SDK's signer for service.
func signForm(t *testing.T, url, body, service, secret string) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestQuerySignatures(t *testing.T) {
	srv := queryServer(t)
	status, body, _ := doReq(t, signForm(t, srv.URL, "Action=Echo", "sts", "test"))
	if status != 200 || !strings.Contains(body, "<Caller>arn:aws:iam::000000000000:root</Caller>") {
		t.Fatalf("signed: %d %s", status, body)
	}
	status, body, _ = doReq(t, signForm(t, srv.URL, "Action=Echo", "iam", "test"))
	if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("wrong service scope: %d %s", status, body)
	}
	status, body, _ = doReq(t, signForm(t, srv.URL, "Action=Echo", "sts", "wrong"))
	if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("unsigned action with a bad signature: %d %s", status, body)
	}
	status, body, _ = postForm(t, srv, "Action=Private")
	if status != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Fatalf("unsigned signed-only action: %d %s", status, body)
	}
	status, _, _ = doReq(t, signForm(t, srv.URL, "Action=Private", "sts", "test"))
	if status != 200 {
		t.Fatalf("signed Private: %d", status)
	}
}
