package cli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeUpstream is a real HTTP server answering cognito-identity's JSON 1.1
// wire with canned responses, so both CLIs' client-side behaviour (parsing,
// request building, output) can be compared byte for byte without
// depending on server state. It records every request body it receives.
type fakeUpstream struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
}

type recorded struct {
	Target string
	Body   string
}

const poolJSON = `{"IdentityPoolName":"pool ü one","IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555",
"AllowClassicFlow":false,"AllowUnauthenticatedIdentities":true,
"SupportedLoginProviders":{"graph.facebook.com":"7346241598935552","accounts.google.com":"123456789012.apps.googleusercontent.com"},
"DeveloperProviderName":"login.mycompany.myapp",
"OpenIdConnectProviderARNs":["arn:aws:iam::000000000000:oidc-provider/example.com"],
"CognitoIdentityProviders":[{"ClientId":"6lhlkkfbfb4q5kpp90urffae","ProviderName":"cognito-idp.us-east-1.amazonaws.com/us-east-1_Zr231apJu","ServerSideTokenCheck":false},
{"ProviderName":"cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi","ClientId":"7mhlkkfbfb4q5kpp90urffae","ServerSideTokenCheck":true}],
"SamlProviderARNs":[],"IdentityPoolTags":{"team":"blue","cost center":"42"}}`

var canned = map[string]string{
	"DescribeIdentityPool": poolJSON,
	"CreateIdentityPool":   poolJSON,
	"UpdateIdentityPool":   poolJSON,
	"GetId":                `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}`,
	"GetCredentialsForIdentity": `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","Credentials":{"SecretKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SessionToken":"IQoJb3JpZ2luX2VjEXAMPLETOKEN","Expiration":1.763789460123E9}}`,
	"GetOpenIdToken":                     `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","Token":"eyJraWQiOiJ1cy1lYXN0LTEtMSJ9.eyJzdWIiOiJ4In0.c2ln"}`,
	"GetOpenIdTokenForDeveloperIdentity": `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","Token":"eyJraWQiOiJ1cy1lYXN0LTEtMSJ9.eyJzdWIiOiJ4In0.c2ln"}`,
	"DescribeIdentity":                   `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","Logins":["graph.facebook.com","login.mycompany.myapp"],"CreationDate":1763789460,"LastModifiedDate":1763789461.5}`,
	"ListIdentities": `{"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","Identities":[
{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-000000000001","Logins":["graph.facebook.com"],"CreationDate":1763789460.25,"LastModifiedDate":1763789460.25},
{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-000000000002","CreationDate":1763789470,"LastModifiedDate":1763789480.000001}]}`,
	"GetIdentityPoolRoles": `{"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","Roles":{"unauthenticated":"arn:aws:iam::000000000000:role/Unauth","authenticated":"arn:aws:iam::000000000000:role/Auth"},
"RoleMappings":{"graph.facebook.com":{"Type":"Rules","AmbiguousRoleResolution":"Deny","RulesConfiguration":{"Rules":[{"Claim":"isAdmin","MatchType":"Equals","Value":"paid","RoleARN":"arn:aws:iam::000000000000:role/Admin"}]}},
"cognito-idp.us-east-1.amazonaws.com/us-east-1_Zr231apJu:6lhlkkfbfb4q5kpp90urffae":{"Type":"Token","AmbiguousRoleResolution":"AuthenticatedRole"}}}`,
	"LookupDeveloperIdentity":     `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","DeveloperUserIdentifierList":["alice","bob"]}`,
	"MergeDeveloperIdentities":    `{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}`,
	"DeleteIdentities":            `{"UnprocessedIdentityIds":[{"IdentityId":"us-east-1:aaaaaaaa-bbbb-cccc-dddd-000000000009","ErrorCode":"InternalServerError"}]}`,
	"ListTagsForResource":         `{"Tags":{"team":"blue"}}`,
	"GetPrincipalTagAttributeMap": `{"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","IdentityProviderName":"graph.facebook.com","UseDefaults":false,"PrincipalTags":{"user":"sub"}}`,
	"SetPrincipalTagAttributeMap": `{"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","IdentityProviderName":"graph.facebook.com","UseDefaults":true,"PrincipalTags":{}}`,
	"TagResource":                 `{}`,
	"UntagResource":               `{}`,
	"SetIdentityPoolRoles":        ``,
	"DeleteIdentityPool":          ``,
	"UnlinkIdentity":              ``,
	"UnlinkDeveloperIdentity":     ``,
}

// pools are what the fake ListIdentityPools pages through.
func poolsPage(req map[string]any) string {
	const total = 7
	start := 0
	if tok, ok := req["NextToken"].(string); ok {
		fmt.Sscanf(tok, "tok-%d", &start)
	}
	size := total
	if m, ok := req["MaxResults"].(float64); ok {
		size = int(m)
	}
	var items []string
	end := min(start+size, total)
	for i := start; i < end; i++ {
		items = append(items, fmt.Sprintf(`{"IdentityPoolName":"pool-%d","IdentityPoolId":"us-east-1:00000000-0000-0000-0000-00000000000%d"}`, i, i))
	}
	out := `{"IdentityPools":[` + strings.Join(items, ",") + `]`
	if end < total {
		out += fmt.Sprintf(`,"NextToken":"tok-%d"`, end)
	}
	return out + "}"
}

func newFakeUpstream(t *testing.T) *fakeUpstream {
	f := &fakeUpstream{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityService.")
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, recorded{Target: target, Body: string(body)})
		f.mu.Unlock()
		var req map[string]any
		_ = json.Unmarshal(body, &req)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-RequestId", "11111111-0000-0000-0000-000000000000")
		if id, _ := req["IdentityPoolId"].(string); strings.Contains(id, "missing") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"ResourceNotFoundException","message":"IdentityPool '%s' not found."}`, id)
			return
		}
		if target == "ListIdentityPools" {
			fmt.Fprint(w, poolsPage(req))
			return
		}
		resp, ok := canned[target]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"UnknownOperationException"}`)
			return
		}
		fmt.Fprint(w, resp)
	}))
	t.Cleanup(f.Close)
	return f
}

// take returns and clears the recorded requests.
func (f *fakeUpstream) take() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}
