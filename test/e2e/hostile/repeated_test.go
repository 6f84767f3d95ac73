package hostile

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/harness"
)

// TestRepeatedMembersLastWins: one rule on both front ends for a member
// sent twice. [inf] AWS's JSON services parse with Jackson, whose default
// keeps the last of duplicate keys; nothing documents otherwise, and the
// Query front end follows the same rule for a repeated form parameter, so
// whatever reads a request (the validator, the operation, a proxy that
// also takes the last) reads the same value.
func TestRepeatedMembersLastWins(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("dup"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(pool.IdentityPoolId)
	iamc := awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")})
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + id + `"}}}]}`
	if _, err := iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Dup"), AssumeRolePolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	other := "us-east-1:00000000-0000-0000-0000-000000000000"
	jsonCall := func(body string) (int, string) {
		r := signed(s.Addr, "cognito-identity", http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {target("DescribeIdentityPool")}}, body, nowFn())
		return roundTrip(t, r)
	}
	form := func(service, body string) (int, string) {
		return roundTrip(t, signed(s.Addr, service, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body, nowFn()))
	}
	cases := []struct {
		name   string
		call   func() (int, string)
		status int
		has    string
	}{
		{"JSON: an unknown id, then the pool's", func() (int, string) {
			return jsonCall(`{"IdentityPoolId":"` + other + `","IdentityPoolId":"` + id + `"}`)
		}, 200, `"IdentityPoolName":"dup"`},
		{"JSON: the pool's id, then an unknown one", func() (int, string) {
			return jsonCall(`{"IdentityPoolId":"` + id + `","IdentityPoolId":"` + other + `"}`)
		}, 400, "ResourceNotFoundException"},
		{"JSON: the pool's id, then an invalid one", func() (int, string) { return jsonCall(`{"IdentityPoolId":"` + id + `","IdentityPoolId":"x"}`) }, 400, "ValidationException"},
		{"Query: RoleName of no role, then the role's", func() (int, string) {
			return form("iam", "Action=GetRole&RoleName=Nobody&RoleName=Dup&Version=2010-05-08")
		}, 200, "<RoleName>Dup</RoleName>"},
		{"Query: the role's RoleName, then one of no role", func() (int, string) {
			return form("iam", "Action=GetRole&RoleName=Dup&RoleName=Nobody&Version=2010-05-08")
		}, 404, "NoSuchEntity"},
		{"Query: Action twice", func() (int, string) {
			return form("iam", "Action=DeleteRole&Action=GetRole&RoleName=Dup&Version=2010-05-08")
		}, 200, "<GetRoleResult>"},
	}
	for _, c := range cases {
		status, body := c.call()
		if status != c.status || !strings.Contains(body, c.has) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, status, trim(body), c.status, c.has)
		}
	}
	if _, err := iamc.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("Dup")}); err != nil {
		t.Errorf("the role is gone: %v", err)
	}
	noInternalErrors(t, s)
}

func roundTrip(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
