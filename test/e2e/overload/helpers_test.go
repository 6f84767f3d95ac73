// Package overload drives a real idpool process past its limits: rate
// limits answered with TooManyRequestsException and honoured by the SDKs'
// retries, a flood beyond the in-flight cap refused fast with bounded
// memory, and a graceful SIGTERM drain.
package overload

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

// throttledBody is AWS's exact answer to a throttled call.
const throttledBody = `{"__type":"TooManyRequestsException","message":"Rate exceeded"}`

// accountsYAML configures the development keys as a real account, since a
// config file turns development mode off.
const accountsYAML = `
accounts:
  - id: "000000000000"
    keys:
      - accessKeyId: test
        secretAccessKey: test
`

// start runs a server with the development keys as a real account plus
// extraYAML, and creates an identity pool that allows guests.
func start(t *testing.T, extraYAML string) (*harness.Server, string) {
	t.Helper()
	s := harness.Start(t, harness.Options{Config: accountsYAML + extraYAML})
	out, err := s.Cognito().CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("overload"), AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, *out.IdentityPoolId
}

// getID sends one raw unsigned GetId and returns the status and body.
func getID(client *http.Client, url, pool string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"IdentityPoolId":"`+pool+`"}`))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetId")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// metric returns the value of one series of GET /metrics (0 when absent).
func metric(t *testing.T, url, series string) float64 { return harness.Metric(t, url, series) }

// heldRequest is a GetId whose body is only half sent: the server is
// serving it (reading the body) until finish sends the rest.
type heldRequest struct {
	conn net.Conn
	rest string
}

func holdGetID(t *testing.T, addr, pool string) *heldRequest {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := `{"IdentityPoolId":"` + pool + `"}`
	half := len(body) / 2
	head := fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\n"+
		"X-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	if _, err := conn.Write([]byte(head + body[:half])); err != nil {
		t.Fatal(err)
	}
	return &heldRequest{conn: conn, rest: body[half:]}
}

// finish sends the rest of the body and returns the answer.
func (h *heldRequest) finish() (int, string, error) {
	if _, err := h.conn.Write([]byte(h.rest)); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(h.conn), nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// waitFor polls cond until it holds; it fails the test after a minute, a
// bound far beyond any correct run (never a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
