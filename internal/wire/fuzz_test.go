package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/fuzzstack"
)

// fuzzCall serves one request in process; sign signs it as the dev account.
func fuzzCall(tb testing.TB, h http.Handler, target, ctype string, body []byte, sign bool) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", bytes.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if sign {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "cognito-identity", "us-east-1", fuzzstack.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// FuzzServeJSON drives the real JSON 1.1 front end, signed and unsigned,
// with any operation name, content type and body. Every answer is a 200 or
// an AWS-shaped 4xx: a JSON {"__type","message"} body whose code is not
// InternalErrorException and whose status is the code's. Form bodies go to
// the Query protocol, whose answers must be 4xx XML.
func FuzzServeJSON(f *testing.F) {
	h := fuzzstack.New(f).Handler
	const ct = "application/x-amz-json-1.1"
	const svc = "AWSCognitoIdentityService."
	created := fuzzCall(f, h, svc+"CreateIdentityPool", ct, []byte(`{"IdentityPoolName":"fuzz","AllowUnauthenticatedIdentities":true,"DeveloperProviderName":"login.dev","SupportedLoginProviders":{"accounts.google.com":"client"}}`), true)
	var pool struct{ IdentityPoolId string }
	if err := json.Unmarshal(created.Body.Bytes(), &pool); err != nil || created.Code != 200 {
		f.Fatalf("create pool: %d %s", created.Code, created.Body)
	}
	got := fuzzCall(f, h, svc+"GetId", ct, []byte(`{"IdentityPoolId":"`+pool.IdentityPoolId+`"}`), false)
	var id struct{ IdentityId string }
	if err := json.Unmarshal(got.Body.Bytes(), &id); err != nil || got.Code != 200 {
		f.Fatalf("GetId: %d %s", got.Code, got.Body)
	}
	p, i := pool.IdentityPoolId, id.IdentityId
	for _, s := range []struct {
		op, body string
		sign     bool
	}{
		{"GetId", `{"IdentityPoolId":"` + p + `","Logins":{"accounts.google.com":"a.b.c"}}`, false},
		{"GetOpenIdToken", `{"IdentityId":"` + i + `"}`, false},
		{"GetCredentialsForIdentity", `{"IdentityId":"` + i + `","CustomRoleArn":"arn:aws:iam::000000000000:role/x"}`, false},
		{"UnlinkIdentity", `{"IdentityId":"` + i + `","Logins":{},"LoginsToRemove":["x"]}`, false},
		{"ListIdentities", `{"IdentityPoolId":"` + p + `","MaxResults":1,"NextToken":"x.y"}`, true},
		{"ListIdentityPools", `{"MaxResults":60}`, true},
		{"DescribeIdentityPool", `{"IdentityPoolId":"` + p + `"}`, true},
		{"UpdateIdentityPool", `{"IdentityPoolId":"` + p + `","IdentityPoolName":"n","AllowUnauthenticatedIdentities":false,"CognitoIdentityProviders":[{"ProviderName":"cognito-idp.us-east-1.amazonaws.com/us-east-1_a","ClientId":"c"}]}`, true},
		{"SetIdentityPoolRoles", `{"IdentityPoolId":"` + p + `","Roles":{"authenticated":"arn:aws:iam::000000000000:role/a"},"RoleMappings":{"accounts.google.com":{"Type":"Rules","AmbiguousRoleResolution":"Deny","RulesConfiguration":{"Rules":[{"Claim":"sub","MatchType":"Equals","Value":"x","RoleARN":"arn:aws:iam::000000000000:role/b"}]}}}}`, true},
		{"GetOpenIdTokenForDeveloperIdentity", `{"IdentityPoolId":"` + p + `","Logins":{"login.dev":"user"},"TokenDuration":86400}`, true},
		{"LookupDeveloperIdentity", `{"IdentityPoolId":"` + p + `","DeveloperUserIdentifier":"user","MaxResults":60}`, true},
		{"MergeDeveloperIdentities", `{"IdentityPoolId":"` + p + `","DeveloperProviderName":"login.dev","SourceUserIdentifier":"a","DestinationUserIdentifier":"b"}`, true},
		{"TagResource", `{"ResourceArn":"arn:aws:cognito-identity:us-east-1:000000000000:identitypool/` + p + `","Tags":{"k":"v"}}`, true},
		{"SetPrincipalTagAttributeMap", `{"IdentityPoolId":"` + p + `","IdentityProviderName":"accounts.google.com","UseDefaults":false,"PrincipalTags":{"a":"b"}}`, true},
		{"DeleteIdentities", `{"IdentityIdsToDelete":["` + i + `"]}`, true},
		{"DescribeIdentity", `{"IdentityId":"` + i + `"}`, true},
		{"CreateIdentityPool", `{"IdentityPoolName":"a","AllowUnauthenticatedIdentities":true,"OpenIdConnectProviderARNs":["arn:aws:iam::000000000000:oidc-provider/x"],"SamlProviderARNs":["arn:aws:iam::000000000000:saml-provider/y"]}`, true},
		{"GetId", `{"IdentityPoolId":"` + p + `",`, false},
		{"GetId", "{\"IdentityPoolId\":\"\xff\"}", false},
		{"GetId", `[]`, false},
		{"Nope", `{}`, true},
	} {
		f.Add(svc+s.op, ct, []byte(s.body), s.sign)
	}
	f.Add("", "application/x-www-form-urlencoded", []byte("Action=GetCallerIdentity&Version=2011-06-15"), true)
	f.Add(svc+"GetId", "application/json; charset=\x00", []byte(`{}`), false)
	f.Add("com.amazonaws.cognito.identity.model."+svc+"ListIdentityPools", "", []byte(``), true)
	f.Fuzz(func(t *testing.T, target, ctype string, body []byte, sign bool) {
		w := fuzzCall(t, h, target, ctype, body, sign)
		if w.Code >= 500 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if w.Code == 200 {
			if !json.Valid(w.Body.Bytes()) && w.Header().Get("Content-Type") == ct {
				t.Fatalf("200 with invalid JSON: %s", w.Body)
			}
			return
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") {
			if !bytes.Contains(w.Body.Bytes(), []byte("<ErrorResponse")) {
				t.Fatalf("query error %d is not an ErrorResponse: %s", w.Code, w.Body)
			}
			return
		}
		var e map[string]string
		if err := json.NewDecoder(io.LimitReader(w.Body, 1<<20)).Decode(&e); err != nil || e["__type"] == "" {
			t.Fatalf("error %d body is not {__type,message}: %q", w.Code, w.Body)
		}
		if code := e["__type"]; code == apierr.InternalError || apierr.StatusOf(code) != w.Code {
			t.Fatalf("error %s with status %d", code, w.Code)
		}
	})
}
