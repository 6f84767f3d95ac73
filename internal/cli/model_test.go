package cli

import (
	"strings"
	"testing"
)

// The names botocore's xform_name gives (checked with botocore itself).
func TestXformName(t *testing.T) {
	for in, want := range map[string]string{
		"OpenIdConnectProviderARNs":          "open-id-connect-provider-arns",
		"SamlProviderARNs":                   "saml-provider-arns",
		"IdentityPoolId":                     "identity-pool-id",
		"GetOpenIdTokenForDeveloperIdentity": "get-open-id-token-for-developer-identity",
		"IdentityIdsToDelete":                "identity-ids-to-delete",
		"ListTagsForResource":                "list-tags-for-resource",
		"GetId":                              "get-id",
		"AllowUnauthenticatedIdentities":     "allow-unauthenticated-identities",
	} {
		if got := xformName(in); got != want {
			t.Errorf("xformName(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestModelHasEveryOperation(t *testing.T) {
	m, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	inv := invokers()
	if len(m.Operations) != 23 || len(inv) != 23 {
		t.Fatalf("%d operations in the model, %d invokers; want 23", len(m.Operations), len(inv))
	}
	for _, op := range m.Operations {
		if inv[op.Name] == nil {
			t.Errorf("no invoker for %s", op.Name)
		}
	}
	for _, n := range []string{"ListIdentityPools", "ListIdentities", "LookupDeveloperIdentity"} {
		if m.byCLI[xformName(n)].Paging == nil {
			t.Errorf("%s is not paginated", n)
		}
	}
}

// The skeleton the aws CLI prints for create-identity-pool.
func TestInputSkeleton(t *testing.T) {
	m, _ := loadModel()
	got := jsonOf(t, skeleton(m.byCLI["create-identity-pool"].Input, nil, "", false))
	want := `{ "IdentityPoolName": "", "AllowUnauthenticatedIdentities": true, "AllowClassicFlow": true, "SupportedLoginProviders": { "KeyName": "" }, "DeveloperProviderName": "", "OpenIdConnectProviderARNs": [ "" ], "CognitoIdentityProviders": [ { "ProviderName": "", "ClientId": "", "ServerSideTokenCheck": true } ], "SamlProviderARNs": [ "" ], "IdentityPoolTags": { "KeyName": "" } }`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	out := jsonOf(t, skeleton(m.byCLI["get-credentials-for-identity"].Output, nil, "", true))
	if !strings.Contains(out, `"Expiration": "1970-01-01T00:00:00"`) || !strings.Contains(out, `"AccessKeyId": "AccessKeyId"`) {
		t.Errorf("output skeleton: %s", out)
	}
}

func TestYAMLSkeleton(t *testing.T) {
	m, _ := loadModel()
	got := yamlSkeleton(m.byCLI["list-identities"].Input)
	want := "IdentityPoolId: ''  # [REQUIRED] An identity pool ID in the format REGION.\n" +
		"MaxResults: 0 # [REQUIRED] The maximum number of identities to return.\n" +
		"NextToken: '' # A pagination token.\n" +
		"HideDisabled: true # An optional boolean parameter that allows you to hide disabled identities.\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestValidateParams(t *testing.T) {
	m, _ := loadModel()
	in := m.byCLI["set-identity-pool-roles"].Input
	p := newObject()
	roles := newObject()
	roles.set("authenticated", "a")
	p.set("Roles", roles)
	p.set("Bogus", int64(1))
	got := validateParams(in, p)
	want := "Parameter validation failed:\n" +
		"Missing required parameter in input: \"IdentityPoolId\"\n" +
		"Unknown parameter in input: \"Bogus\", must be one of: IdentityPoolId, Roles, RoleMappings\n" +
		"Invalid length for parameter Roles.authenticated, value: 1, valid min length: 20"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// No operation option may be swallowed as an abbreviation of a global one.
func TestNoOptionAbbreviatesAGlobal(t *testing.T) {
	m, _ := loadModel()
	var globals []string
	for g := range globalFlags {
		globals = append(globals, g)
	}
	for _, op := range m.Operations {
		for _, s := range argTable(op) {
			if full, err := resolveAbbrev(s.flag, globals); full != "" || err != nil {
				t.Errorf("%s %s resolves to global %q (%v)", op.CLI, s.flag, full, err)
			}
		}
	}
}
