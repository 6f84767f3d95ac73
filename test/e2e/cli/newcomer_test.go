package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

// TestHelpScreens: "idpool", "idpool help" and "idpool --help" name the
// server commands and the Cognito subcommands; "idpool serve --help" is
// grouped with examples; the aws-compatible screens and exit codes stay.
func TestHelpScreens(t *testing.T) {
	bin := harness.Binary(t)
	env := cliEnv(t)
	for _, c := range []struct {
		args []string
		code int
	}{{nil, 252}, {[]string{"help"}, 0}, {[]string{"--help"}, 0}, {[]string{"-h"}, 0}} {
		out, errOut, code := harness.Run(t, env, bin, c.args...)
		if code != c.code || errOut != "" {
			t.Errorf("idpool %v: exit %d (want %d), stderr %q", c.args, code, c.code, errOut)
		}
		for _, want := range []string{"self-hostable Amazon Cognito Identity", "Server commands",
			"\n  serve ", "\n  migrate ", "\n  backup ", "\n  bench ", "\n  version ",
			"\n  get-id ", "get or create the identity", "\n  get-credentials-for-identity ", "\n  update-identity-pool ",
			"\n  decode-token ", "IDPOOL_ENDPOINT_URL"} {
			if !strings.Contains(out, want) {
				t.Errorf("idpool %v: no %q in\n%s", c.args, want, out)
			}
		}
	}
	out, _, code := harness.Run(t, env, bin, "serve", "--help")
	if code != 0 {
		t.Errorf("serve --help: exit %d", code)
	}
	for _, want := range []string{"usage: idpool serve", "Listening:", "Storage:", "Logging:", "--store", "Examples:", "idpool serve --config idpool.yaml"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve --help: no %q in\n%s", want, out)
		}
	}
	// Unchanged: the model's own service help, unknown subcommands, version.
	if out, _, code := harness.Run(t, env, bin, "cognito-identity", "help"); code != 0 || !strings.Contains(out, "AVAILABLE COMMANDS") {
		t.Errorf("cognito-identity help: exit %d\n%s", code, out)
	}
	if _, errOut, code := harness.Run(t, env, bin, "no-such-op"); code != 252 || !strings.Contains(errOut, "argument operation: Invalid choice, valid choices are:") {
		t.Errorf("no-such-op: exit %d, %q", code, errOut)
	}
	if out, _, code := harness.Run(t, env, bin, "--version"); code != 0 || !strings.HasPrefix(out, "idpool ") {
		t.Errorf("--version: exit %d %q", code, out)
	}
}

// TestNoRolesHint: in development mode a pool without roles refuses
// credentials as AWS does, and the server logs the one-line fix once per pool.
func TestNoRolesHint(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	pools := refuseCredentials(t, s, s.Cognito(), 2)
	for _, p := range pools {
		fix := "fix: idpool set-identity-pool-roles --identity-pool-id " + p + " --roles authenticated=arn:aws:iam::000000000000:role/user,unauthenticated=arn:aws:iam::000000000000:role/guest"
		if !s.WaitLog(fix, 5*time.Second) {
			t.Fatalf("no fix logged for %s:\n%s", p, s.Logs())
		}
		if n := strings.Count(s.Logs(), fix); n != 1 {
			t.Errorf("fix for %s logged %d times, want once", p, n)
		}
	}

	// With a config file (production) the refusal is the same and unlogged.
	prod := harness.Start(t, harness.Options{Config: "accounts:\n- id: \"111111111111\"\n  keys: [{accessKeyId: AKIDA, secretAccessKey: SA}]\n"})
	refuseCredentials(t, prod, prod.CognitoAs("AKIDA", "SA", harness.Region), 1)
	time.Sleep(200 * time.Millisecond)
	if strings.Contains(prod.Logs(), "set-identity-pool-roles") {
		t.Errorf("production server logged the development hint:\n%s", prod.Logs())
	}
}

// refuseCredentials creates n pools without roles and asks each three
// times for a guest's credentials, which must be refused.
func refuseCredentials(t *testing.T, s *harness.Server, c *cognitoidentity.Client, n int) []string {
	t.Helper()
	ctx := context.Background()
	anon := s.Anonymous(harness.Region)
	pools := make([]string, n)
	for i := range pools {
		p, err := c.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
			IdentityPoolName: aws.String(fmt.Sprintf("p%d", i)), AllowUnauthenticatedIdentities: true})
		if err != nil {
			t.Fatal(err)
		}
		pools[i] = aws.ToString(p.IdentityPoolId)
		id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: p.IdentityPoolId})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			_, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
			if err == nil || !strings.Contains(err.Error(), "InvalidIdentityPoolConfigurationException") {
				t.Fatalf("pool without roles: %v", err)
			}
		}
	}
	return pools
}
