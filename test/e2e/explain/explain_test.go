package explain

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

type explained struct {
	Trace   *Trace
	Outcome struct {
		RoleArn string
		Error   *struct{ Type, Message string }
	}
}

// snapshot is everything ListIdentities and DescribeIdentity say of a pool.
func snapshot(t *testing.T, c *cognitoidentity.Client, pool string) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.ListIdentities(ctx, &cognitoidentity.ListIdentitiesInput{IdentityPoolId: aws.String(pool), MaxResults: aws.Int32(60), HideDisabled: false})
	if err != nil {
		t.Fatalf("ListIdentities: %v", err)
	}
	var parts []string
	for _, id := range out.Identities {
		d, err := c.DescribeIdentity(ctx, &cognitoidentity.DescribeIdentityInput{IdentityId: id.IdentityId})
		if err != nil {
			t.Fatalf("DescribeIdentity: %v", err)
		}
		b, _ := json.Marshal(map[string]any{"id": d.IdentityId, "logins": d.Logins, "modified": d.LastModifiedDate})
		parts = append(parts, string(b))
	}
	return strings.Join(parts, "\n")
}

// TestExplainCredentialsChangesNothing: the dry run says what
// GetCredentialsForIdentity would answer and why, for new and existing
// identities, and creates, links and changes nothing.
func TestExplainCredentialsChangesNothing(t *testing.T) {
	idp := fakeidp.NewOIDC(t, "dry")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}, Config: config("traces:\n  enabled: true\n")})
	w := build(t, s, idp)
	c := cognito(s, keyA, secretA)
	p2, p3, host := w.tokens["p2"], w.tokens["p3"], w.tokens["host"]
	before2, before3 := snapshot(t, c, p2), snapshot(t, c, p3)

	newUser := idp.IDToken(t, "brand-new", "client-a", time.Now().Add(time.Hour))
	cases := []struct {
		name  string
		in    map[string]any
		cause string // phase/check of the first failed step; "" for a role
		role  string
	}{
		{"a new login: GetId then credentials", map[string]any{"IdentityPoolId": p3, "Logins": map[string]string{host: newUser}}, "trust/condition", ""},
		{"a new guest", map[string]any{"IdentityPoolId": p3}, "role/roleSet", ""},
		{"rules deny", map[string]any{"IdentityPoolId": p2, "IdentityId": w.tokens["i2"], "Logins": map[string]string{host: w.tokens["users"]}}, "role/AmbiguousRoleResolution", ""},
		{"an existing identity's login", map[string]any{"IdentityPoolId": p3, "Logins": map[string]string{host: w.tokens["good"]}}, "trust/condition", ""},
	}
	for _, tc := range cases {
		var out explained
		if status := extension(t, s, keyA, secretA, "ExplainCredentials", tc.in, &out); status != 200 {
			t.Fatalf("%s: status %d", tc.name, status)
		}
		if out.Trace == nil || out.Trace.Operation != "ExplainCredentials" {
			t.Fatalf("%s: no trace: %+v", tc.name, out)
		}
		cause := out.Trace.cause()
		got := ""
		if cause != nil {
			got = cause.Phase + "/" + cause.Check
		}
		if got != tc.cause || (tc.cause != "" && out.Outcome.Error == nil) {
			t.Errorf("%s: cause %q, outcome %+v, want %q\n%s", tc.name, got, out.Outcome, tc.cause, out.Trace)
		}
		if out.Outcome.Error != nil && out.Outcome.Error.Type != "InvalidIdentityPoolConfigurationException" && out.Outcome.Error.Type != "NotAuthorizedException" {
			t.Errorf("%s: error %+v", tc.name, out.Outcome.Error)
		}
	}
	// A new login whose claim matches the rule: credentials would be vended.
	var ok explained
	extension(t, s, keyA, secretA, "ExplainCredentials", map[string]any{"IdentityPoolId": w.tokens["p2"], "Logins": map[string]string{host: idp.Sign(t, map[string]any{
		"iss": idp.URL(), "sub": "dry-admin", "aud": "client-a", "exp": time.Now().Add(time.Hour).Unix(), "group": "admins"})}}, &ok)
	if ok.Outcome.Error != nil || !strings.HasSuffix(ok.Outcome.RoleArn, ":role/rules-admins") || ok.Trace.cause() != nil {
		t.Errorf("a matching rule: %+v\n%s", ok.Outcome, ok.Trace)
	}
	if after2, after3 := snapshot(t, c, p2), snapshot(t, c, p3); after2 != before2 || after3 != before3 {
		t.Errorf("the dry run changed identities:\nbefore %s\n%s\nafter %s\n%s", before2, before3, after2, after3)
	}
	// Nothing of the dry run is kept as a trace of a call.
	var list struct{ Traces []Trace }
	extension(t, s, keyA, secretA, "ListTraces", map[string]any{"Operation": "ExplainCredentials"}, &list)
	if len(list.Traces) != 0 {
		t.Errorf("ListTraces has the dry runs: %+v", list.Traces)
	}
	// Another account's pool is not found.
	var m map[string]any
	if status := extension(t, s, keyB, secretB, "ExplainCredentials", map[string]any{"IdentityPoolId": p3}, &m); status != 400 || m["__type"] != "ResourceNotFoundException" {
		t.Errorf("account B explains A's pool: %d %v", status, m)
	}
}

// TestTracesAreAccountScopedAndBounded: account B reads none of A's traces
// (by id or in a list); the store keeps perAccount traces per account and
// drops the oldest; ListTraces pages newest first and filters.
func TestTracesAreAccountScopedAndBounded(t *testing.T) {
	s := harness.Start(t, harness.Options{Config: config("traces:\n  enabled: true\n  perAccount: 3\n")})
	ctx := context.Background()
	out, err := cognito(s, keyA, secretA).CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("a"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	pool := aws.ToString(out.IdentityPoolId)
	body := jsonBody(map[string]any{"IdentityPoolId": pool})
	var ids, identities []string
	for i := 0; i < 5; i++ {
		a := post(t, s, "GetId", body)
		ids = append(ids, a.id)
		var got struct{ IdentityId string }
		_ = json.Unmarshal([]byte(a.body), &got)
		identities = append(identities, got.IdentityId)
	}
	for i, id := range ids {
		tr, status := getTrace(t, s, keyA, secretA, id)
		if kept := i >= 2; kept != (status == 200) {
			t.Errorf("trace %d: status %d (kept %v)", i, status, kept)
		}
		if status == 200 && (tr.IdentityPoolId != pool || tr.IdentityId != identities[i] || tr.Outcome != "ok") {
			t.Errorf("trace %d: %+v", i, tr)
		}
		if _, status := getTrace(t, s, keyB, secretB, id); status != 400 {
			t.Errorf("account B reads A's trace %d: status %d", i, status)
		}
	}
	var page struct {
		Traces    []Trace
		NextToken string
	}
	extension(t, s, keyA, secretA, "ListTraces", map[string]any{"MaxResults": 2}, &page)
	if len(page.Traces) != 2 || page.Traces[0].RequestId != ids[4] || page.Traces[1].RequestId != ids[3] || page.NextToken == "" {
		t.Fatalf("first page: %+v", page)
	}
	next := page.NextToken
	page.NextToken = ""
	extension(t, s, keyA, secretA, "ListTraces", map[string]any{"MaxResults": 2, "NextToken": next}, &page)
	if len(page.Traces) != 1 || page.Traces[0].RequestId != ids[2] || page.NextToken != "" {
		t.Fatalf("second page: %+v", page)
	}
	var one struct{ Traces []Trace }
	extension(t, s, keyA, secretA, "ListTraces", map[string]any{"IdentityId": identities[3]}, &one)
	if len(one.Traces) != 1 || one.Traces[0].RequestId != ids[3] {
		t.Errorf("by identity: %+v", one)
	}
	var none struct{ Traces []Trace }
	extension(t, s, keyB, secretB, "ListTraces", map[string]any{}, &none)
	if !reflect.DeepEqual(none.Traces, []Trace{}) {
		t.Errorf("account B lists %+v", none.Traces)
	}
	var m map[string]any
	if status := extension(t, s, keyA, secretA, "ListTraces", map[string]any{"MaxResults": 61}, &m); status != 400 || m["__type"] != "InvalidParameterException" {
		t.Errorf("MaxResults 61: %d %v", status, m)
	}
	if status, _ := s.Extension(t, "", "", "ListTraces", "{}"); status < 400 {
		t.Errorf("an unsigned ListTraces: %d", status)
	}
}

// TestSTSCallsAreTracedForTheRolesAccount: an unsigned STS
// AssumeRoleWithWebIdentity is traced for the account of the role it names,
// with the refused token as its cause, and UnlinkIdentity for its pool's.
func TestSTSCallsAreTracedForTheRolesAccount(t *testing.T) {
	s := harness.Start(t, harness.Options{Config: config("traces:\n  enabled: true\n")})
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::" + accountA + ":role/app"}, "RoleSessionName": {"session"}, "WebIdentityToken": {"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3guZXhhbXBsZSJ9.c2ln"}}
	resp, err := http.Post(s.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	stsBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("x-amzn-RequestId")
	if resp.StatusCode != 400 || id == "" {
		t.Fatalf("AssumeRoleWithWebIdentity: %d %q", resp.StatusCode, id)
	}
	tr, status := getTrace(t, s, keyA, secretA, id)
	if status != 200 || tr.Operation != "AssumeRoleWithWebIdentity" || tr.cause() == nil || tr.cause().Check != "webIdentityToken" {
		t.Fatalf("the role's account: %d %+v (STS answered %s)", status, tr, stsBody)
	}
	if _, status := getTrace(t, s, keyB, secretB, id); status != 400 {
		t.Errorf("another account reads it: %d", status)
	}

	out, err := cognito(s, keyA, secretA).CreateIdentityPool(context.Background(), &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String("u"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	a := post(t, s, "GetId", jsonBody(map[string]any{"IdentityPoolId": aws.ToString(out.IdentityPoolId)}))
	var guest struct{ IdentityId string }
	_ = json.Unmarshal([]byte(a.body), &guest)
	u := post(t, s, "UnlinkIdentity", jsonBody(map[string]any{"IdentityId": guest.IdentityId, "Logins": map[string]string{}, "LoginsToRemove": []string{"graph.facebook.com"}}))
	tr, status = getTrace(t, s, keyA, secretA, u.id)
	if u.status != 400 || status != 200 || tr.IdentityPoolId != aws.ToString(out.IdentityPoolId) || tr.cause() == nil || tr.cause().Check != "logins" {
		t.Errorf("UnlinkIdentity: %d %s; trace %d %+v", u.status, u.body, status, tr)
	}
}
