package hostile

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// Bounds on an error answer: the message header (X-Amzn-ErrorMessage) must
// stay far below what HTTP clients accept for one header line (Python's
// http.client: 64 KiB, Node: 16 KiB for all headers), and the body small.
const (
	maxErrorHeader = 512
	maxErrorBody   = 20 << 10
)

// huge is a value as long as a request of the body cap can carry.
func huge(n int) string { return strings.Repeat("A", n) }

// echoCase is one request that quotes a client's value in its error.
type echoCase struct {
	name string
	req  *http.Request
	typ  string // the AWS error code
}

func echoCases(s *harness.Server) []echoCase {
	addr := s.Addr
	json := func(op, body string) *http.Request {
		return signed(addr, "cognito-identity", http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {target(op)}}, body, nowFn())
	}
	unsignedJSON := func(op, body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", target(op))
		return r
	}
	form := func(service, body string) *http.Request {
		return signed(addr, service, http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}, body, nowFn())
	}
	unsignedForm := func(body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	authz := func(service, value string) *http.Request {
		r := form(service, "Action=GetCallerIdentity&Version=2011-06-15")
		r.Header.Set("Authorization", value)
		return r
	}
	// room leaves space for the rest of the body under the 1 MiB cap.
	n := maxBody - 512
	const sts, iam = "&Version=2011-06-15", "&Version=2010-05-08"
	return []echoCase{
		{"ListIdentityPools NextToken", json("ListIdentityPools", `{"MaxResults":1,"NextToken":"`+huge(n)+`"}`), "ValidationException"},
		{"DescribeIdentityPool id", json("DescribeIdentityPool", `{"IdentityPoolId":"`+huge(n)+`"}`), "ValidationException"},
		{"CreateIdentityPool names", json("CreateIdentityPool", `{"IdentityPoolName":"`+huge(n/3)+`","AllowUnauthenticatedIdentities":true,"DeveloperProviderName":"`+
			huge(n/3)+`","SupportedLoginProviders":{"`+huge(n/4)+`":"x"}}`), "ValidationException"},
		{"ten oversized members", json("CreateIdentityPool", tenHuge(n)), "ValidationException"},
		{"GetId logins key", unsignedJSON("GetId", `{"IdentityPoolId":"us-east-1:`+huge(40)+`","Logins":{"`+huge(n)+`":"t"}}`), "ValidationException"},
		{"STS AssumeRoleWithWebIdentity", unsignedForm("Action=AssumeRoleWithWebIdentity&RoleSessionName=" + huge(n/2) + "&RoleArn=" + huge(n/2) + "&WebIdentityToken=t" + sts), "ValidationError"},
		{"IAM GetRole RoleName", form("iam", "Action=GetRole&RoleName="+huge(n)+iam), "ValidationError"},
		{"IAM CreateRole path", form("iam", "Action=CreateRole&RoleName=r&Path="+huge(n/2)+"&AssumeRolePolicyDocument="+url.QueryEscape(`{"Version":"2012-10-17"}`)+"&Description="+huge(n/2)+iam), "ValidationError|MalformedPolicyDocument"},
		{"IAM unknown action", form("iam", "Action="+huge(n)+iam), "InvalidAction"},
		{"unknown action and version", form("sts", "Action=Assume"+huge(n/2)+"&Version="+huge(n/2)), "InvalidAction"},
		{"Credential of 60 KB", authz("sts", "AWS4-HMAC-SHA256 Credential="+huge(60000)+", SignedHeaders=host;x-amz-date, Signature=00"), "IncompleteSignature"},
		{"terminator of 60 KB", authz("sts", "AWS4-HMAC-SHA256 Credential=test/"+todayUTC()+"/us-east-1/sts/"+huge(60000)+", SignedHeaders=host;x-amz-date, Signature=00"), "SignatureDoesNotMatch"},
		{"JSON Credential of 60 KB", func() *http.Request {
			r := json("ListIdentityPools", `{"MaxResults":1}`)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+huge(60000)+", SignedHeaders=host;x-amz-date, Signature=00")
			return r
		}(), "IncompleteSignatureException"},
		{"JSON X-Amz-Date of 60 KB", func() *http.Request {
			r := json("ListIdentityPools", `{"MaxResults":1}`)
			r.Header.Set("X-Amz-Date", huge(60000))
			return r
		}(), "IncompleteSignatureException"},
	}
}

// tenHuge is a CreateIdentityPool body whose every string member is too long.
func tenHuge(n int) string {
	each := strconv.Quote(huge(n / 12))
	return `{"IdentityPoolName":` + each + `,"AllowUnauthenticatedIdentities":true,"DeveloperProviderName":` + each +
		`,"OpenIdConnectProviderARNs":[` + each + `,` + each + `,` + each + `],"SamlProviderARNs":[` + each + `,` + each + `,` + each +
		`],"CognitoIdentityProviders":[{"ProviderName":` + each + `,"ClientId":` + each + `}]}`
}

// TestEchoBounded: every error that quotes a client's value stays small, in
// its body and far more in its header, whatever the value's size, on the
// JSON front end, STS, IAM and the signature checks.
func TestEchoBounded(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	for _, c := range echoCases(s) {
		resp, err := http.DefaultClient.Do(c.req)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		typ := errorType(resp.Header, body)
		var hdr int
		for k, vs := range resp.Header {
			for _, v := range vs {
				if k != "Date" {
					hdr = max(hdr, len(v))
				}
			}
		}
		t.Logf("%s: %d %s, body %d bytes, longest header value %d bytes", c.name, resp.StatusCode, typ, len(body), hdr)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains("|"+c.typ+"|", "|"+typ+"|") {
			t.Errorf("%s: %d %q, want %s: %s", c.name, resp.StatusCode, typ, c.typ, trim(string(body)))
		}
		if hdr > maxErrorHeader {
			t.Errorf("%s: a header line of %d bytes (X-Amzn-ErrorMessage %d)", c.name, hdr, len(resp.Header.Get("X-Amzn-ErrorMessage")))
		}
		if len(body) > maxErrorBody {
			t.Errorf("%s: error body of %d bytes", c.name, len(body))
		}
		if !strings.Contains(string(body), "AAAAAAAA") && c.typ != "InvalidAction" && !strings.HasPrefix(c.name, "JSON X-Amz-Date") {
			// The value is still quoted, only cut short: the message helps.
			t.Logf("%s: the message quotes none of the value: %s", c.name, trim(string(body)))
		}
	}
	noInternalErrors(t, s)
}

// TestEchoBoundedSDKs: the Go SDK, boto3 and the aws CLI each get the
// AWS-shaped validation error for the largest values the body cap allows,
// where an unbounded header made boto3 fail with ConnectionClosedError.
func TestEchoBoundedSDKs(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	n := maxBody - 512
	creds := credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")
	wantCode := func(what string, err error, code string) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != code {
			t.Errorf("Go SDK %s: %v, want %s", what, err, code)
			return
		}
		if len(ae.ErrorMessage()) > maxErrorBody {
			t.Errorf("Go SDK %s: message of %d bytes", what, len(ae.ErrorMessage()))
		}
	}
	_, err := s.Cognito().ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(1), NextToken: aws.String(huge(n))})
	wantCode("ListIdentityPools", err, "ValidationException")
	stsc := awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
	_, err = stsc.AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(huge(n)), RoleSessionName: aws.String("ss"), WebIdentityToken: aws.String("t")})
	wantCode("AssumeRoleWithWebIdentity", err, "ValidationError")
	iamc := awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
	_, err = iamc.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(huge(n))})
	wantCode("GetRole", err, "ValidationError")

	t.Run("boto3", func(t *testing.T) {
		python := harness.Tool(t, "IDPOOL_TEST_PYTHON", "python3")
		if _, _, code := harness.Run(t, nil, python, "-c", "import boto3"); code != 0 {
			harness.Missing(t, "boto3 for "+python)
		}
		script := `
import sys, boto3, botocore.config, botocore.exceptions
url, n = sys.argv[1], int(sys.argv[2])
cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
calls = [
  ("cognito-identity", lambda c: c.list_identity_pools(MaxResults=1, NextToken="A" * n)),
  ("cognito-identity", lambda c: c.describe_identity_pool(IdentityPoolId="A" * n)),
  ("sts", lambda c: c.assume_role_with_web_identity(RoleArn="A" * n, RoleSessionName="ss", WebIdentityToken="t" * 10)),
  ("iam", lambda c: c.get_role(RoleName="A" * n)),
]
for svc, call in calls:
    c = boto3.client(svc, endpoint_url=url, region_name="us-east-1", config=cfg)
    try:
        call(c)
        print("no error")
    except botocore.exceptions.ClientError as e:
        print(e.response["Error"]["Code"], len(e.response["Error"].get("Message", "")))
    except Exception as e:
        print("transport", type(e).__name__)
`
		out, stderr, code := harness.Run(t, s.AWSEnv(t), python, "-c", script, s.URL, strconv.Itoa(n))
		if code != 0 {
			t.Fatalf("boto3 exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		want := []string{"ValidationException", "ValidationException", "ValidationError", "ValidationError"}
		if len(lines) != len(want) {
			t.Fatalf("boto3: %q", out)
		}
		for i, line := range lines {
			f := strings.Fields(line)
			if f[0] != want[i] {
				t.Errorf("boto3 call %d: %q, want %s", i, line, want[i])
				continue
			}
			if size, _ := strconv.Atoi(f[1]); size > maxErrorBody || size == 0 {
				t.Errorf("boto3 call %d: message of %d bytes", i, size)
			}
		}
	})

	t.Run("aws CLI", func(t *testing.T) {
		cli := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
		dir := t.TempDir()
		input := func(name, text string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			return "file://" + p
		}
		calls := []struct {
			args []string
			code string
		}{
			{[]string{"cognito-identity", "list-identity-pools", "--cli-input-json", input("list.json", `{"MaxResults":1,"NextToken":"`+huge(n)+`"}`)}, "ValidationException"},
			{[]string{"sts", "assume-role-with-web-identity", "--cli-input-json", input("assume.json", `{"RoleArn":"`+huge(n)+`","RoleSessionName":"ss","WebIdentityToken":"tttttttttttt"}`)}, "ValidationError"},
			{[]string{"iam", "get-role", "--cli-input-json", input("role.json", `{"RoleName":"`+huge(n)+`"}`)}, "ValidationError"},
		}
		for _, c := range calls {
			args := append([]string{"--endpoint-url", s.URL}, c.args...)
			_, stderr, code := harness.Run(t, s.AWSEnv(t), cli, args...)
			if code == 0 || !strings.Contains(stderr, "An error occurred ("+c.code+")") {
				t.Errorf("aws %s: exit %d, stderr %s", c.args[1], code, trim(stderr))
			}
			if len(stderr) > maxErrorBody {
				t.Errorf("aws %s: stderr of %d bytes", c.args[1], len(stderr))
			}
		}
	})
	noInternalErrors(t, s)
}

func nowFn() time.Time { return time.Now() }

func todayUTC() string { return time.Now().UTC().Format("20060102") }
