// Package console drives idpool's web console in headless Chromium (Debian's,
// through playwright-core from test/browser) against a real server, and
// checks from outside the browser what the console serves and refuses.
package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/harness"
)

// artifacts is where screenshots go: $IDPOOL_TEST_ARTIFACTS/NAME when set
// (kept after the run), else a temporary directory.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if root := os.Getenv("IDPOOL_TEST_ARTIFACTS"); root != "" {
		dir = filepath.Join(root, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

type result struct {
	Fatal string   `json:"fatal"`
	A11y  []string `json:"a11y"`
	Load  struct {
		DOMContentLoaded int `json:"domContentLoaded"`
		Bytes            int `json:"bytes"`
	} `json:"load"`
	PageErrors  []string `json:"pageErrors"`
	Violations  []string `json:"violations"`
	Screenshots []struct {
		File     string `json:"file"`
		Width    int    `json:"width"`
		Overflow int    `json:"overflow"`
	} `json:"screenshots"`
	APICalls []struct {
		Phase, Target string
		Signed        bool
	} `json:"apiCalls"`
	SignedOut struct {
		NavHidden bool   `json:"navHidden"`
		Body      string `json:"body"`
		Calls     int    `json:"calls"`
		Focused   string `json:"focused"`
		AfterTab  string `json:"afterTab"`
	} `json:"signedOut"`
	WrongKeys struct {
		Error     string `json:"error"`
		Body      string `json:"body"`
		NavHidden bool   `json:"navHidden"`
	} `json:"wrongKeys"`
	SignedIn struct {
		Body, Page2  string
		Rows1, Rows2 int
		Who          string `json:"who"`
	} `json:"signedIn"`
	IdentityRows          [2]int `json:"identityRows"`
	PoolID                string `json:"poolId"`
	InvalidChecks         string `json:"invalidChecks"`
	UnknownProviderChecks string `json:"unknownProviderChecks"`
	Mapping               string `json:"mapping"`
	ValidChecks           string `json:"validChecks"`
	Try                   struct {
		Refused string `json:"refused"`
		Steps   []struct {
			Name   string `json:"name"`
			Text   string `json:"text"`
			Failed bool   `json:"failed"`
		} `json:"steps"`
		TraceUnavailable bool   `json:"traceUnavailable"`
		Cause            string `json:"cause"`
	} `json:"try"`
	Trace struct {
		View  string `json:"view"`
		Cause string `json:"cause"`
	} `json:"trace"`
	Guest, Developer struct {
		Steps []struct {
			Name   string `json:"name"`
			Text   string `json:"text"`
			Failed bool   `json:"failed"`
		} `json:"steps"`
		OK bool `json:"ok"`
	}
	Fake struct {
		Bodies []struct {
			Op     string         `json:"op"`
			Input  map[string]any `json:"input"`
			Signed bool           `json:"signed"`
		} `json:"bodies"`
		Page1, Page2, Cause, Summary, Explain string
		CauseRows                             int `json:"causeRows"`
	} `json:"fake"`
	Pages      map[string]string `json:"pages"`
	Timings    map[string]int    `json:"timings"`
	Preflights int               `json:"preflights"`
	Insecure   struct {
		Text   string `json:"text"`
		Signin int    `json:"signin"`
	} `json:"insecure"`
	TagsSaved         string `json:"tagsSaved"`
	DeleteUnconfirmed string `json:"deleteUnconfirmed"`
	AfterDelete       string `json:"afterDelete"`
	AfterSignOut      struct {
		Calls   int `json:"calls"`
		Storage int `json:"storage"`
	} `json:"afterSignOut"`
}

func TestConsoleInBrowser(t *testing.T) {
	node, chromium, dir := harness.Browser(t)
	out := artifacts(t)
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	// A pool whose name must not reach a browser without the keys.
	const secretName = "secret_marker_pool"
	secret, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String(secretName), AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	secretID := aws.ToString(secret.IdentityPoolId)
	// 21 pools and 21 identities: one more than a console page holds.
	for i := range 20 {
		if _, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
			IdentityPoolName: aws.String(fmt.Sprintf("filler_%02d", i)), AllowUnauthenticatedIdentities: false,
		}); err != nil {
			t.Fatal(err)
		}
	}
	for range 21 {
		if _, err := s.Anonymous(harness.Region).GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(secretID)}); err != nil {
			t.Fatal(err)
		}
	}
	// An IAM OIDC provider and a role that trusts it, for the IAM page.
	iamc := awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")})
	oidc, err := iamc.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://login.example.com"), ClientIDList: []string{"console-client"}})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(oidc.OpenIDConnectProviderArn) +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"login.example.com:aud":"console-client"}}}]}`
	if _, err := iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("console_oidc_role"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	// A Google login from the development server's test issuer whose team
	// claim the console's Rules mapping (team Equals blue, Deny) refuses.
	status, body := s.Extension(t, harness.DevAccessKey, harness.DevSecretKey, "MintLogin",
		`{"Provider":"accounts.google.com","Subject":"alice","Audience":"client-1","Claims":{"team":"red"}}`)
	if status != http.StatusOK {
		t.Fatalf("MintLogin: %d %s", status, body)
	}
	var minted struct{ Token string }
	if err := json.Unmarshal(body, &minted); err != nil || minted.Token == "" {
		t.Fatalf("MintLogin: %v %s", err, body)
	}

	stdout, stderr, code := harness.Run(t, nil, node, filepath.Join(dir, "console.mjs"),
		"--url", s.URL, "--token", minted.Token, "--out", out, "--secret", secretName, "--secret-pool", secretID, "--chromium", chromium)
	if code != 0 {
		t.Fatalf("console.mjs exit %d\nstderr: %s\nstdout: %s", code, stderr, stdout)
	}
	var r result
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("bad output: %v\n%s", err, stdout)
	}
	t.Logf("browser phases start at (ms): %v; sign-in page: DOMContentLoaded at %d ms, %d bytes", r.Timings, r.Load.DOMContentLoaded, r.Load.Bytes)
	if r.Fatal != "" {
		t.Fatalf("browser run stopped at %s\nscreenshots: %s\n%s", r.Fatal, out, stdout)
	}
	for _, a := range r.A11y {
		t.Errorf("keyboard/screen reader: %s", a)
	}
	if len(r.PageErrors) > 0 || len(r.Violations) > 0 {
		t.Errorf("page errors %q, CSP violations %q", r.PageErrors, r.Violations)
	}

	// Signed out: the sign-in form only, and no call made.
	so := r.SignedOut
	if !so.NavHidden || so.Calls != 0 || strings.Contains(so.Body, secretName) || !strings.Contains(so.Body, "Sign in") {
		t.Errorf("signed-out browser: %+v", so)
	}
	if so.Focused != "accessKeyId" || so.AfterTab != "secretAccessKey" {
		t.Errorf("keyboard: focus on %q, Tab to %q", so.Focused, so.AfterTab)
	}
	// Wrong keys: the wire's own error, no data.
	wk := r.WrongKeys
	if !strings.Contains(wk.Error, "InvalidSignatureException") || strings.Contains(wk.Body, secretName) || !wk.NavHidden {
		t.Errorf("wrong keys: %+v", wk)
	}
	// Signed in: 21 pools, 20 on the first page and one on the next.
	pools := r.SignedIn.Body + r.SignedIn.Page2
	if !strings.Contains(pools, secretName) || strings.Count(pools, "filler_") != 20 || !strings.Contains(r.SignedIn.Body, "Next page") ||
		r.SignedIn.Rows1 != 20 || r.SignedIn.Rows2 != 1 || !strings.Contains(r.SignedIn.Page2, "Page 2") || !strings.Contains(r.SignedIn.Who, harness.DevAccount) {
		t.Errorf("signed in: pools page 1 (%d rows) %q, page 2 (%d rows) %q, who %q", r.SignedIn.Rows1, r.SignedIn.Body, r.SignedIn.Rows2, r.SignedIn.Page2, r.SignedIn.Who)
	}
	if r.IdentityRows[0] != 20 || r.IdentityRows[1] != 1 {
		t.Errorf("identities pages: %v rows, want 20 then 1", r.IdentityRows)
	}
	for _, c := range r.APICalls {
		if c.Phase != "try" && !c.Signed {
			t.Errorf("unsigned call outside the try-a-login flow: %+v", c)
		}
	}

	// The pool the console created, with its roles and mapping.
	if !regexp.MustCompile(`^us-east-1:[0-9a-f-]{36}$`).MatchString(r.PoolID) {
		t.Fatalf("created pool id %q", r.PoolID)
	}
	if !strings.Contains(r.InvalidChecks, "✗ Not JSON") || !strings.Contains(r.UnknownProviderChecks, "'graph.facebook.com' is not a configured provider") ||
		!strings.Contains(r.ValidChecks, "✓ Looks valid") {
		t.Errorf("validation as you type: invalid %q, unknown provider %q, valid %q", r.InvalidChecks, r.UnknownProviderChecks, r.ValidChecks)
	}
	roles, err := s.Cognito().GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(r.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := roles.RoleMappings["accounts.google.com"]
	if roles.Roles["authenticated"] != "arn:aws:iam::000000000000:role/user" || !ok || m.Type != "Rules" || m.AmbiguousRoleResolution != "Deny" ||
		len(m.RulesConfiguration.Rules) != 1 || aws.ToString(m.RulesConfiguration.Rules[0].Value) != "blue" {
		t.Errorf("roles the console set: %+v %+v", roles.Roles, roles.RoleMappings)
	}

	// Settings, tags and principal tags the console saved.
	desc, err := s.Cognito().DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(r.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(desc.IdentityPoolName) != "console_demo_2" || !desc.AllowUnauthenticatedIdentities || !aws.ToBool(desc.AllowClassicFlow) ||
		desc.SupportedLoginProviders["accounts.google.com"] != "client-1" || aws.ToString(desc.DeveloperProviderName) != "login.console.dev" ||
		len(desc.IdentityPoolTags) != 1 || desc.IdentityPoolTags["team"] != "console" {
		t.Errorf("pool the console edited: %+v (tags saved: %q)", desc, r.TagsSaved)
	}
	pt, err := s.Cognito().GetPrincipalTagAttributeMap(ctx, &cognitoidentity.GetPrincipalTagAttributeMapInput{
		IdentityPoolId: aws.String(r.PoolID), IdentityProviderName: aws.String("accounts.google.com")})
	if err != nil || pt.PrincipalTags["dept"] != "team" {
		t.Errorf("principal tags: %+v %v", pt, err)
	}

	// The refused login: GetId and GetOpenIdToken work, credentials refused.
	// GetOpenIdToken, the basic flow's, is refused for a pool with role
	// mappings; the console goes on with the enhanced flow.
	var names []string
	for _, st := range r.Try.Steps {
		names = append(names, st.Name)
	}
	if strings.Join(names, ",") != "GetId,GetOpenIdToken,GetCredentialsForIdentity" || r.Try.Steps[0].Failed || !r.Try.Steps[2].Failed ||
		!regexp.MustCompile(`request id [0-9a-f-]{36}`).MatchString(r.Try.Steps[2].Text) {
		t.Errorf("try a login: %+v", r.Try.Steps)
	}
	if !strings.Contains(r.Try.Refused, "NotAuthorizedException: The ambiguous role mapping rules denied this request.") {
		t.Errorf("try a login: refusal %q", r.Try.Refused)
	}

	// A guest and a developer user get credentials that sign STS.
	for name, flow := range map[string]struct {
		steps []string
		arn   string
	}{"guest": {[]string{"GetId", "GetOpenIdToken", "GetCredentialsForIdentity", "GetCallerIdentity"}, "assumed-role/guest/"},
		"developer": {[]string{"GetOpenIdTokenForDeveloperIdentity", "GetCredentialsForIdentity", "GetCallerIdentity"}, "assumed-role/user/"}} {
		got := r.Guest
		if name == "developer" {
			got = r.Developer
		}
		var names []string
		for _, st := range got.Steps {
			names = append(names, st.Name)
		}
		last := ""
		if len(got.Steps) > 0 {
			last = got.Steps[len(got.Steps)-1].Text
		}
		// GetOpenIdToken is refused (basic flow and role mappings) without
		// stopping the flow, so only the outcome and the STS answer count.
		if !got.OK || strings.Join(names, ",") != strings.Join(flow.steps, ",") || !strings.Contains(last, "arn:aws:sts::000000000000:"+flow.arn) {
			t.Errorf("try a login as a %s: %+v", name, got)
		}
	}

	// The trace views, against the operations' contract (answered in the
	// browser): paging, the first failing step as the cause, the dry run.
	f := r.Fake
	if !strings.Contains(f.Page1, "✗ refused NotAuthorizedException") || !strings.Contains(f.Page1, "⚠ error InternalErrorException") ||
		!strings.Contains(f.Page1, "Next page") || !strings.Contains(f.Page2, "fake-req-3") || !strings.Contains(f.Page2, "✓ ok") {
		t.Errorf("recent requests: page 1 %q, page 2 %q", f.Page1, f.Page2)
	}
	if f.CauseRows != 1 || !strings.Contains(f.Cause, "rule 1 team Equals blue") || !strings.Contains(f.Cause, "◀ cause") ||
		!strings.Contains(f.Summary, "step 3, role / rule 1 team Equals blue: claim team is red, not blue") {
		t.Errorf("trace view: %d cause rows %q, summary %q", f.CauseRows, f.Cause, f.Summary)
	}
	if !strings.Contains(f.Explain, "Would refuse: NotAuthorizedException") || !strings.Contains(f.Explain, "◀ cause") {
		t.Errorf("explain credentials: %q", f.Explain)
	}
	ops := map[string]bool{}
	for _, b := range f.Bodies {
		ops[b.Op] = true
		if !b.Signed {
			t.Errorf("%s was not signed for cognito-identity", b.Op)
		}
		if b.Op == "ListTraces" && b.Input["IdentityPoolId"] != r.PoolID {
			t.Errorf("ListTraces filter: %v", b.Input)
		}
		if b.Op == "ExplainCredentials" {
			logins, _ := b.Input["Logins"].(map[string]any)
			if b.Input["IdentityPoolId"] != r.PoolID || logins["accounts.google.com"] != minted.Token {
				t.Errorf("ExplainCredentials input: %v", b.Input)
			}
		}
	}
	if !ops["ListTraces"] || !ops["GetTrace"] || !ops["ExplainCredentials"] {
		t.Errorf("trace operations called: %v", ops)
	}

	t.Run("trace names the failing rule", func(t *testing.T) {
		if r.Try.TraceUnavailable {
			t.Skip("decision traces are not on this branch yet (IdpoolService.GetTrace is unknown; the console said so: " +
				"\"traces are not available on this server\"); re-enable after merging the traces branch")
		}
		// The cause is the Deny resolution; the rule's step above it names
		// the claim value it saw.
		if !strings.Contains(r.Try.Cause, "AmbiguousRoleResolution") || !strings.Contains(r.Trace.Cause, "Deny") ||
			!strings.Contains(r.Trace.View, "◀ cause") || !strings.Contains(r.Trace.View, "claim team is 'red'") {
			t.Errorf("trace: inline cause %q, trace view cause %q\n%s", r.Try.Cause, r.Trace.Cause, r.Trace.View)
		}
	})

	for name, want := range map[string]string{"iam": "console_oidc_role", "keys": "RSA", "identities": "us-east-1:", "developers": "dev-alice", "decode": "\"team\": \"red\""} {
		if !strings.Contains(r.Pages[name], want) || strings.Contains(r.Pages[name], "✗ ") {
			t.Errorf("page %s: want %q, no error:\n%s", name, want, r.Pages[name])
		}
	}
	if !regexp.MustCompile(`oidc-provider/login\.example\.com\s+console-client\s+console_oidc_role`).MatchString(r.Pages["iam"]) {
		t.Errorf("IAM page: the provider and the role that trusts it:\n%s", r.Pages["iam"])
	}
	if own := r.Pages["decodeOwn"]; !strings.Contains(own, "✓ Signature verified with this server's key") || !strings.Contains(own, `"amr"`) ||
		!strings.Contains(r.Pages["decode"], "is not one of this server's signing keys") {
		t.Errorf("token decoder: idpool's token %q; the minted one %q", own, r.Pages["decode"])
	}
	if !strings.Contains(r.Insecure.Text, "needs a secure context") || r.Insecure.Signin != 0 {
		t.Errorf("plain http from another name: %+v", r.Insecure)
	}
	if r.Preflights != 0 {
		t.Errorf("%d CORS preflights: the console's calls are same-origin and need none", r.Preflights)
	}
	// Deleting the test's pool: refused until its name is typed, then gone.
	if !strings.Contains(r.DeleteUnconfirmed, "does not match") || !strings.Contains(r.AfterDelete, "Identity pools") {
		t.Errorf("delete: unconfirmed %q, pools after %q", r.DeleteUnconfirmed, r.AfterDelete)
	}
	if _, err := s.Cognito().DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(secretID)}); err == nil ||
		!strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("the pool the console deleted: %v", err)
	}
	if r.AfterSignOut.Calls != 0 || r.AfterSignOut.Storage != 0 {
		t.Errorf("after sign-out: %+v", r.AfterSignOut)
	}
	widths := map[int]bool{}
	for _, sh := range r.Screenshots {
		widths[sh.Width] = true
		if st, err := os.Stat(sh.File); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s: %v", sh.File, err)
		}
		if sh.Overflow > 0 {
			t.Errorf("%s scrolls sideways by %d px at %d px", sh.File, sh.Overflow, sh.Width)
		}
	}
	if !widths[1280] || !widths[390] {
		t.Errorf("screenshots: %+v", r.Screenshots)
	}
}

// TestConsoleServing checks what the console serves, from outside a browser.
func TestConsoleServing(t *testing.T) {
	dev := harness.Start(t, harness.Options{})
	if !dev.WaitLog(`msg="web console" url=`+dev.URL+"/console/", 5*time.Second) {
		t.Errorf("the development server does not log where its console is:\n%s", dev.Logs())
	}
	resp, err := http.Get(dev.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if body := string(b); resp.StatusCode != http.StatusOK || !strings.Contains(body, `<script type="module" src="app.js">`) {
		t.Fatalf("dev /console/: %d %s", resp.StatusCode, b)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", resp.Header)
	}
	if code, _ := harness.Get(t, dev.URL+"/console/app.js"); code != http.StatusOK {
		t.Errorf("app.js: %d", code)
	}
	if code, _ := harness.Get(t, dev.URL+"/console/nope.js"); code == http.StatusOK {
		t.Errorf("/console/nope.js: %d", code)
	}
	// What the pools page lists is refused without the account's keys.
	req, _ := http.NewRequest(http.MethodPost, dev.URL+"/", strings.NewReader(`{"MaxResults":10}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.ListIdentityPools")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode == http.StatusOK || strings.Contains(string(b), "IdentityPools") {
		t.Errorf("unsigned ListIdentityPools: %d %s", r.StatusCode, b)
	}

	const accounts = "accounts:\n  - id: \"111111111111\"\n    keys:\n      - accessKeyId: AKIDCONSOLE\n        secretAccessKey: console-secret\n"
	prod := harness.Start(t, harness.Options{Config: accounts})
	for _, p := range []string{"/console/", "/console", "/console/app.js"} {
		if code, _ := harness.Get(t, prod.URL+p); code != http.StatusNotFound {
			t.Errorf("production %s without console.enabled: %d, want 404", p, code)
		}
	}
	on := harness.Start(t, harness.Options{Config: accounts + "console:\n  enabled: true\n"})
	if code, _ := harness.Get(t, on.URL+"/console/"); code != http.StatusOK {
		t.Errorf("production with console.enabled: %d", code)
	}
}
