package stack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/idpool/idpool/test/harness"
)

// callPinned sends IdpoolService.CreateIdentityPoolWithId, signed with the
// development account's keys unless unsigned.
func callPinned(t *testing.T, s *harness.Server, body string, unsigned bool) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "IdpoolService.CreateIdentityPoolWithId")
	var status int
	var b string
	if unsigned {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		status, b = resp.StatusCode, string(raw)
	} else {
		status, b = harness.SignedDo(t, req, []byte(body), aws.Credentials{AccessKeyID: harness.DevAccessKey, SecretAccessKey: harness.DevSecretKey}, "cognito-identity")
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal([]byte(b), &e)
	return status, e.Type, e.Message + b
}

// TestPinnedOperationValidatesAsCreateIdentityPool: the extension answers
// as CreateIdentityPool does for its members, checks the id, and is never
// unsigned.
func TestPinnedOperationValidatesAsCreateIdentityPool(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	id := `"IdentityPoolId":"` + pinned + `"`
	cases := []struct {
		name, body, code, msg string
		unsigned              bool
	}{
		{"bad name", `{"IdentityPoolName":"no!","AllowUnauthenticatedIdentities":false,` + id + `}`, "ValidationException", "1 validation error detected: Value 'no!' at 'identityPoolName' failed to satisfy constraint", false},
		{"required member", `{"IdentityPoolName":"ok",` + id + `}`, "ValidationException", "'allowUnauthenticatedIdentities'", false},
		{"no id", `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false}`, "ValidationException", "at 'identityPoolId' failed to satisfy constraint: Member must not be null", false},
		{"id pattern", `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false,"IdentityPoolId":"us-east-1:XYZ"}`, "ValidationException", "at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern", false},
		{"id not a uuid", `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false,"IdentityPoolId":"us-east-1:1234"}`, "InvalidParameterException", "IdentityPoolId must be REGION:uuid", false},
		{"id of another region", `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false,"IdentityPoolId":"eu-west-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10"}`, "InvalidParameterException", "IdentityPoolId's region 'eu-west-1' is not the request's region 'us-east-1'.", false},
		{"unknown member", `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false,` + id + `,"Colour":"red"}`, "SerializationException", "Unknown member", false},
		{"unsigned", `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false,` + id + `}`, "MissingAuthenticationTokenException", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code, msg := callPinned(t, s, c.body, c.unsigned)
			if status < 400 || status >= 500 || code != c.code || !strings.Contains(msg, c.msg) {
				t.Errorf("%d %s %s; want %s containing %q", status, code, msg, c.code, c.msg)
			}
		})
	}
	body := `{"IdentityPoolName":"ok","AllowUnauthenticatedIdentities":false,` + id + `}`
	if status, _, msg := callPinned(t, s, body, false); status != 200 || !strings.Contains(msg, `"IdentityPoolId":"`+pinned+`"`) {
		t.Fatalf("create: %d %s", status, msg)
	}
	if status, code, msg := callPinned(t, s, body, false); status != 400 || code != "ResourceConflictException" {
		t.Errorf("second create: %d %s %s", status, code, msg)
	}
}
