package hostile

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/apimodel"
)

// Error types of the JSON protocol the cases expect.
const (
	serialization = "SerializationException"
	validation    = "ValidationException"
	unknownOp     = "UnknownOperationException"
	missingAuth   = "MissingAuthenticationTokenException"
)

// member is one top-level input member of an operation, from the model.
type member struct{ name, kind string }

// operation is one operation of the model: its input members, whether any
// is required, and whether it may be called unsigned.
type operation struct {
	name     string
	members  []member
	required bool
	unsigned bool
}

// operations reads the botocore model the server embeds.
func operations(t *testing.T) []operation {
	t.Helper()
	var m struct {
		Operations map[string]struct {
			Input    struct{ Shape string }
			AuthType string `json:"authtype"`
		}
		Shapes map[string]struct {
			Type     string
			Required []string
			Members  map[string]struct{ Shape string }
		}
	}
	if err := json.Unmarshal(apimodel.CognitoIdentity, &m); err != nil {
		t.Fatal(err)
	}
	var out []operation
	for name, o := range m.Operations {
		in := m.Shapes[o.Input.Shape]
		op := operation{name: name, required: len(in.Required) > 0, unsigned: o.AuthType == "none"}
		for mn, ms := range in.Members {
			op.members = append(op.members, member{mn, m.Shapes[ms.Shape].Type})
		}
		sort.Slice(op.members, func(i, j int) bool { return op.members[i].name < op.members[j].name })
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) != 23 {
		t.Fatalf("model has %d operations, want 23", len(out))
	}
	return out
}

// wrongValues are JSON values of the wrong kind for a member of kind k:
// a container for a scalar, a scalar or the other container for a container.
// Coral refuses each with a SerializationException.
func wrongValues(kind string) []string {
	switch kind {
	case "list":
		return []string{`{"a":1}`, `"not-a-list"`}
	case "map", "structure":
		return []string{`[1]`, `"not-a-map"`}
	default: // string, integer, long, boolean, timestamp
		return []string{`[1]`, `{"a":1}`}
	}
}

// jsonCases: every operation with broken bodies, and every member of every
// operation with values of the wrong type.
func jsonCases(t *testing.T, addr string) []hcase {
	bad := http.StatusBadRequest
	deep := `{"X":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
	notJSON := "Request body is not valid JSON."
	bodies := []struct{ name, body, typ, contains string }{
		{"list body", `[]`, serialization, ""},
		{"string body", `"GetId"`, serialization, ""},
		{"number body", `42`, serialization, ""},
		{"trailing garbage", `{} {"IdentityPoolId":"x"}`, serialization, ""},
		{"truncated", `{"IdentityPoolId":`, serialization, ""},
		{"deep nesting", deep, serialization, ""},
		{"invalid utf-8 value", "{\"IdentityPoolId\":\"us-east-1:\xff\xfe\"}", serialization, ""},
		{"invalid utf-8 key", "{\"Identity\xc3\x28PoolId\":\"x\"}", serialization, ""},
		{"NaN", `{"MaxResults":NaN}`, serialization, ""},
		{"single quotes", `{'IdentityPoolId':'x'}`, serialization, ""},
		{"NUL byte", "{\"IdentityPoolId\":\"a\x00b\"}", serialization, ""},
		// The model's validator stops at the wrong type before the syntax
		// error: the answer still names the body as not JSON.
		{"wrong type then trailing comma", `{"IdentityPoolId":1.5,}`, serialization, notJSON},
		{"wrong type then truncated", `{"Logins":[1`, serialization, notJSON},
		{"unknown member then trailing comma", `{"Bogus":1,}`, serialization, notJSON},
	}
	var cases []hcase
	for _, op := range operations(t) {
		for _, b := range bodies {
			cases = append(cases, hcase{name: op.name + "/" + b.name, raw: jsonRequest(addr, op.name, b.body), status: []int{bad}, typ: b.typ, contains: b.contains})
		}
		if op.required {
			cases = append(cases,
				hcase{name: op.name + "/empty body", raw: jsonRequest(addr, op.name, ""), status: []int{bad}, typ: validation},
				hcase{name: op.name + "/only unknown members", raw: jsonRequest(addr, op.name, `{"Bogus":{"x":[1,2]},"__proto__":{}}`), status: []int{bad}, typ: validation},
			)
		}
		if !op.unsigned {
			// Unsigned calls of signed operations never reach the operation.
			r := rawReq("POST / HTTP/1.1", []string{"Host: " + addr, "Content-Type: application/x-amz-json-1.1",
				"X-Amz-Target: " + target(op.name), "Content-Length: 2"}, "{}")
			cases = append(cases, hcase{name: op.name + "/unsigned", raw: r, status: []int{http.StatusForbidden}, typ: missingAuth})
		}
		for _, m := range op.members {
			for _, v := range wrongValues(m.kind) {
				body := `{"` + m.name + `":` + v + `}`
				cases = append(cases, hcase{name: op.name + "/" + m.name + "=" + v, raw: jsonRequest(addr, op.name, body), status: []int{bad}, typ: serialization})
			}
		}
	}
	// A well-formed body with a wrong type is named by its type, not as broken JSON.
	cases = append(cases, hcase{name: "GetId/number for a string", raw: jsonRequest(addr, "GetId", `{"IdentityPoolId":1.5}`),
		status: []int{bad}, typ: serialization, contains: "NUMBER_VALUE can not be converted to a String"})
	return append(cases, numberCases(addr)...)
}

// numberCases: MaxResults, TokenDuration and friends out of range, of the
// wrong JSON type, or beyond any Java type.
func numberCases(addr string) []hcase {
	bad := http.StatusBadRequest
	type nc struct{ op, body, typ string }
	list := []nc{
		{"ListIdentityPools", `{"MaxResults":0}`, validation},
		{"ListIdentityPools", `{"MaxResults":61}`, validation},
		{"ListIdentityPools", `{"MaxResults":-1}`, validation},
		{"ListIdentityPools", `{"MaxResults":2147483648}`, serialization},
		{"ListIdentityPools", `{"MaxResults":-2147483649}`, serialization},
		{"ListIdentityPools", `{"MaxResults":99999999999999999999999999}`, serialization},
		{"ListIdentityPools", `{"MaxResults":1e400}`, serialization},
		{"ListIdentityPools", `{"MaxResults":1.5}`, serialization + "|" + validation},
		{"ListIdentityPools", `{"MaxResults":"10"}`, serialization + "|" + validation},
		{"ListIdentityPools", `{"MaxResults":"ten"}`, serialization},
		{"ListIdentityPools", `{"MaxResults":true}`, serialization},
		{"ListIdentityPools", `{"MaxResults":Infinity}`, serialization},
		{"ListIdentityPools", `{"MaxResults":-0.0e-999999}`, serialization + "|" + validation},
		{"ListIdentityPools", `{"MaxResults":1,"MaxResults":[1]}`, serialization},
		{"ListIdentityPools", `{"MaxResults":10,"NextToken":"` + strings.Repeat("A", 70000) + `"}`, validation},
		{"ListIdentityPools", `{"MaxResults":10,"NextToken":"not-a-token"}`, "InvalidParameterException|" + validation},
		{"ListIdentities", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","MaxResults":100000}`, validation},
		{"ListIdentities", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","MaxResults":-5}`, validation},
		{"LookupDeveloperIdentity", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","MaxResults":1e10}`, serialization + "|" + validation},
		{"GetOpenIdTokenForDeveloperIdentity", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"d":"u"},"TokenDuration":9223372036854775808}`, serialization},
		{"GetOpenIdTokenForDeveloperIdentity", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"d":"u"},"TokenDuration":-1}`, validation},
		{"GetOpenIdTokenForDeveloperIdentity", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"d":"u"},"TokenDuration":86401}`, validation},
		{"DescribeIdentityPool", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","IdentityPoolId":[]}`, serialization},
		{"DescribeIdentityPool", `{"IdentityPoolId":"../../etc/passwd"}`, validation},
		{"DescribeIdentityPool", `{"IdentityPoolId":"` + strings.Repeat("a", 100000) + `"}`, validation},
		{"GetId", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"` + strings.Repeat("k", 200) + `":"v"}}`, validation},
		{"GetId", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9","j":"10","k":"11"}}`, validation},
		{"CreateIdentityPool", `{"IdentityPoolName":"x","AllowUnauthenticatedIdentities":"true"}`, serialization + "|" + validation},
		{"CreateIdentityPool", `{"IdentityPoolName":"<script>","AllowUnauthenticatedIdentities":false}`, validation},
	}
	var out []hcase
	for _, c := range list {
		out = append(out, hcase{name: c.op + "/" + trim(c.body), raw: jsonRequest(addr, c.op, c.body), status: []int{bad}, typ: c.typ})
	}
	return out
}
