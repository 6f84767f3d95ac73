package policy

import (
	"errors"
	"testing"
)

const pool = "us-east-1:12345678-dead-beef-cafe-123456790ab"

// Trust policies from AWS's "Role trust and permissions" and "Attributes for
// access control" developer-guide pages.
const (
	unauthTrust = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"cognito-identity.amazonaws.com:aud": "` + pool + `"},
      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}
    }
  }]
}`
	facebookTrust = `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"cognito-identity.amazonaws.com:aud": "` + pool + `"},
      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "graph.facebook.com"}
    }
  }
}`
	tagTrust = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
    "Condition": {
      "StringEquals": {"cognito-identity.amazonaws.com:aud": ["` + pool + `", "us-east-1:other"]},
      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}
    }
  }]
}`
	denySubTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"Federated": ["accounts.google.com", "cognito-identity.amazonaws.com"]},
     "Action": "sts:*", "Condition": {"StringLike": {"cognito-identity.amazonaws.com:aud": "us-east-1:*"}}},
    {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
     "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:sub": "us-east-1:banned"}}}
  ]
}`
)

func req(aud, sub string, amr ...string) Request {
	return Request{
		PrincipalType: "Federated",
		Principals:    []string{"cognito-identity.amazonaws.com"},
		Action:        "sts:AssumeRoleWithWebIdentity",
		Context: map[string][]string{
			"cognito-identity.amazonaws.com:aud": {aud},
			"cognito-identity.amazonaws.com:sub": {sub},
			"cognito-identity.amazonaws.com:amr": amr,
		},
	}
}

func TestTrustPolicies(t *testing.T) {
	fb := []string{"authenticated", "graph.facebook.com", "graph.facebook.com:123:456"}
	other := req(pool, "us-east-1:u")
	other.Principals = []string{"accounts.example.com"}
	tagged := req(pool, "us-east-1:u", "authenticated")
	tagged.Action = "sts:TagSession"
	cases := []struct {
		name   string
		policy string
		r      Request
		want   Decision
	}{
		{"guest allowed", unauthTrust, req(pool, "us-east-1:u", "unauthenticated"), Allow},
		{"authenticated refused by amr", unauthTrust, req(pool, "us-east-1:u", fb...), ImplicitDeny},
		{"other pool refused by aud", unauthTrust, req("us-east-1:other-pool", "us-east-1:u", "unauthenticated"), ImplicitDeny},
		{"missing amr refused", unauthTrust, Request{PrincipalType: "Federated", Principals: []string{"cognito-identity.amazonaws.com"}, Action: "sts:AssumeRoleWithWebIdentity", Context: map[string][]string{"cognito-identity.amazonaws.com:aud": {pool}}}, ImplicitDeny},
		{"facebook user allowed", facebookTrust, req(pool, "us-east-1:u", fb...), Allow},
		{"guest refused facebook role", facebookTrust, req(pool, "us-east-1:u", "unauthenticated"), ImplicitDeny},
		{"wrong principal", facebookTrust, other, ImplicitDeny},
		{"wrong action", facebookTrust, func() Request { r := req(pool, "u", fb...); r.Action = "sts:AssumeRole"; return r }(), ImplicitDeny},
		{"aud list second value", tagTrust, req("us-east-1:other", "u", "authenticated"), Allow},
		{"tag session allowed", tagTrust, tagged, Allow},
		{"tag session not in facebook trust", facebookTrust, func() Request { r := req(pool, "u", fb...); r.Action = "sts:TagSession"; return r }(), ImplicitDeny},
		{"wildcard action and aud", denySubTrust, req(pool, "us-east-1:fine"), Allow},
		{"explicit deny wins", denySubTrust, req(pool, "us-east-1:banned"), ExplicitDeny},
		{"action case-insensitive", denySubTrust, func() Request { r := req(pool, "x"); r.Action = "STS:assumerolewithwebidentity"; return r }(), Allow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := ParseTrust([]byte(c.policy))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Evaluate(c.r); got != c.want {
				t.Fatalf("Evaluate = %v, want %v", got, c.want)
			}
		})
	}
}

func TestAllowsNeedsEveryAction(t *testing.T) {
	fb, _ := ParseTrust([]byte(facebookTrust))
	tg, _ := ParseTrust([]byte(tagTrust))
	r := req(pool, "u", "authenticated", "graph.facebook.com")
	if fb.Allows(r, "sts:AssumeRoleWithWebIdentity", "sts:TagSession") {
		t.Fatal("facebook trust has no sts:TagSession")
	}
	if !tg.Allows(r, "sts:AssumeRoleWithWebIdentity", "sts:TagSession") {
		t.Fatal("tag trust should allow both")
	}
	if tg.Allows(r) {
		t.Fatal("no actions must not be allowed")
	}
}

func TestConditionOperators(t *testing.T) {
	cases := []struct {
		cond    string
		ctx     map[string][]string
		want    bool
		comment string
	}{
		{`{"StringEquals": {"k": "a"}}`, map[string][]string{"k": {"a"}}, true, ""},
		{`{"StringEquals": {"K": "a"}}`, map[string][]string{"k": {"a"}}, true, "keys are case-insensitive"},
		{`{"StringEquals": {"k": "A"}}`, map[string][]string{"k": {"a"}}, false, "values are not"},
		{`{"StringEquals": {"k": "a"}}`, nil, false, "missing key"},
		{`{"StringNotEquals": {"k": "a"}}`, nil, true, "negated on missing key"},
		{`{"StringNotEquals": {"k": ["a", "b"]}}`, map[string][]string{"k": {"b"}}, false, ""},
		{`{"StringNotEquals": {"k": ["a", "b"]}}`, map[string][]string{"k": {"c"}}, true, ""},
		{`{"StringEqualsIgnoreCase": {"k": "ABC"}}`, map[string][]string{"k": {"abc"}}, true, ""},
		{`{"StringNotEqualsIgnoreCase": {"k": "ABC"}}`, map[string][]string{"k": {"abc"}}, false, ""},
		{`{"StringLike": {"k": "us-*:??"}}`, map[string][]string{"k": {"us-east-1:ab"}}, true, ""},
		{`{"StringLike": {"k": "us-*:??"}}`, map[string][]string{"k": {"us-east-1:abc"}}, false, ""},
		{`{"StringNotLike": {"k": "*admin*"}}`, map[string][]string{"k": {"root-admin-x"}}, false, ""},
		{`{"StringNotLike": {"k": "*admin*"}}`, map[string][]string{"k": {"user"}}, true, ""},
		{`{"StringEqualsIfExists": {"k": "a"}}`, nil, true, "IfExists on missing key"},
		{`{"StringEqualsIfExists": {"k": "a"}}`, map[string][]string{"k": {"b"}}, false, ""},
		{`{"Null": {"k": "true"}}`, nil, true, ""},
		{`{"Null": {"k": "true"}}`, map[string][]string{"k": {"x"}}, false, ""},
		{`{"Null": {"k": false}}`, map[string][]string{"k": {"x"}}, true, "bool literal"},
		{`{"ForAnyValue:StringEquals": {"k": ["x", "y"]}}`, map[string][]string{"k": {"a", "y"}}, true, ""},
		{`{"ForAnyValue:StringEquals": {"k": "x"}}`, nil, false, "ForAnyValue on missing key"},
		{`{"ForAllValues:StringEquals": {"k": ["x", "y"]}}`, map[string][]string{"k": {"x", "y"}}, true, ""},
		{`{"ForAllValues:StringEquals": {"k": ["x", "y"]}}`, map[string][]string{"k": {"x", "z"}}, false, ""},
		{`{"ForAllValues:StringEquals": {"k": "x"}}`, nil, true, "ForAllValues on missing key is vacuously true"},
		{`{"ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost*"]}}`, map[string][]string{"aws:TagKeys": {"team", "costcenter"}}, true, ""},
		{`{"ForAnyValue:StringNotEquals": {"k": "x"}}`, map[string][]string{"k": {"x", "y"}}, true, ""},
		{`{"StringEquals": {"k": "a"}, "StringLike": {"j": "b*"}}`, map[string][]string{"k": {"a"}, "j": {"c"}}, false, "operators are ANDed"},
		{`{"Bool": {"k": "true"}}`, map[string][]string{"k": {"true"}}, true, ""},
		{`{"NumericLessThan": {"k": "3"}}`, map[string][]string{"k": {"1"}}, false, "unsupported operators never match"},
		{`{"StringEquals": {"aws:RequestTag/team": "blue"}}`, map[string][]string{"aws:requesttag/team": {"blue"}}, true, ""},
	}
	for _, c := range cases {
		doc := `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*", "Condition": ` + c.cond + `}}`
		d, err := ParseTrust([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", c.cond, err)
		}
		got := d.Evaluate(Request{PrincipalType: "Federated", Action: "sts:AssumeRoleWithWebIdentity", Context: c.ctx}) == Allow
		if got != c.want {
			t.Errorf("%s with %v = %v, want %v %s", c.cond, c.ctx, got, c.want, c.comment)
		}
	}
}

func TestMalformed(t *testing.T) {
	cases := map[string]string{
		`{`:                         "This policy contains invalid Json",
		`[]`:                        "Syntax errors in policy.",
		`{"Version": "2012-10-17"}`: "Syntax errors in policy.",
		`{"Statement": []}`:         "Syntax errors in policy.",
		`{"Statement": {"Effect": "Maybe", "Principal": "*", "Action": "sts:*"}}`:                                   "Syntax errors in policy.",
		`{"Statement": {"Effect": "Allow", "Principal": "*"}}`:                                                      "Syntax errors in policy.",
		`{"Statement": {"Effect": "Allow", "Action": "sts:*"}}`:                                                     "Missing required field Principal",
		`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*", "Resource": "*"}}`:                  "Has prohibited field Resource",
		`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*", "Condition": {"Foo": {"k": "v"}}}}`: "Invalid Condition type : Foo",
		`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*", "Bogus": 1}}`:                       "Syntax errors in policy.",
		`{"Version": "2020-01-01", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*"}}`:          "The policy failed legacy parsing",
	}
	for doc, want := range cases {
		_, err := ParseTrust([]byte(doc))
		var pe *Error
		if !errors.As(err, &pe) || pe.Message != want {
			t.Errorf("ParseTrust(%s) = %v, want %q", doc, err, want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		s, p string
		want bool
	}{
		{"", "", true}, {"", "*", true}, {"a", "", false}, {"abc", "a*c", true}, {"abc", "a?c", true},
		{"ac", "a?c", false}, {"aXbXc", "a*b*c", true}, {"aXbX", "a*b*c", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*c", false}, {"é", "?", true},
	}
	for _, c := range cases {
		if got := wildcardMatch(c.s, c.p); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.s, c.p, got)
		}
	}
}

// TestUnrestricted: which trust policies let every identity pool in (IAM
// refuses them for cognito-identity.amazonaws.com, issue 15).
func TestUnrestricted(t *testing.T) {
	const cognito, aud, action = "cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud", "sts:AssumeRoleWithWebIdentity"
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }
	fed := `"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"`
	for _, tc := range []struct {
		name, doc string
		open      bool
	}{
		{"no condition", stmt(`{` + fed + `}`), true},
		{"amr only", stmt(`{` + fed + `,"Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}`), true},
		{"aud StringEquals", unauthTrust, false},
		{"aud key in other case", stmt(`{` + fed + `,"Condition":{"StringEquals":{"Cognito-Identity.amazonaws.com:AUD":"` + pool + `"}}}`), false},
		{"aud StringLike prefix", denySubTrust, false},
		{"aud ForAnyValue:StringEquals", stmt(`{` + fed + `,"Condition":{"ForAnyValue:StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"}}}`), false},
		{"aud StringLike star", stmt(`{` + fed + `,"Condition":{"StringLike":{"cognito-identity.amazonaws.com:aud":"*"}}}`), true},
		{"aud StringNotEquals", stmt(`{` + fed + `,"Condition":{"StringNotEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"}}}`), true},
		{"aud Null false", stmt(`{` + fed + `,"Condition":{"Null":{"cognito-identity.amazonaws.com:aud":"false"}}}`), true},
		{"aud numeric", stmt(`{` + fed + `,"Condition":{"NumericEquals":{"cognito-identity.amazonaws.com:aud":"1"}}}`), true},
		{"Federated star", stmt(`{"Effect":"Allow","Principal":{"Federated":"*"},"Action":"sts:AssumeRoleWithWebIdentity"}`), true},
		{"Principal star, sts:*", stmt(`{"Effect":"Allow","Principal":"*","Action":"sts:*"}`), true},
		{"NotAction sts:AssumeRole", stmt(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"NotAction":"sts:AssumeRole"}`), true},
		{"other action", stmt(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRole"}`), false},
		{"other principal", stmt(`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`), false},
		{"Deny only", stmt(`{"Effect":"Deny","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`), false},
		{"one good one open", stmt(`{` + fed + `,"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"}}},{` + fed + `}`), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseTrust([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Unrestricted("Federated", []string{cognito}, action, aud); got != tc.open {
				t.Fatalf("Unrestricted = %v, want %v", got, tc.open)
			}
		})
	}
}

// TestRequireKeys: with RequireKeys an Allow counts only with a restricting
// condition on one of them; a Deny still applies.
func TestRequireKeys(t *testing.T) {
	open, err := ParseTrust([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	strict, err := ParseTrust([]byte(unauthTrust))
	if err != nil {
		t.Fatal(err)
	}
	r := req(pool, "us-east-1:someone", "unauthenticated")
	if open.Evaluate(r) != Allow || strict.Evaluate(r) != Allow {
		t.Fatal("both allow without RequireKeys")
	}
	r.RequireKeys = []string{"cognito-identity.amazonaws.com:aud"}
	if got := open.Evaluate(r); got != ImplicitDeny {
		t.Fatalf("aud-less policy with RequireKeys: %v, want ImplicitDeny", got)
	}
	if got := strict.Evaluate(r); got != Allow {
		t.Fatalf("aud policy with RequireKeys: %v, want Allow", got)
	}
}
