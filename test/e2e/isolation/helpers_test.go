// Package isolation drives a real idpool server configured with two
// accounts and checks that neither can read, change, tag, list or delete
// the other's pools, identities or roles, that one identity can't act for
// another, and that credentials vended to app users can't call admin
// operations. Every attempt is counted; the other account's state is
// compared before and after.
package isolation

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// The two accounts of the server's config file.
const (
	accountA = "111111111111"
	accountB = "222222222222"
	keyA     = "AKIAISOLATIONAAAA"
	secretA  = "isolation-secret-a"
	keyB     = "AKIAISOLATIONBBBB"
	secretB  = "isolation-secret-b"
)

const config = `
accounts:
  - id: "` + accountA + `"
    keys:
      - accessKeyId: ` + keyA + `
        secretAccessKey: ` + secretA + `
  - id: "` + accountB + `"
    keys:
      - accessKeyId: ` + keyB + `
        secretAccessKey: ` + secretB + `
`

// account is one account's clients.
type account struct {
	id      string
	cognito *cognitoidentity.Client
	iam     *awsiam.Client
}

func newAccount(s *harness.Server, id string, creds aws.CredentialsProvider) *account {
	return &account{
		id: id,
		cognito: cognitoidentity.New(cognitoidentity.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL),
			Credentials: creds, RetryMaxAttempts: 1}),
		iam: awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL),
			Credentials: creds, RetryMaxAttempts: 1}),
	}
}

func static(key, secret, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(key, secret, token)
}

func stsClient(s *harness.Server) *awssts.Client {
	return awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
}

// trust is a role trust policy for pool's identities (amr: authenticated or
// unauthenticated), as AWS's documentation writes it.
func trust(pool string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"*authenticated"}}}]}`
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return "success"
}

// tally counts attempts and refusals.
type tally struct {
	t                  *testing.T
	attempts, refusals int
}

// want records one attempt that must fail with code.
func (c *tally) want(name, code string, err error) {
	c.t.Helper()
	c.attempts++
	if got := errCode(err); got != code {
		c.t.Errorf("%s: got %s, want %s", name, got, code)
		return
	}
	c.refusals++
}

// check records one attempt refused when ok holds (an operation that
// answers without failing but must have no effect or show nothing).
func (c *tally) check(name string, ok bool, detail any) {
	c.t.Helper()
	c.attempts++
	if !ok {
		c.t.Errorf("%s: not refused: %v", name, detail)
		return
	}
	c.refusals++
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func fatalIf(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
