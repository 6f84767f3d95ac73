package stack

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrorsPointAtTheLine(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"unknown key", "IdentityPools:\n  - IdentityPoolName: a\n    AllowUnauth: true\n", `f.yaml:3: unknown key "AllowUnauth" in an identity pool (known keys: AllowClassicFlow, AllowUnauthenticatedIdentities, CognitoIdentityProviders, DeveloperProviderName, IdentityPoolId, IdentityPoolName, IdentityPoolTags, OpenIdConnectProviderARNs, PrincipalTags, RoleMappings, Roles, SamlProviderARNs, SupportedLoginProviders)`},
		{"unknown top key", "Pools: []\n", `f.yaml:1: unknown key "Pools" in the stack file`},
		{"wrong type", "IdentityPools:\n  - IdentityPoolName: a\n    AllowUnauthenticatedIdentities: maybe\n", "f.yaml:3: wrong type: a string where a boolean (true or false) is expected"},
		{"list for map", "IdentityPools:\n  - IdentityPoolName: a\n    Roles: [x]\n", "f.yaml:3: wrong type: a list where a mapping is expected"},
		{"bad name", "IdentityPools:\n  - IdentityPoolName: a\n  - IdentityPoolName: 'b!'\n", `f.yaml:3: IdentityPoolName "b!" must be`},
		{"bad id", "IdentityPools:\n  - IdentityPoolName: a\n    IdentityPoolId: us-east-1:NOT\n", `f.yaml:3: IdentityPoolId "us-east-1:NOT" must be REGION:uuid`},
		{"upper-case uuid", "IdentityPools:\n  - IdentityPoolName: a\n    IdentityPoolId: us-east-1:8F3C2A57-1B4E-4D2A-9C51-0B6F2D7E4A10\n", "f.yaml:3: IdentityPoolId"},
		{"id of another region", "Region: us-east-1\nIdentityPools:\n  - IdentityPoolName: a\n    IdentityPoolId: eu-west-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10\n", "f.yaml:4: IdentityPoolId \"eu-west-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10\" is in region eu-west-1, but the file's Region is us-east-1"},
		{"duplicate key", "IdentityPools: []\nIdentityPools: []\n", `f.yaml:2: mapping key "IdentityPools" already defined at line 1`},
		{"broken yaml", "IdentityPools: [\n", "f.yaml:1: did not find expected node content"},
		{"json type", "{\"IAM\": {\"Roles\": [\n {\"RoleName\": \"r\", \"MaxSessionDuration\": \"long\"}]}}", "f.yaml:2: wrong type: a string where a whole number is expected"},
		{"trust not json", "IAM:\n  Roles:\n    - RoleName: r\n      AssumeRolePolicyDocument: '{nope'\n", "f.yaml:4: AssumeRolePolicyDocument of role r is not valid JSON"},
		{"no trust", "IAM:\n  Roles:\n    - RoleName: r\n", "f.yaml:3: role r needs an AssumeRolePolicyDocument"},
		{"bad mapping type", "IdentityPools:\n  - IdentityPoolName: a\n    RoleMappings:\n      x: {Type: Sometimes}\n", `f.yaml:3: RoleMappings["x"].Type must be Token or Rules`},
		{"two documents", "IdentityPools: []\n---\nIdentityPools: []\n", "f.yaml:2: a stack file holds one document"},
		{"http oidc", "IAM:\n  OpenIDConnectProviders:\n    - Url: http://x\n", `f.yaml:3: Url "http://x" must begin with https://`},
		{"empty", "", "f.yaml: the file is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(c.text))
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a stack.Error", err)
			}
			if !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line starting %q", err, c.want)
			}
		})
	}
}

func TestParseAcceptsPolicyAsStructure(t *testing.T) {
	f, err := Parse("f.yaml", []byte("IAM:\n  Roles:\n    - RoleName: r\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(f.IAM.Roles[0].AssumeRolePolicyDocument); got != `{"Statement":[],"Version":"2012-10-17"}` {
		t.Errorf("policy = %s", got)
	}
	if f.IAM.Roles[0].at.line != 3 {
		t.Errorf("line = %d", f.IAM.Roles[0].at.line)
	}
}
