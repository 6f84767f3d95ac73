package stack

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

// outputs are the "output NAME = VALUE" lines apply prints for a template.
func outputs(out string) map[string]string {
	m := map[string]string{}
	for _, l := range regexp.MustCompile(`(?m)^output +(\S+) = (\S+)$`).FindAllStringSubmatch(out, -1) {
		m[l[1]] = l[2]
	}
	return m
}

// A real CDK app (test/cdk/app.js on aws-cdk-lib 2.276): synthesized
// offline, applied with idpool apply, and then the unmodified AWS SDK for
// JavaScript signs in with a user pool login (minted by idpool's test
// issuer for the user pool the template declares and idpool does not
// hold) and gets credentials for the role the template's Rules mapping
// picks, at the pool id the template's output names.
func TestCDKApp(t *testing.T) {
	node := harness.Tool(t, "IDPOOL_TEST_NODE", "node")
	dir := filepath.Join(harness.Root(), "test", "cdk")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "aws-cdk-lib")); err != nil {
		harness.Missing(t, "npm packages in test/cdk (npm ci there; make test does it)")
	}
	outdir := t.TempDir()
	if out, errOut, code := harness.Run(t, []string{"CDK_OUTDIR=" + outdir}, node, filepath.Join(dir, "app.js")); code != 0 {
		t.Fatalf("synth: exit %d\n%s%s", code, out, errOut)
	}
	template := filepath.Join(outdir, "IdpoolDemo.template.json")

	s := harness.Start(t, harness.Options{})
	out := mustApply(t, s, "-f", template)
	o := outputs(out)
	pool, provider, admin := o["IdentityPoolId"], o["UserPoolProviderName"], o["AdminRoleArn"]
	if !strings.HasPrefix(pool, "us-east-1:") || !strings.HasPrefix(provider, "cognito-idp.us-east-1.amazonaws.com/us-east-1_") || admin == "" {
		t.Fatalf("apply's outputs: %v\n%s", o, out)
	}
	for _, want := range []string{"skipped   Users0A0EEA89 (AWS::Cognito::UserPool)", "create    identity-pool  \"demo\" " + pool, "create    role"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply did not print %q:\n%s", want, out)
		}
	}
	if again := mustApply(t, s, "-f", template); !strings.Contains(again, "No changes") || outputs(again)["IdentityPoolId"] != pool {
		t.Errorf("a second apply of the same template:\n%s", again)
	}

	signIn := func(team string) string {
		t.Helper()
		token, errOut, code := harness.Run(t, s.AWSEnv(t), harness.Binary(t), "login", "mint", "--endpoint-url", s.URL,
			"--provider", provider, "--sub", "user-"+team, "--claim", "custom:team="+team, "--identity-pool-id", pool)
		if code != 0 {
			t.Fatalf("login mint: exit %d %s", code, errOut)
		}
		arn, errOut, code := harness.Run(t, nil, node, filepath.Join(dir, "signin.mjs"), s.URL, pool, provider, strings.TrimSpace(token))
		if code != 0 {
			t.Fatalf("JavaScript sign-in (team %s): exit %d\n%s", team, code, errOut)
		}
		return strings.TrimSpace(arn)
	}
	adminName := admin[strings.LastIndex(admin, "/")+1:]
	if arn := signIn("admins"); !strings.Contains(arn, ":assumed-role/"+adminName+"/") {
		t.Errorf("team admins got %s, want the Rules mapping's role %s", arn, adminName)
	}
	if arn := signIn("devs"); !strings.Contains(arn, ":assumed-role/IdpoolDemo-AuthRole") {
		t.Errorf("team devs got %s, want the authenticated role", arn)
	}
}
