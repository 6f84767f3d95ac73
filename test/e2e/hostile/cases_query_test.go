package hostile

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// queryCases: malformed STS and IAM Query-protocol requests.
func queryCases(addr string) []hcase {
	bad := http.StatusBadRequest
	form := func(service, body string) []byte {
		return signedRaw(addr, service, http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}, body)
	}
	unsignedForm := func(body string) []byte {
		return rawReq("POST / HTTP/1.1", []string{"Host: " + addr, "Content-Type: application/x-www-form-urlencoded",
			fmt.Sprintf("Content-Length: %d", len(body))}, body)
	}
	var cases []hcase
	add := func(name string, raw []byte, typ string, status ...int) {
		cases = append(cases, hcase{name: "query " + name, raw: raw, status: status, typ: typ})
	}
	const sts = "Version=2011-06-15"
	const iam = "Version=2010-05-08"
	add("unknown STS action", form("sts", "Action=AssumeRoot&"+sts), "InvalidAction", bad)
	add("unknown IAM action", form("iam", "Action=CreateUser&UserName=x&"+iam), "InvalidAction", bad)
	add("action with CRLF", form("sts", "Action=GetCallerIdentity%0D%0AX-Injected:%201&"+sts), "InvalidAction", bad)
	// An unknown action answers in the namespace of the service it was
	// signed for, whatever Version it names (or none).
	iamNS, stsNS := `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`, `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`
	for _, c := range []struct{ svc, body, ns string }{
		{"iam", "Action=CreateUser&UserName=x", iamNS},
		{"iam", "Action=CreateUser&UserName=x&" + sts, iamNS},
		{"iam", "Action=CreateUser&Version=2099-01-01", iamNS},
		{"iam", "UserName=x&" + iam, iamNS},
		{"sts", "Action=AssumeRoot", stsNS},
		{"sts", "Action=AssumeRoot&" + iam, stsNS},
	} {
		cases = append(cases, hcase{name: "query namespace of " + c.svc + " for " + c.body, raw: form(c.svc, c.body),
			status: []int{bad}, typ: "InvalidAction|MissingAction", contains: c.ns})
	}
	add("missing action", form("sts", sts), "MissingAction", bad)
	add("empty action", form("sts", "Action=&"+sts), "MissingAction|InvalidAction", bad)
	add("malformed escape", form("sts", "Action=GetCallerIdentity&Version=%zz"), "MalformedQueryString", bad)
	add("semicolon separator", form("sts", "Action=GetCallerIdentity;"+sts), "MalformedQueryString|InvalidAction", bad)
	add("invalid utf-8 param", form("iam", "Action=GetRole&RoleName=%ff%fe&"+iam), "ValidationError", bad)
	add("oversized form", form("iam", "Action=GetRole&"+iam+"&RoleName="+strings.Repeat("r", maxBody)), "RequestEntityTooLarge", http.StatusRequestEntityTooLarge)
	add("unsigned GetCallerIdentity", unsignedForm("Action=GetCallerIdentity&"+sts), "MissingAuthenticationToken", http.StatusForbidden)
	add("unsigned CreateRole", unsignedForm("Action=CreateRole&RoleName=x&"+iam), "MissingAuthenticationToken", http.StatusForbidden)
	add("IAM action signed for sts", form("sts", "Action=ListRoles&"+iam), "SignatureDoesNotMatch", http.StatusForbidden)
	add("STS action signed for iam", form("iam", "Action=GetCallerIdentity&"+sts), "SignatureDoesNotMatch", http.StatusForbidden)
	add("STS action, cognito scope", form("cognito-identity", "Action=GetCallerIdentity&"+sts), "SignatureDoesNotMatch", http.StatusForbidden)
	get := func(q string) []byte {
		return rawReq("GET /?"+q+" HTTP/1.1", []string{"Host: " + addr}, "")
	}
	// STS also answers GETs (presigned URLs); an unsigned one is refused.
	add("GET STS unsigned", get("Action=GetCallerIdentity&"+sts), "MissingAuthenticationToken", http.StatusForbidden)
	add("GET STS forged presign", get("Action=GetCallerIdentity&"+sts+
		"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20261122%2Fus-east-1%2Fsts%2Faws4_request"+
		"&X-Amz-Date=20261122T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00"),
		"RequestExpired", bad) // STS answers an expired presigned URL with 400

	// Every parameterised action with its parameters missing or mangled.
	missing := map[string]string{
		"sts": "AssumeRoleWithWebIdentity",
		"iam": "CreateRole GetRole DeleteRole UpdateAssumeRolePolicy CreateOpenIDConnectProvider GetOpenIDConnectProvider " +
			"DeleteOpenIDConnectProvider AddClientIDToOpenIDConnectProvider CreateSAMLProvider GetSAMLProvider DeleteSAMLProvider",
	}
	versions := map[string]string{"sts": sts, "iam": iam}
	for svc, actions := range missing {
		for _, a := range strings.Fields(actions) {
			add(a+" without parameters", form(svc, "Action="+a+"&"+versions[svc]), "ValidationError|MissingParameter", bad)
			add(a+" with garbage parameters", form(svc, "Action="+a+"&"+versions[svc]+"&RoleName=%00%01&RoleArn=arn%3Aaws%3Aiam%3A%3A%3Arole%2F&"+
				"OpenIDConnectProviderArn=x&SAMLProviderArn=..%2F..&Url=javascript%3Aalert(1)&Name=%3Cx%3E&ClientID="+strings.Repeat("c", 300)+
				"&PolicyDocument=%7B&AssumeRolePolicyDocument=%5B%5D&SAMLMetadataDocument=%3C!DOCTYPE%20x%20%5B%3C!ENTITY%20e%20SYSTEM%20%22file%3A%2F%2F%2Fetc%2Fpasswd%22%3E%5D%3E%3Cx%3E%26e%3B%3C%2Fx%3E"+
				"&WebIdentityToken=a.b.c&RoleSessionName=%2F%2F"),
				"ValidationError|MissingParameter|InvalidInput|MalformedPolicyDocument|InvalidIdentityToken|InvalidParameterValue|NoSuchEntity", bad, http.StatusNotFound)
		}
	}
	awsw := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::000000000000:role/R"},
		"RoleSessionName": {"s"}, "WebIdentityToken": {"eyJhbGciOiJub25lIn0.e30."}}
	for _, d := range []string{"0", "-1", "899", "43201", "1e3", "99999999999999999999", "abc", ""} {
		v := url.Values{}
		for k, x := range awsw {
			v[k] = x
		}
		v.Set("DurationSeconds", d)
		add("AssumeRoleWithWebIdentity DurationSeconds="+d, unsignedForm(v.Encode()), "ValidationError|InvalidIdentityToken", bad)
	}
	return cases
}
