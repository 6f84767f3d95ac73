package harness

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Extension posts body to idpool's IdpoolService.<name> on s, signed with
// key and secret for cognito-identity in Region (unsigned when key is ""),
// and returns the status and the body.
func (s *Server) Extension(t testing.TB, key, secret, name, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "IdpoolService."+name)
	if key != "" {
		status, b := SignedDo(t, req, []byte(body), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, "cognito-identity")
		return status, []byte(b)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
