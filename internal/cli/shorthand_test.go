package cli

import (
	"bytes"
	"strings"
	"testing"
)

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// The cases follow the aws CLI's documented shorthand grammar
// (awscli/shorthand.py's docstrings and the user guide).
func TestShorthand(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a=b", `{ "a": "b" }`},
		{"a=b,c=d", `{ "a": "b", "c": "d" }`},
		{"a=b,c", `{ "a": [ "b", "c" ] }`},
		{"a=b,c,d=e", `{ "a": [ "b", "c" ], "d": "e" }`},
		{"a=[b,c],d=e", `{ "a": [ "b", "c" ], "d": "e" }`},
		{"a=[]", `{ "a": [] }`},
		{"a={b=c,d=e}", `{ "a": { "b": "c", "d": "e" } }`},
		{"a={b=[c,d]}", `{ "a": { "b": [ "c", "d" ] } }`},
		{"a=", `{ "a": "" }`},
		{`a="b,c"`, `{ "a": "b,c" }`},
		{`a='b,c',d=e`, `{ "a": "b,c", "d": "e" }`},
		{`a=b\,c`, `{ "a": "b,c" }`},
		{`a="it\"s"`, `{ "a": "it\"s" }`},
		{"a = b , c = d", `{ "a": "b", "c": "d" }`},
		{"graph.facebook.com=TOKEN,accounts.google.com=TOKEN2", `{ "graph.facebook.com": "TOKEN", "accounts.google.com": "TOKEN2" }`},
		{"authenticated=arn:aws:iam::1:role/A,unauthenticated=arn:aws:iam::1:role/U", `{ "authenticated": "arn:aws:iam::1:role/A", "unauthenticated": "arn:aws:iam::1:role/U" }`},
		{"cognito-idp.us-east-1.amazonaws.com/us-east-1_x:client=y", `{ "cognito-idp.us-east-1.amazonaws.com/us-east-1_x:client": "y" }`},
		{"a=b=c", `{ "a": "b=c" }`},
		{"a=ü", `{ "a": "ü" }`},
	}
	for _, c := range cases {
		got, err := parseShorthand(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if g := jsonOf(t, got); g != c.want {
			t.Errorf("%q: got %s, want %s", c.in, g, c.want)
		}
	}
}

func TestShorthandErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a", "Expected: '=', received: 'EOF' for input:\na\n ^"},
		{"a=b,a=c", "Second instance of key \"a\" encountered for input:\na=b,a=c\n    ^\nThis is often because there is a preceding \",\" instead of a space."},
		{"a=[b", "Expected: ',', received: 'EOF' for input:\na=[b\n    ^"},
		{"a={b}", "Expected: '=', received: '}' for input:\na={b}\n    ^"},
		{`a="b`, "Expected: '<double quoted>', received: '<none>' for input:\na=\"b\n  ^"},
	}
	for _, c := range cases {
		_, err := parseShorthand(c.in)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
}

// Shorthand values take the model's types, as awscli's BackCompatVisitor.
func TestUnpackArgUsesModel(t *testing.T) {
	m, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	create := m.byCLI["create-identity-pool"]
	providers := create.Input.member("CognitoIdentityProviders").Shape
	v, err := unpackArg("--cognito-identity-providers", providers, []string{"ProviderName=p1,ClientId=c1,ServerSideTokenCheck=true", "ProviderName=p2,ClientId=c2"})
	if err != nil {
		t.Fatal(err)
	}
	want := `[ { "ProviderName": "p1", "ClientId": "c1", "ServerSideTokenCheck": true }, { "ProviderName": "p2", "ClientId": "c2" } ]`
	if g := jsonOf(t, v); g != want {
		t.Errorf("got %s, want %s", g, want)
	}
	// JSON is taken as JSON.
	v, err = unpackArg("--supported-login-providers", create.Input.member("SupportedLoginProviders").Shape, []string{` {"a":"b"}`})
	if err != nil || jsonOf(t, v) != `{ "a": "b" }` {
		t.Errorf("JSON map: %v %v", v, err)
	}
	_, err = unpackArg("--supported-login-providers", create.Input.member("SupportedLoginProviders").Shape, []string{`{"a":`})
	if err == nil || !strings.Contains(err.Error(), "Invalid JSON: Expecting value: line 1 column 6 (char 5)") {
		t.Errorf("bad JSON error: %v", err)
	}
	// A top-level integer that is not one is argparse's error.
	dev := m.byCLI["get-open-id-token-for-developer-identity"]
	_, err = unpackArg("--token-duration", dev.Input.member("TokenDuration").Shape, []string{"abc"})
	if ue, ok := err.(*usageError); !ok || ue.msg != "argument --token-duration: invalid int value: 'abc'" {
		t.Errorf("bad int: %v", err)
	}
}
