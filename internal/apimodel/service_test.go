package apimodel

import (
	"slices"
	"strings"
	"testing"
)

func TestCognitoIdentityService(t *testing.T) {
	svc, err := CognitoIdentityService()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(svc.Operations); n != 23 {
		t.Fatalf("%d operations, want 23", n)
	}
	var unsigned []string
	for _, name := range svc.OperationNames() {
		if svc.Operations[name].Unsigned {
			unsigned = append(unsigned, name)
		}
	}
	// AWS's documented unsigned operations (Cognito API reference).
	want := []string{"GetCredentialsForIdentity", "GetId", "GetOpenIdToken", "UnlinkIdentity"}
	if !slices.Equal(unsigned, want) {
		t.Errorf("unsigned %v, want %v", unsigned, want)
	}
	if p := svc.Operations["ListIdentityPools"].Paginator; p == nil || p.InputToken != "NextToken" || p.LimitKey != "MaxResults" {
		t.Errorf("ListIdentityPools paginator %+v", p)
	}
	in := svc.Shapes[svc.Operations["GetId"].Input]
	var names []string
	for _, m := range in.Members {
		names = append(names, m.Name)
	}
	// Model order, not map order: botocore lists AccountId first.
	if !slices.Equal(names, []string{"AccountId", "IdentityPoolId", "Logins"}) {
		t.Errorf("GetIdInput members %v", names)
	}
	if errs := svc.Operations["GetId"].Errors; !slices.IsSorted(errs) || !slices.Contains(errs, "TooManyRequestsException") {
		t.Errorf("GetId errors %v", errs)
	}
}

func TestLoadRefusesDanglingReferences(t *testing.T) {
	cases := map[string]string{
		"member":   `{"operations":{"A":{"input":{"shape":"In"}}},"shapes":{"In":{"type":"structure","members":{"X":{"shape":"Nope"}}}}}`,
		"input":    `{"operations":{"A":{"input":{"shape":"Nope"}}},"shapes":{}}`,
		"error":    `{"operations":{"A":{"errors":[{"shape":"Nope"}]}},"shapes":{}}`,
		"list":     `{"operations":{"A":{}},"shapes":{"L":{"type":"list","member":{"shape":"Nope"}}}}`,
		"no ops":   `{"operations":{},"shapes":{}}`,
		"not json": `{"operations":`,
	}
	for name, doc := range cases {
		if _, err := Load([]byte(doc), nil); err == nil || !strings.HasPrefix(err.Error(), "apimodel:") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
