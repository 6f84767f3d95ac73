package explain

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// refusal is one call that is refused, and the step its trace must name
// as the cause.
type refusal struct {
	name, op, body string
	phase, check   string
	// fact, when set, must be among the cause's facts (name=value).
	fact string
}

// world is what the refusals need, made once through the SDK.
type world struct {
	idp      *fakeidp.OIDC
	tokens   map[string]string
	refusals []refusal
	ok       []refusal // calls that succeed
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// build makes the pools, roles, provider and identities of every refusal.
func build(t *testing.T, s *harness.Server, idp *fakeidp.OIDC) *world {
	ctx := context.Background()
	c, iam := cognito(s, keyA, secretA), iamOf(s, keyA, secretA)
	anon := s.Anonymous(harness.Region)
	prov, err := iam.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.URL()), ClientIDList: []string{"client-a"}, ThumbprintList: []string{idp.Thumbprint()},
	})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider: %v", err)
	}
	oidcARN := aws.ToString(prov.OpenIDConnectProviderArn)
	host := idp.Host()
	hour := time.Now().Add(time.Hour).Unix()
	tok := func(sub, aud string, exp int64, extra map[string]any) string {
		claims := map[string]any{"iss": idp.URL(), "sub": sub, "aud": aud, "iat": time.Now().Unix() - 60, "exp": exp}
		for k, v := range extra {
			claims[k] = v
		}
		return idp.Sign(t, claims)
	}
	pool := func(name string, guests bool, oidc bool) string {
		in := &cognitoidentity.CreateIdentityPoolInput{IdentityPoolName: aws.String(name), AllowUnauthenticatedIdentities: guests}
		if oidc {
			in.OpenIdConnectProviderARNs = []string{oidcARN}
		}
		out, err := c.CreateIdentityPool(ctx, in)
		if err != nil {
			t.Fatalf("CreateIdentityPool %s: %v", name, err)
		}
		return aws.ToString(out.IdentityPoolId)
	}
	getID := func(pool string, logins map[string]string) string {
		out, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool), Logins: logins})
		if err != nil {
			t.Fatalf("GetId %s: %v", pool, err)
		}
		return aws.ToString(out.IdentityId)
	}
	setRoles := func(pool string, roles map[string]string, mappings map[string]types.RoleMapping) {
		if _, err := c.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{IdentityPoolId: aws.String(pool), Roles: roles, RoleMappings: mappings}); err != nil {
			t.Fatalf("SetIdentityPoolRoles %s: %v", pool, err)
		}
	}
	w := &world{idp: idp, tokens: map[string]string{}}

	// No role set.
	p1 := pool("noroles", true, false)
	g1 := getID(p1, nil)
	w.refusals = append(w.refusals, refusal{name: "no role set", op: "GetCredentialsForIdentity",
		body: jsonBody(map[string]any{"IdentityId": g1}), phase: "role", check: "roleSet"})

	// A Rules mapping that matches nothing, and Deny.
	p2 := pool("rules", false, true)
	ok2 := createRole(t, iam, "rules-admins", trustPolicy(p2, "authenticated"))
	setRoles(p2, map[string]string{"authenticated": ok2}, map[string]types.RoleMapping{host: {
		Type: types.RoleMappingTypeRules, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeDeny,
		RulesConfiguration: &types.RulesConfigurationType{Rules: []types.MappingRule{{
			Claim: aws.String("group"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("admins"), RoleARN: aws.String(ok2)}}},
	}})
	users := tok("user-2", "client-a", hour, map[string]any{"group": "users"})
	i2 := getID(p2, map[string]string{host: users})
	w.refusals = append(w.refusals, refusal{name: "rules no match, Deny", op: "GetCredentialsForIdentity",
		body: jsonBody(map[string]any{"IdentityId": i2, "Logins": map[string]string{host: users}}), phase: "role", check: "AmbiguousRoleResolution"})
	admins := tok("user-2b", "client-a", hour, map[string]any{"group": "admins"})
	i2b := getID(p2, map[string]string{host: admins})
	w.ok = append(w.ok, refusal{name: "rules match", op: "GetCredentialsForIdentity",
		body: jsonBody(map[string]any{"IdentityId": i2b, "Logins": map[string]string{host: admins}})})

	// A trust condition on aud that is not met; logins refused by their
	// audience, expiry and provider; a disabled identity.
	p3 := pool("trust", true, true)
	badAud := createRole(t, iam, "other-pool", trustPolicy("us-east-1:00000000-0000-0000-0000-000000000000", "authenticated"))
	setRoles(p3, map[string]string{"authenticated": badAud}, nil)
	good := tok("user-3", "client-a", hour, nil)
	i3 := getID(p3, map[string]string{host: good})
	w.refusals = append(w.refusals,
		refusal{name: "trust aud not met", op: "GetCredentialsForIdentity",
			body: jsonBody(map[string]any{"IdentityId": i3, "Logins": map[string]string{host: good}}), phase: "trust", check: "condition",
			fact: "key=cognito-identity.amazonaws.com:aud"},
		refusal{name: "token for another audience", op: "GetId",
			body:  jsonBody(map[string]any{"IdentityPoolId": p3, "Logins": map[string]string{host: tok("user-3", "client-b", hour, nil)}}),
			phase: "login", check: "aud", fact: "aud=client-b"},
		refusal{name: "expired token", op: "GetId",
			body:  jsonBody(map[string]any{"IdentityPoolId": p3, "Logins": map[string]string{host: tok("user-3", "client-a", time.Now().Add(-time.Hour).Unix(), nil)}}),
			phase: "login", check: "exp"},
		refusal{name: "unknown provider", op: "GetId",
			body:  jsonBody(map[string]any{"IdentityPoolId": p3, "Logins": map[string]string{"login.unknown.example": good}}),
			phase: "login", check: "provider"},
	)
	x3 := getID(p3, nil)
	if _, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: aws.String(x3), Logins: map[string]string{host: good}}); err != nil {
		t.Fatalf("GetOpenIdToken (merge): %v", err)
	}
	w.refusals = append(w.refusals, refusal{name: "disabled identity", op: "GetCredentialsForIdentity",
		body: jsonBody(map[string]any{"IdentityId": x3}), phase: "identity", check: "disabled"})

	// A trust condition on amr that is not met: a guest for a role that
	// trusts authenticated identities only.
	p4 := pool("amr", true, false)
	needsAuth := createRole(t, iam, "needs-auth", trustPolicy(p4, "authenticated"))
	setRoles(p4, map[string]string{"unauthenticated": needsAuth}, nil)
	g4 := getID(p4, nil)
	w.refusals = append(w.refusals, refusal{name: "trust amr not met", op: "GetCredentialsForIdentity",
		body: jsonBody(map[string]any{"IdentityId": g4}), phase: "trust", check: "condition", fact: "key=cognito-identity.amazonaws.com:amr"})

	// A guest asking for the authenticated role.
	p5 := pool("custom", true, false)
	auth5 := createRole(t, iam, "custom-auth", trustPolicy(p5, "authenticated"))
	unauth5 := createRole(t, iam, "custom-unauth", trustPolicy(p5, "unauthenticated"))
	setRoles(p5, map[string]string{"authenticated": auth5, "unauthenticated": unauth5}, nil)
	g5 := getID(p5, nil)
	w.refusals = append(w.refusals, refusal{name: "guest asks for the authenticated role", op: "GetCredentialsForIdentity",
		body: jsonBody(map[string]any{"IdentityId": g5, "CustomRoleArn": auth5}), phase: "role", check: "CustomRoleArn"})
	w.ok = append(w.ok, refusal{name: "guest role", op: "GetCredentialsForIdentity", body: jsonBody(map[string]any{"IdentityId": g5})})
	w.tokens["p3"], w.tokens["i3"], w.tokens["good"], w.tokens["host"], w.tokens["users"], w.tokens["p2"], w.tokens["i2"] = p3, i3, good, host, users, p2, i2
	return w
}

// expiredNow is the current time AWS's expiry text carries.
var expiredNow = regexp.MustCompile(`Token expired: \d+`)

// TestRefusalsAreExplainedAndUnchanged: for each kind of refusal, the trace
// names its cause, and the answer on the wire is byte for byte what a server
// with traces off answers (the same data directory, address and requests;
// the request id header aside, and the current time in an expiry text).
func TestRefusalsAreExplainedAndUnchanged(t *testing.T) {
	idp := fakeidp.NewOIDC(t, "explain")
	dir, addr := t.TempDir(), harness.FreeAddr(t)
	env := []string{"SSL_CERT_FILE=" + idp.CertFile(t)}
	on := harness.Start(t, harness.Options{DataDir: dir, Addr: addr, Env: env, Config: config("traces:\n  enabled: true\n")})
	w := build(t, on, idp)

	calls := append(append([]refusal(nil), w.refusals...), w.ok...)
	withTraces := map[string]answer{}
	for _, r := range calls {
		a := post(t, on, r.op, r.body)
		withTraces[r.name] = a
		tr, status := getTrace(t, on, keyA, secretA, a.id)
		if status != 200 || tr == nil {
			t.Errorf("%s: GetTrace %s: status %d", r.name, a.id, status)
			continue
		}
		if tr.RequestId != a.id || tr.Operation != r.op {
			t.Errorf("%s: trace of %s %s, want %s %s", r.name, tr.RequestId, tr.Operation, a.id, r.op)
		}
		cause := tr.cause()
		if r.phase == "" {
			if a.status != 200 || tr.Outcome != "ok" || cause != nil {
				t.Errorf("%s: status %d, outcome %s, cause %+v\n%s", r.name, a.status, tr.Outcome, cause, tr)
			}
			continue
		}
		if a.status == 200 {
			t.Errorf("%s: not refused: %s", r.name, a.body)
			continue
		}
		if tr.Outcome != "refused" || tr.ErrorType == "" || !strings.Contains(a.body, tr.ErrorType) {
			t.Errorf("%s: outcome %s %s for %s", r.name, tr.Outcome, tr.ErrorType, a.body)
		}
		if cause == nil || cause.Phase != r.phase || cause.Check != r.check {
			t.Errorf("%s: cause %+v, want %s/%s\n%s", r.name, cause, r.phase, r.check, tr)
			continue
		}
		if r.fact != "" {
			k, v, _ := strings.Cut(r.fact, "=")
			if cause.Facts[k] != v {
				t.Errorf("%s: cause facts %v, want %s", r.name, cause.Facts, r.fact)
			}
		}
		for _, s := range tr.Steps {
			for _, v := range s.Facts {
				if strings.Count(v, ".") >= 2 && strings.HasPrefix(v, "eyJ") {
					t.Errorf("%s: a token in the trace: %s", r.name, s.Check)
				}
			}
		}
	}
	if err := on.Stop(); err != nil {
		t.Fatal(err)
	}

	off := harness.Start(t, harness.Options{DataDir: dir, Addr: addr, Env: env, Config: config("")})
	for _, r := range w.refusals {
		a, b := withTraces[r.name], post(t, off, r.op, r.body)
		mask := func(s string) string { return expiredNow.ReplaceAllString(s, "Token expired: NOW") }
		if a.status != b.status || mask(a.headers) != mask(b.headers) || mask(a.body) != mask(b.body) {
			t.Errorf("%s: the answer differs with traces off:\n on: %d %s\n%s\noff: %d %s\n%s", r.name, a.status, a.body, a.headers, b.status, b.body, b.headers)
		}
		if _, status := getTrace(t, off, keyA, secretA, b.id); status != 400 {
			t.Errorf("%s: traces off, GetTrace status %d, want 400 (not found)", r.name, status)
		}
	}
}
