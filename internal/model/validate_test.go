package model

import (
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
)

const (
	pool = "us-east-1:01234567-89ab-cdef-0123-456789abcdef"
	arn  = "arn:aws:iam::000000000000:role/idpool-test"
)

func mustLoad(t testing.TB) *Model {
	t.Helper()
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// one wraps a single violation in AWS's header.
func one(item string) string { return "1 validation error detected: " + item }

func TestValidationMessages(t *testing.T) {
	m := mustLoad(t)
	long := strings.Repeat("a", 129)
	cases := []struct {
		name, op, body, want string
	}{
		{"a missing required member is null", "ListIdentities", `{"IdentityPoolId":"` + pool + `"}`,
			one("Value null at 'maxResults' failed to satisfy constraint: Member must not be null")},
		{"a null member counts as missing", "ListIdentities", `{"IdentityPoolId":"` + pool + `","MaxResults":null}`,
			one("Value null at 'maxResults' failed to satisfy constraint: Member must not be null")},
		{"an empty body is {}", "DescribeIdentityPool", ``,
			one("Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null")},
		{"string longer than max", "UnlinkDeveloperIdentity",
			`{"IdentityId":"` + pool + `","IdentityPoolId":"` + pool + `","DeveloperProviderName":"` + long + `","DeveloperUserIdentifier":"u"}`,
			one("Value '" + long + "' at 'developerProviderName' failed to satisfy constraint: Member must have length less than or equal to 128")},
		// aws/amazon-freertos#1829, byte for byte.
		{"pattern, as observed from AWS", "DescribeIdentityPool", `{"IdentityPoolId":"6eaf0258-e8c5-467f-90de-6e212326e6d3"}`,
			one(`Value '6eaf0258-e8c5-467f-90de-6e212326e6d3' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+`)},
		{"an empty string fails length and pattern, length first", "DescribeIdentity", `{"IdentityId":""}`,
			`2 validation errors detected: Value '' at 'identityId' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+`},
		{"integer above max", "ListIdentities", `{"IdentityPoolId":"` + pool + `","MaxResults":61}`,
			one("Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60")},
		{"integer below min", "ListIdentityPools", `{"MaxResults":-0}`,
			one("Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")},
		{"long above max", "GetOpenIdTokenForDeveloperIdentity", `{"IdentityPoolId":"` + pool + `","Logins":{"login.dev":"u"},"TokenDuration":86401}`,
			one("Value '86401' at 'tokenDuration' failed to satisfy constraint: Member must have value less than or equal to 86400")},
		{"enum in a map of structures", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{},"RoleMappings":{"graph.facebook.com":{"Type":"Claims"}}}`,
			one("Value 'Claims' at 'roleMappings.graph.facebook.com.member.type' failed to satisfy constraint: Member must satisfy enum value set: [Token, Rules]")},
		{"nested list of structures", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{},"RoleMappings":{"p":{"Type":"Rules","RulesConfiguration":{"Rules":[` +
			`{"Claim":"sub","MatchType":"Equals","Value":"v","RoleARN":"` + arn + `"},{"Claim":"has space","MatchType":"Equals","Value":"v","RoleARN":"` + arn + `"}]}}}}`,
			one(`Value 'has space' at 'roleMappings.p.member.rulesConfiguration.rules.2.member.claim' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`)},
		{"required member nested in a list", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{},"RoleMappings":{"p":{"Type":"Rules","RulesConfiguration":{"Rules":[{"Claim":"sub","MatchType":"Equals","Value":"v"}]}}}}`,
			one("Value null at 'roleMappings.p.member.rulesConfiguration.rules.1.member.roleARN' failed to satisfy constraint: Member must not be null")},
		{"list shorter than min", "DeleteIdentities", `{"IdentityIdsToDelete":[]}`,
			one("Value '[]' at 'identityIdsToDelete' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"list of structures shorter than min", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{},"RoleMappings":{"p":{"Type":"Rules","RulesConfiguration":{"Rules":[]}}}}`,
			one("Value '[]' at 'roleMappings.p.member.rulesConfiguration.rules' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"list members, null entries dropped", "UpdateIdentityPool",
			`{"IdentityPoolId":"` + pool + `","IdentityPoolName":"p","AllowUnauthenticatedIdentities":false,"OpenIdConnectProviderARNs":["arn:short",null,"` + arn + `"]}`,
			one("Value '[arn:short, " + arn + "]' at 'openIdConnectProviderARNs' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 20]")},
		{"map keys", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{"admin":"` + arn + `"}}`,
			one("Value '{admin=" + arn + "}' at 'roles' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (un)?authenticated]")},
		{"map with more entries than max", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{"authenticated":"` + arn + `","unauthenticated":"` + arn + `","authenticated":"` + arn + `"}}`,
			one("Value '{authenticated=" + arn + ", unauthenticated=" + arn + ", authenticated=" + arn + "}' at 'roles' failed to satisfy constraint: Member must have length less than or equal to 2")},
		// aws/aws-cdk#31795 (the message there lost its "1 " prefix in the quote).
		{"map values, as observed from AWS", "CreateIdentityPool", `{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":true,"SupportedLoginProviders":{"accounts.google.com":"","graph.facebook.com":"123"}}`,
			one(`Value '{accounts.google.com=, graph.facebook.com=123}' at 'supportedLoginProviders' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\w.;_/-]+]`)},
		// aws/aws-sdk-cpp#1085: the same three items (AWS listed logins first;
		// we list in model order, see the package report).
		{"multiple errors, as observed from AWS", "GetCredentialsForIdentity", `{"IdentityId":"","Logins":{"xx.xx.xx/xx-xx-xx-xx-xx":""}}`,
			`3 validation errors detected: Value '' at 'identityId' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+; ` +
				`Value '{xx.xx.xx/xx-xx-xx-xx-xx=}' at 'logins' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]`},
		{"login tokens are redacted when printed", "GetId", `{"IdentityPoolId":"` + pool + `","Logins":{` + logins(11) + `}}`,
			one("Value '{" + strings.TrimSuffix(strings.Repeat("p.example=*** Sensitive Data Redacted ***, ", 11), ", ") + "}' at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10")},
		{"messages follow model order, not body order", "CreateIdentityPool", `{"DeveloperProviderName":"","IdentityPoolName":"","AllowUnauthenticatedIdentities":true}`,
			`4 validation errors detected: Value '' at 'identityPoolName' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+; ` +
				`Value '' at 'developerProviderName' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'developerProviderName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w._-]+`},
		{"a repeated member replaces the earlier one", "DescribeIdentityPool", `{"IdentityPoolId":"bad","IdentityPoolId":"` + pool + `"}`, ""},
		{"a repeated member's last value is judged", "DescribeIdentityPool", `{"IdentityPoolId":"` + pool + `","IdentityPoolId":null}`,
			one("Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null")},
		{"escapes are decoded before checking", "DescribeIdentityPool", `{"IdentityPoolId":"us-east-1\u003a0123\/"}`,
			one(`Value 'us-east-1:0123/' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+`)},
		{"lengths count code points", "TagResource", `{"ResourceArn":"` + arn + `","Tags":{"k":"` + strings.Repeat("é", 256) + `"}}`, ""},
		{"unknown members are ignored, however nested", "DescribeIdentityPool", `{"Extra":[{"a":[1,2,{"b":null}]},true],"IdentityPoolId":"` + pool + `","X":"y"}`, ""},
		{"a null map value fails the value constraints", "TagResource", `{"ResourceArn":"` + arn + `","Tags":{"k":null}}`,
			one("Value '{k=null}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")},
		{"a null structure in a map is null", "SetIdentityPoolRoles", `{"IdentityPoolId":"` + pool + `","Roles":{},"RoleMappings":{"p":null}}`,
			one("Value null at 'roleMappings.p.member' failed to satisfy constraint: Member must not be null")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := m.Validate(c.op, []byte(c.body))
			if c.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got nil, want %q", c.want)
			}
			if err.Code != apierr.Validation || err.Message != c.want {
				t.Errorf("got  %s: %s\nwant ValidationException: %s", err.Code, err.Message, c.want)
			}
			if err.Status() != 400 {
				t.Errorf("status %d", err.Status())
			}
		})
	}
}

// logins returns n entries with the same key, so the printed map is simple.
func logins(n int) string {
	return strings.TrimSuffix(strings.Repeat(`"p.example":"tok",`, n), ",")
}

func TestValidationListsAtMostTen(t *testing.T) {
	m := mustLoad(t)
	var rules []string
	for range 12 {
		rules = append(rules, `{"Claim":"sub","MatchType":"Is","Value":"v","RoleARN":"`+arn+`"}`)
	}
	body := `{"IdentityPoolId":"` + pool + `","Roles":{},"RoleMappings":{"p":{"Type":"Rules","RulesConfiguration":{"Rules":[` + strings.Join(rules, ",") + `]}}}}`
	err := m.Validate("SetIdentityPoolRoles", []byte(body))
	if err == nil || !strings.HasPrefix(err.Message, "10 validation errors detected: ") {
		t.Fatalf("got %v", err)
	}
	if got := strings.Count(err.Message, "; "); got != 9 {
		t.Errorf("%d separators", got)
	}
	if !strings.Contains(err.Message, "rules.1.member.matchType") || strings.Contains(err.Message, "rules.11.member") {
		t.Errorf("not the first ten in order: %s", err.Message)
	}
}

func TestSerializationErrors(t *testing.T) {
	m := mustLoad(t)
	deep := `{"Extra":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `,"IdentityPoolId":"` + pool + `"}`
	cases := []struct {
		name, op, body, want string
	}{
		{"truncated JSON", "DescribeIdentityPool", `{"IdentityPoolId":`, ""},
		{"not JSON", "DescribeIdentityPool", `IdentityPoolId=x`, ""},
		{"trailing data", "DescribeIdentityPool", `{"IdentityPoolId":"` + pool + `"} {}`, ""},
		{"trailing comma", "DescribeIdentityPool", `{"IdentityPoolId":"` + pool + `",}`, ""},
		{"bad literal", "ListIdentities", `{"IdentityPoolId":"` + pool + `","MaxResults":1,"HideDisabled":tru}`, ""},
		{"invalid UTF-8", "DescribeIdentityPool", "{\"IdentityPoolId\":\"us-east-1:\xff\"}", ""},
		{"control character in a string", "DescribeIdentityPool", "{\"IdentityPoolId\":\"a\tb\"}", ""},
		{"bad escape", "DescribeIdentityPool", `{"IdentityPoolId":"\x41"}`, ""},
		{"leading zero", "ListIdentityPools", `{"MaxResults":01}`, ""},
		{"absurd nesting", "DescribeIdentityPool", deep, ""},
		{"a NUL byte", "ListIdentityPools", "\x00", ""},
		{"a trailing NUL byte", "ListIdentityPools", `{"MaxResults":1}` + "\x00", ""},
		{"top-level string", "ListIdentityPools", `"x"`, ""},
		{"top-level null", "ListIdentityPools", `null`, ""},
		{"top-level array", "ListIdentityPools", `[]`, msgList},
		{"number for a string", "DescribeIdentityPool", `{"IdentityPoolId":1.5}`, "NUMBER_VALUE can not be converted to a String"},
		{"true for a string", "DescribeIdentityPool", `{"IdentityPoolId":true}`, "TRUE_VALUE can not be converted to a String"},
		{"false for a string", "DescribeIdentityPool", `{"IdentityPoolId":false}`, "FALSE_VALUE can not be converted to a String"},
		{"array for a string", "DescribeIdentityPool", `{"IdentityPoolId":["x"]}`, msgList},
		{"object for a string", "DescribeIdentityPool", `{"IdentityPoolId":{}}`, msgObject},
		{"string for an integer", "ListIdentityPools", `{"MaxResults":"1"}`, "STRING_VALUE can not be converted to an Integer"},
		{"boolean for an integer", "ListIdentityPools", `{"MaxResults":true}`, "TRUE_VALUE can not be converted to an Integer"},
		{"fraction for an integer", "ListIdentityPools", `{"MaxResults":1.5}`, "NUMBER_VALUE can not be converted to an Integer"},
		{"exponent for an integer", "ListIdentityPools", `{"MaxResults":1e1}`, "NUMBER_VALUE can not be converted to an Integer"},
		{"integer overflow", "ListIdentityPools", `{"MaxResults":2147483648}`, "NUMBER_VALUE can not be converted to an Integer"},
		{"long overflow", "GetOpenIdTokenForDeveloperIdentity", `{"TokenDuration":9223372036854775808}`, "NUMBER_VALUE can not be converted to a Long"},
		{"string for a boolean", "ListIdentities", `{"HideDisabled":"true"}`, "STRING_VALUE can not be converted to a Boolean"},
		{"number for a boolean", "ListIdentities", `{"HideDisabled":1}`, "NUMBER_VALUE can not be converted to a Boolean"},
		{"string for a list", "DeleteIdentities", `{"IdentityIdsToDelete":"x"}`, msgNoList},
		{"object for a list", "DeleteIdentities", `{"IdentityIdsToDelete":{}}`, msgObject},
		{"number in a list of strings", "DeleteIdentities", `{"IdentityIdsToDelete":[1]}`, "NUMBER_VALUE can not be converted to a String"},
		{"array for a map", "GetId", `{"Logins":[]}`, msgList},
		{"string for a map", "GetId", `{"Logins":"x"}`, msgNoMap},
		{"number as a map value", "GetId", `{"Logins":{"a":1}}`, "NUMBER_VALUE can not be converted to a String"},
		{"string for a structure", "SetIdentityPoolRoles", `{"RoleMappings":{"p":"x"}}`, msgNoObj},
		{"array for a structure", "SetIdentityPoolRoles", `{"RoleMappings":{"p":[]}}`, msgList},
		{"wrong type wins over constraint violations", "ListIdentityPools", `{"NextToken":"","MaxResults":"x"}`, "STRING_VALUE can not be converted to an Integer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := m.Validate(c.op, []byte(c.body))
			if err == nil || err.Code != apierr.Serialization || err.Message != c.want {
				t.Fatalf("got %v, want SerializationException %q", err, c.want)
			}
		})
	}
}

func TestUnknownOperation(t *testing.T) {
	m := mustLoad(t)
	if m.Has("GetIdentity") {
		t.Fatal("Has(GetIdentity)")
	}
	if err := m.Validate("GetIdentity", []byte(`{}`)); err == nil || err.Code != apierr.UnknownOperation {
		t.Fatalf("got %v", err)
	}
}
