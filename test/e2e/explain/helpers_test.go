// Package explain drives decision traces end to end: a real server process
// in production mode (a config file with two accounts), a real TLS OpenID
// Connect issuer, IAM roles with their trust policies through the IAM API,
// refusals sent as raw HTTP and their traces read back with
// IdpoolService.GetTrace, ListTraces and ExplainCredentials, and the
// idpool CLI binary's explain commands.
package explain

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/harness"
)

const (
	accountA = "111111111111"
	accountB = "222222222222"
	keyA     = "AKIAEXPLAINAAAAAAAAA"
	secretA  = "explain-secret-a"
	keyB     = "AKIAEXPLAINBBBBBBBBB"
	secretB  = "explain-secret-b"
)

// config is the server's config file; traces is its traces section (or "").
func config(traces string) string {
	return `
accounts:
  - id: "` + accountA + `"
    keys:
      - accessKeyId: ` + keyA + `
        secretAccessKey: ` + secretA + `
  - id: "` + accountB + `"
    keys:
      - accessKeyId: ` + keyB + `
        secretAccessKey: ` + secretB + `
` + traces
}

func cognito(s *harness.Server, key, secret string) *cognitoidentity.Client {
	return cognitoidentity.New(cognitoidentity.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), RetryMaxAttempts: 1})
}

func iamOf(s *harness.Server, key, secret string) *awsiam.Client {
	return awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), RetryMaxAttempts: 1})
}

// answer is a raw HTTP answer: status, headers but the request id and the
// date, and the body.
type answer struct {
	status  int
	headers string
	body    string
	id      string
}

// post sends an unsigned Cognito Identity call as raw HTTP.
func post(t *testing.T, s *harness.Server, op, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var hs []string
	for k, v := range resp.Header {
		if k == "X-Amzn-Requestid" || k == "Date" {
			continue
		}
		hs = append(hs, k+": "+strings.Join(v, ","))
	}
	sort.Strings(hs)
	return answer{status: resp.StatusCode, headers: strings.Join(hs, "\n"), body: string(b), id: resp.Header.Get("x-amzn-RequestId")}
}

// Step and Trace are the wire shapes of IdpoolService.GetTrace.
type Step struct {
	Phase, Check, Result, Detail string
	Facts                        map[string]string
}

type Trace struct {
	RequestId, Operation, Time, IdentityPoolId, IdentityId, Outcome, ErrorType, ErrorMessage string
	Steps                                                                                    []Step
}

// cause is the first failed step.
func (tr *Trace) cause() *Step {
	for i := range tr.Steps {
		if tr.Steps[i].Result == "fail" {
			return &tr.Steps[i]
		}
	}
	return nil
}

func (tr *Trace) String() string {
	var b strings.Builder
	for _, s := range tr.Steps {
		b.WriteString(s.Phase + "/" + s.Check + " " + s.Result + ": " + s.Detail + "\n")
	}
	return b.String()
}

// extension calls IdpoolService.<name> signed by key and decodes the answer into out.
func extension(t *testing.T, s *harness.Server, key, secret, name string, in, out any) int {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	status, b := s.Extension(t, key, secret, name, string(body))
	if status == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v in %s", name, err, b)
		}
	}
	if status != http.StatusOK && out != nil {
		if m, ok := out.(*map[string]any); ok {
			_ = json.Unmarshal(b, m)
		}
	}
	return status
}

func getTrace(t *testing.T, s *harness.Server, key, secret, id string) (*Trace, int) {
	t.Helper()
	var out struct{ Trace *Trace }
	status := extension(t, s, key, secret, "GetTrace", map[string]string{"RequestId": id}, &out)
	return out.Trace, status
}

// trustPolicy is a role trust policy for pool's identities whose amr
// includes amr.
func trustPolicy(pool, amr string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"pool","Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"` + amr + `"}}}]}`
}

func createRole(t *testing.T, c *awsiam.Client, name, policy string) string {
	t.Helper()
	out, err := c.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}
