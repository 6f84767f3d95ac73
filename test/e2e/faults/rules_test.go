package faults

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// snapshot is everything the test's calls could have written.
func snapshot(t *testing.T, c *cognitoidentity.Client, pool string) string {
	t.Helper()
	ctx := t.Context()
	var parts []any
	pools, err := c.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(pool)})
	if err != nil {
		t.Fatal(err)
	}
	roles, err := c.GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(pool)})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.ListIdentities(ctx, &cognitoidentity.ListIdentitiesInput{IdentityPoolId: aws.String(pool), MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, pools.IdentityPools, desc.IdentityPoolName, desc.IdentityPoolTags, desc.DeveloperProviderName,
		desc.AllowUnauthenticatedIdentities, roles.Roles, len(ids.Identities))
	for _, id := range ids.Identities {
		parts = append(parts, *id.IdentityId, id.Logins)
	}
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A fault on a write answers before the operation runs: every write
// refused with an injected InternalErrorException leaves the store as it
// was.
func TestFaultedWritesWriteNothing(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	c := s.Cognito()
	ctx := t.Context()
	pool := guestPool(t, c, "before")
	if _, err := c.UpdateIdentityPool(ctx, &cognitoidentity.UpdateIdentityPoolInput{IdentityPoolId: aws.String(pool),
		IdentityPoolName: aws.String("before"), AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String("login.example.dev")}); err != nil {
		t.Fatal(err)
	}
	guest, err := c.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, c, pool)
	addFault(t, s, `{"Operation":"*","Error":"InternalErrorException"}`)
	anon := s.Anonymous(harness.Region)
	writes := map[string]func() error{
		"CreateIdentityPool": func() error {
			_, err := c.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("new"), AllowUnauthenticatedIdentities: true})
			return err
		},
		"UpdateIdentityPool": func() error {
			_, err := c.UpdateIdentityPool(ctx, &cognitoidentity.UpdateIdentityPoolInput{IdentityPoolId: aws.String(pool), IdentityPoolName: aws.String("after"), AllowUnauthenticatedIdentities: false})
			return err
		},
		"SetIdentityPoolRoles": func() error {
			_, err := c.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(pool), Roles: map[string]string{}})
			return err
		},
		"TagResource": func() error {
			arn := "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + pool
			_, err := c.TagResource(ctx, &cognitoidentity.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}})
			return err
		},
		"GetId": func() error {
			_, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
			return err
		},
		"GetOpenIdTokenForDeveloperIdentity": func() error {
			_, err := c.GetOpenIdTokenForDeveloperIdentity(ctx, &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
				IdentityPoolId: aws.String(pool), Logins: map[string]string{"login.example.dev": "alice"}})
			return err
		},
		"DeleteIdentities": func() error {
			_, err := c.DeleteIdentities(ctx, &cognitoidentity.DeleteIdentitiesInput{IdentityIdsToDelete: []string{*guest.IdentityId}})
			return err
		},
		"DeleteIdentityPool": func() error {
			_, err := c.DeleteIdentityPool(ctx, &cognitoidentity.DeleteIdentityPoolInput{IdentityPoolId: aws.String(pool)})
			return err
		},
	}
	for name, write := range writes {
		var ae smithy.APIError
		if err := write(); !errorsAs(err, &ae) || ae.ErrorCode() != "InternalErrorException" {
			t.Errorf("%s under the fault: %v, want InternalErrorException", name, err)
		}
	}
	if status, out := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "ClearFaults", `{}`); status != http.StatusOK || out["Cleared"] != 1.0 {
		t.Fatalf("ClearFaults: %d %v", status, out)
	}
	if after := snapshot(t, c, pool); after != before {
		t.Errorf("faulted writes changed the store:\nbefore %s\nafter  %s", before, after)
	}
}

// Bad rules are refused with AWS's ValidationException shape and a message
// that says what is wrong, over the wire and through the CLI.
func TestBadRulesRefused(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	for _, c := range []struct{ body, code, msg string }{
		{`{"Operation":"GetIdentity","Error":"TooManyRequestsException"}`, "ValidationException",
			"1 validation error detected: Value 'GetIdentity' at 'operation' failed to satisfy constraint: Member must be a Cognito Identity operation name or *"},
		{`{"Operation":"ListIdentityPools","Error":"LimitExceededException"}`, "ValidationException",
			"1 validation error detected: Value 'LimitExceededException' at 'error' failed to satisfy constraint: Member must be an error ListIdentityPools can return: InternalErrorException, InvalidParameterException, NotAuthorizedException, ResourceNotFoundException, TooManyRequestsException"},
		{`{"Operation":"GetId","Error":"TooManyRequestsException","Percent":101}`, "ValidationException",
			"1 validation error detected: Value '101' at 'percent' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{`{"Operation":"GetId","Latency":"soon"}`, "SerializationException", ""},
		{`{"Operation":"GetId","Error":"TooManyRequestsException","Account":"222222222222"}`, "SerializationException", `Unknown member "Account".`},
	} {
		status, out := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "AddFault", c.body)
		if status != http.StatusBadRequest || out["__type"] != c.code || (c.msg != "" && out["message"] != c.msg) {
			t.Errorf("AddFault %s: %d %v, want 400 %s %q", c.body, status, out, c.code, c.msg)
		}
	}
	if status, out := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "ListFaults", `{}`); status != http.StatusOK || len(out["Faults"].([]any)) != 0 {
		t.Errorf("refused rules are held: %d %v", status, out)
	}

	env := append(s.AWSEnv(t), "IDPOOL_ENDPOINT_URL="+s.URL)
	_, stderr, code := harness.Run(t, env, harness.Binary(t), "fault", "add", "--operation", "GetId", "--error", "ConcurrentModificationException")
	want := "An error occurred (ValidationException) when calling the AddFault operation: 1 validation error detected: Value 'ConcurrentModificationException' at 'error' failed to satisfy constraint: Member must be an error GetId can return: "
	if code != 254 || !strings.Contains(stderr, want) {
		t.Errorf("idpool fault add with a bad error: exit %d\n%s", code, stderr)
	}
}

// The CLI adds, lists and clears rules, and the aws CLI sees the injected
// error with AWS's status and message.
func TestCLIFaultCommands(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	pool := guestPool(t, s.Cognito(), "cli")
	env := append(s.AWSEnv(t), "IDPOOL_ENDPOINT_URL="+s.URL)
	bin := harness.Binary(t)
	stdout, stderr, code := harness.Run(t, env, bin, "fault", "add", "--operation", "DescribeIdentityPool", "--identity-pool-id", pool,
		"--error", "ResourceNotFoundException", "--times", "1")
	var added struct {
		Fault struct{ FaultId, Operation, Error string }
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &added) != nil || added.Fault.Error != "ResourceNotFoundException" {
		t.Fatalf("fault add: exit %d\n%s%s", code, stdout, stderr)
	}
	aws := harness.Tool(t, "IDPOOL_TEST_AWS_CLI", "aws")
	_, stderr, code = harness.Run(t, env, aws, "--endpoint-url", s.URL, "cognito-identity", "describe-identity-pool", "--identity-pool-id", pool)
	if want := ": IdentityPool '" + pool + "' not found."; code != 254 || !strings.Contains(stderr, "An error occurred (ResourceNotFoundException) when calling the DescribeIdentityPool operation") || !strings.Contains(stderr, want) {
		t.Errorf("aws describe-identity-pool under the fault: exit %d\n%s", code, stderr)
	}
	if _, stderr, code = harness.Run(t, env, aws, "--endpoint-url", s.URL, "cognito-identity", "describe-identity-pool", "--identity-pool-id", pool); code != 0 {
		t.Errorf("a --times 1 rule fired twice: exit %d\n%s", code, stderr)
	}
	stdout, _, code = harness.Run(t, env, bin, "fault", "list")
	var listed struct {
		Faults []struct {
			FaultId   string
			Injected  int
			Remaining int
			Active    bool
		}
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &listed) != nil || len(listed.Faults) != 1 ||
		listed.Faults[0].FaultId != added.Fault.FaultId || listed.Faults[0].Injected != 1 || listed.Faults[0].Active {
		t.Errorf("fault list: exit %d\n%s", code, stdout)
	}
	stdout, _, code = harness.Run(t, env, bin, "fault", "clear", "--fault-id", added.Fault.FaultId)
	if code != 0 || !strings.Contains(stdout, `"Cleared": 1`) {
		t.Errorf("fault clear: exit %d\n%s", code, stdout)
	}
}

// Rules from the config file are in force from the start, for the account
// they name; one account's rules never touch another's calls, signed or
// unsigned (GetId belongs to the pool's account), and an account sees and
// clears only its own rules.
func TestAccountsAreIsolated(t *testing.T) {
	s := harness.Start(t, harness.Options{Config: twoAccounts + `
faults:
  - account: "000000000000"
    operation: ListIdentityPools
    error: InternalErrorException
`})
	a := s.CognitoAs(harness.DevAccessKey, harness.DevSecretKey, harness.Region)
	b := s.CognitoAs("bkey", "bsecret", harness.Region)
	anon := s.Anonymous(harness.Region)
	ctx := t.Context()
	code := func(err error) string {
		var ae smithy.APIError
		if errorsAs(err, &ae) {
			return ae.ErrorCode()
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	poolA := guestPoolOf(t, a, "a")
	poolB := guestPoolOf(t, b, "b")

	_, err := a.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(5)})
	if code(err) != "InternalErrorException" {
		t.Errorf("A's ListIdentityPools under A's config rule: %v", err)
	}
	if _, err := b.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(5)}); err != nil {
		t.Errorf("B's ListIdentityPools under A's config rule: %v", err)
	}

	status, out := extension(t, s, "bkey", "bsecret", "AddFault", `{"Operation":"*","Error":"TooManyRequestsException"}`)
	if status != http.StatusOK {
		t.Fatalf("B's AddFault: %d %v", status, out)
	}
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"A's GetId on A's pool": {err: getID(t, anon, poolA), want: ""},
		"B's GetId on B's pool": {err: getID(t, anon, poolB), want: "TooManyRequestsException"},
		"A's DescribeIdentityPool": {err: func() error {
			_, err := a.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(poolA)})
			return err
		}(), want: ""},
		"B's DescribeIdentityPool": {err: func() error {
			_, err := b.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(poolB)})
			return err
		}(), want: "TooManyRequestsException"},
	} {
		if code(c.err) != c.want {
			t.Errorf("%s: %v, want %q", name, c.err, c.want)
		}
	}

	_, listA := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "ListFaults", `{}`)
	_, listB := extension(t, s, "bkey", "bsecret", "ListFaults", `{}`)
	fa, fb := listA["Faults"].([]any), listB["Faults"].([]any)
	if len(fa) != 1 || len(fb) != 1 || fa[0].(map[string]any)["Operation"] != "ListIdentityPools" || fb[0].(map[string]any)["Operation"] != "*" {
		t.Fatalf("ListFaults: A %v, B %v", listA, listB)
	}
	idA := fa[0].(map[string]any)["FaultId"].(string)
	if status, out := extension(t, s, "bkey", "bsecret", "ClearFaults", `{"FaultId":"`+idA+`"}`); status != http.StatusBadRequest || out["__type"] != "ResourceNotFoundException" {
		t.Errorf("B clearing A's rule: %d %v", status, out)
	}
	if _, again := extension(t, s, harness.DevAccessKey, harness.DevSecretKey, "ListFaults", `{}`); !reflect.DeepEqual(again, listA) {
		t.Errorf("A's rules changed after B's clear: %v", again)
	}
}

func getID(t *testing.T, c *cognitoidentity.Client, pool string) error {
	_, err := c.GetId(t.Context(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
	return err
}

func guestPoolOf(t *testing.T, c *cognitoidentity.Client, name string) string {
	t.Helper()
	out, err := c.CreateIdentityPool(t.Context(), &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String(name), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	return *out.IdentityPoolId
}

// A bad rule in the config file stops the server from starting, naming it.
func TestBadConfigRuleRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte(twoAccounts+`
faults:
  - operation: GetId
    error: TooManyRequestsException
  - account: "000000000000"
    operation: GetId
    error: TooManyRequestsException
    percent: 250
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := harness.Run(t, nil, harness.Binary(t), "serve", "--addr", harness.FreeAddr(t), "--data-dir", dir, "--config", cfg)
	for _, want := range []string{`faults[0].account`, `want one of the configured accounts`, `faults[1]: 1 validation error detected: Value '250' at 'percent'`} {
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("serve with bad fault rules: exit %d, want %q in\n%s", code, want, stderr)
		}
	}
}
