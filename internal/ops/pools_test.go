package ops

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/sts"
)

func TestPoolLifecycleAndIsolation(t *testing.T) {
	f := newFixture(t, Limits{PoolsPerAccount: 2})
	p := f.pool("first")
	if !strings.HasPrefix(p.IdentityPoolId, "us-east-1:") || strings.ToLower(p.IdentityPoolId) != p.IdentityPoolId {
		t.Fatalf("pool id %q", p.IdentityPoolId)
	}
	got, err := f.svc.DescribeIdentityPool(f.ctx, f.caller, &poolIDInput{p.IdentityPoolId})
	if err != nil || got.IdentityPoolName != "first" || got.DeveloperProviderName != "login.dev" {
		t.Fatalf("describe: %+v %v", got, err)
	}
	// Another account, or the same account in another region, sees nothing.
	for _, c := range []*struct{ acct, region string }{{"111111111111", "us-east-1"}, {"000000000000", "eu-west-1"}} {
		_, err := f.svc.DescribeIdentityPool(f.ctx, signed(c.acct, c.region), &poolIDInput{p.IdentityPoolId})
		wantErr(t, err, apierr.ResourceNotFound, "IdentityPool '"+p.IdentityPoolId+"' not found.")
		_, err = f.svc.DeleteIdentityPool(f.ctx, signed(c.acct, c.region), &poolIDInput{p.IdentityPoolId})
		wantErr(t, err, apierr.ResourceNotFound, "")
	}
	// Update is a full replace, but keeps the developer provider name.
	up, err := f.svc.UpdateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: "renamed"})
	if err != nil || up.IdentityPoolName != "renamed" || up.AllowUnauthenticatedIdentities || up.SupportedLoginProviders != nil || up.DeveloperProviderName != "login.dev" {
		t.Fatalf("update: %+v %v", up, err)
	}
	_, err = f.svc.UpdateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: "x", DeveloperProviderName: "other.dev"})
	wantErr(t, err, apierr.InvalidParameter, "")

	f.pool("second")
	_, err = f.svc.CreateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolName: "third"})
	wantErr(t, err, apierr.LimitExceeded, "")
	// The limit is per account and region.
	if _, err := f.svc.CreateIdentityPool(f.ctx, signed("000000000000", "eu-west-1"), &poolJSON{IdentityPoolName: "third"}); err != nil {
		t.Fatal(err)
	}

	if _, err := f.svc.DeleteIdentityPool(f.ctx, f.caller, &poolIDInput{p.IdentityPoolId}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.DescribeIdentityPool(f.ctx, f.caller, &poolIDInput{p.IdentityPoolId})
	wantErr(t, err, apierr.ResourceNotFound, "")
}

func TestPoolIAMProvidersMustExist(t *testing.T) {
	f := newFixture(t, Limits{})
	arn := "arn:aws:iam::000000000000:oidc-provider/login.example.com"
	_, err := f.svc.CreateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolName: "p", OpenIdConnectProviderARNs: []string{arn}})
	wantErr(t, err, apierr.InvalidParameter, "")
	err = f.store.Update(f.ctx, func(tx storage.Tx) error {
		return tx.PutResource(&storage.Resource{AccountID: "000000000000", Kind: iam.KindOIDCProvider, Name: "login.example.com", Doc: []byte("{}")})
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.CreateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolName: "p", OpenIdConnectProviderARNs: []string{arn}})
	if err != nil || len(p.OpenIdConnectProviderARNs) != 1 {
		t.Fatalf("%+v %v", p, err)
	}
	// Another account's provider of the same name is not ours.
	_, err = f.svc.CreateIdentityPool(f.ctx, signed("111111111111", "us-east-1"), &poolJSON{IdentityPoolName: "p", OpenIdConnectProviderARNs: []string{arn}})
	wantErr(t, err, apierr.InvalidParameter, "")
	_, err = f.svc.CreateIdentityPool(f.ctx, f.caller, &poolJSON{IdentityPoolName: "p", SamlProviderARNs: []string{"arn:aws:iam::000000000000:saml-provider/corp"}})
	wantErr(t, err, apierr.InvalidParameter, "")
}

func TestListIdentityPoolsPaging(t *testing.T) {
	f := newFixture(t, Limits{})
	want := map[string]bool{}
	for i := 0; i < 23; i++ {
		want[f.pool("p").IdentityPoolId] = true
	}
	f.svc.CreateIdentityPool(f.ctx, signed("111111111111", "us-east-1"), &poolJSON{IdentityPoolName: "other"})
	seen := map[string]int{}
	token, pages := "", 0
	for {
		out, err := f.svc.ListIdentityPools(f.ctx, f.caller, &listPoolsInput{MaxResults: 5, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if pages == 2 {
			// A pool created while paging must not make another appear twice.
			want[f.pool("late").IdentityPoolId] = false
		}
		for _, p := range out.IdentityPools {
			seen[p.IdentityPoolId]++
		}
		if out.NextToken == "" {
			break
		}
		if pages == 1 {
			// The token is bound to its account and can't be edited.
			_, err := f.svc.ListIdentityPools(f.ctx, signed("111111111111", "us-east-1"), &listPoolsInput{MaxResults: 5, NextToken: out.NextToken})
			wantErr(t, err, apierr.InvalidParameter, "")
			_, err = f.svc.ListIdentityPools(f.ctx, f.caller, &listPoolsInput{MaxResults: 5, NextToken: "x" + out.NextToken})
			wantErr(t, err, apierr.InvalidParameter, "")
		}
		token = out.NextToken
	}
	for id, required := range want {
		if required && seen[id] != 1 {
			t.Errorf("pool %s seen %d times", id, seen[id])
		}
		if seen[id] > 1 {
			t.Errorf("pool %s seen %d times", id, seen[id])
		}
	}
	if len(seen) < 23 || pages != 5 {
		t.Fatalf("seen %d pools in %d pages", len(seen), pages)
	}
}

// With an external STS of another form, its role ARNs go wherever a role
// ARN goes, and AWS's form no longer does.
func TestRoleARNsOfTheSTS(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p")
	minio := "arn:minio:iam:::role/dfOt7WuF2i6bU4x0ZGrL5rBY1Ek"
	rules := func(arn string) *setRolesInput {
		return &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{},
			RoleMappings: map[string]roleMappingJSON{"graph.facebook.com": {Type: "Rules", AmbiguousRoleResolution: "Deny",
				RulesConfiguration: &rulesConfigJSON{Rules: []mappingRuleJSON{{Claim: "sub", MatchType: "Equals", Value: "alice", RoleARN: arn}}}}}}
	}
	roles := func(arn string) *setRolesInput {
		return &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"authenticated": arn}}
	}
	_, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, roles(minio))
	wantErr(t, err, apierr.InvalidParameter, "Invalid role ARN: '"+minio+"'.")
	_, err = f.svc.SetIdentityPoolRoles(f.ctx, f.caller, rules(minio))
	wantErr(t, err, apierr.InvalidParameter, "Invalid role ARN: '"+minio+"'.")

	var err2 error
	f.svc.roleARNs, err2 = sts.RoleARNs(sts.KindMinIO, "")
	if err2 != nil {
		t.Fatal(err2)
	}
	for _, in := range []*setRolesInput{roles(minio), rules(minio)} {
		if _, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, in); err != nil {
			t.Fatal(err)
		}
	}
	aws := "arn:aws:iam::000000000000:role/Auth"
	_, err = f.svc.SetIdentityPoolRoles(f.ctx, f.caller, roles(aws))
	wantErr(t, err, apierr.InvalidParameter, "Invalid role ARN: '"+aws+"'.")
	// CustomRoleArn names the pool's role; the STS is asked for it.
	both := rules(minio)
	both.Roles = roles(minio).Roles
	both.RoleMappings["graph.facebook.com"] = roleMappingJSON{Type: "Rules", AmbiguousRoleResolution: "AuthenticatedRole", RulesConfiguration: both.RoleMappings["graph.facebook.com"].RulesConfiguration}
	if _, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, both); err != nil {
		t.Fatal(err)
	}
	a := f.mustGetID(p.IdentityPoolId, fb("alice"))
	if _, err := f.svc.GetCredentialsForIdentity(f.ctx, anon(), &getCredentialsInput{IdentityId: a, Logins: fb("alice"), CustomRoleArn: minio}); err != nil {
		t.Fatal(err)
	}
	if req := f.sts.reqs[len(f.sts.reqs)-1]; req.RoleARN != minio {
		t.Fatalf("role %s", req.RoleARN)
	}
}

func TestRolesAndMappings(t *testing.T) {
	f := newFixture(t, Limits{})
	p := f.pool("p", func(in *poolJSON) {
		in.CognitoIdentityProviders = []cognitoProviderJSON{{ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", ClientId: "client1"}}
	})
	auth := "arn:aws:iam::000000000000:role/Auth"
	_, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"authenticated": "not-an-arn-but-long-enough"}})
	wantErr(t, err, apierr.InvalidParameter, "")
	_, err = f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{},
		RoleMappings: map[string]roleMappingJSON{"unknown.example.com": {Type: "Token", AmbiguousRoleResolution: "Deny"}}})
	wantErr(t, err, apierr.InvalidParameter, "unknown.example.com is not a valid RoleMapping ProviderName or is not a configured provider.")
	_, err = f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{},
		RoleMappings: map[string]roleMappingJSON{"graph.facebook.com": {Type: "Rules", AmbiguousRoleResolution: "Deny"}}})
	wantErr(t, err, apierr.InvalidParameter, "")
	_, err = f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{},
		RoleMappings: map[string]roleMappingJSON{"graph.facebook.com": {Type: "Token"}}})
	wantErr(t, err, apierr.InvalidParameter, "")
	// Empty roles are accepted.
	if _, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	key := "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client1"
	in := &setRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"authenticated": auth},
		RoleMappings: map[string]roleMappingJSON{key: {Type: "Rules", AmbiguousRoleResolution: "AuthenticatedRole",
			RulesConfiguration: &rulesConfigJSON{Rules: []mappingRuleJSON{{Claim: "group", MatchType: "Equals", Value: "admin", RoleARN: auth}}}}}}
	if _, err := f.svc.SetIdentityPoolRoles(f.ctx, f.caller, in); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.GetIdentityPoolRoles(f.ctx, f.caller, &poolIDInput{p.IdentityPoolId})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(&getRolesOutput{IdentityPoolId: p.IdentityPoolId, Roles: in.Roles, RoleMappings: in.RoleMappings})
	if string(a) != string(b) {
		t.Fatalf("roles:\n%s\n%s", a, b)
	}
	_, err = f.svc.GetIdentityPoolRoles(f.ctx, signed("111111111111", "us-east-1"), &poolIDInput{p.IdentityPoolId})
	wantErr(t, err, apierr.ResourceNotFound, "")
}

func TestTagsAndPrincipalTags(t *testing.T) {
	f := newFixture(t, Limits{TagsPerPool: 3})
	p := f.pool("p", func(in *poolJSON) { in.IdentityPoolTags = map[string]string{"a": "1"} })
	arn := "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + p.IdentityPoolId
	if _, err := f.svc.TagResource(f.ctx, f.caller, &tagResourceInput{arn, map[string]string{"b": "2", "c": "3"}}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.TagResource(f.ctx, f.caller, &tagResourceInput{arn, map[string]string{"d": "4"}})
	wantErr(t, err, apierr.InvalidParameter, "")
	if _, err := f.svc.UntagResource(f.ctx, f.caller, &untagResourceInput{arn, []string{"a", "zz"}}); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.ListTagsForResource(f.ctx, f.caller, &resourceInput{arn})
	if err != nil || len(out.Tags) != 2 || out.Tags["b"] != "2" {
		t.Fatalf("%+v %v", out, err)
	}
	_, err = f.svc.ListTagsForResource(f.ctx, f.caller, &resourceInput{"arn:aws:s3:::bucket-name-long"})
	wantErr(t, err, apierr.InvalidParameter, "")
	_, err = f.svc.ListTagsForResource(f.ctx, signed("111111111111", "us-east-1"), &resourceInput{arn})
	wantErr(t, err, apierr.ResourceNotFound, "")
	foreign := strings.Replace(arn, "000000000000", "111111111111", 1)
	_, err = f.svc.ListTagsForResource(f.ctx, f.caller, &resourceInput{foreign})
	wantErr(t, err, apierr.ResourceNotFound, "")

	tags, err := f.svc.GetPrincipalTagAttributeMap(f.ctx, f.caller, &principalTagsInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: "graph.facebook.com"})
	if err != nil || tags.UseDefaults || len(tags.PrincipalTags) != 0 {
		t.Fatalf("%+v %v", tags, err)
	}
	yes := true
	set, err := f.svc.SetPrincipalTagAttributeMap(f.ctx, f.caller, &principalTagsInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: "graph.facebook.com", UseDefaults: &yes, PrincipalTags: map[string]string{"user": "sub"}})
	if err != nil || !set.UseDefaults {
		t.Fatalf("%+v %v", set, err)
	}
	tags, err = f.svc.GetPrincipalTagAttributeMap(f.ctx, f.caller, &principalTagsInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: "graph.facebook.com"})
	if err != nil || !tags.UseDefaults || tags.PrincipalTags["user"] != "sub" {
		t.Fatalf("%+v %v", tags, err)
	}
	_, err = f.svc.SetPrincipalTagAttributeMap(f.ctx, f.caller, &principalTagsInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: "nobody.example.com"})
	wantErr(t, err, apierr.InvalidParameter, "")
}

func TestOperationsTableAndJSON(t *testing.T) {
	f := newFixture(t, Limits{})
	ops := f.svc.Operations()
	if len(ops) != 23 {
		t.Fatalf("%d operations", len(ops))
	}
	byName := map[string]Operation{}
	unsigned := 0
	for _, o := range ops {
		byName[o.Name] = o
		if o.Unsigned {
			unsigned++
		}
	}
	if unsigned != 4 || !byName["GetId"].Unsigned || !byName["UnlinkIdentity"].Unsigned || byName["ListIdentities"].Unsigned {
		t.Fatal("wrong Unsigned flags")
	}
	out, err := byName["CreateIdentityPool"].Call(f.ctx, f.caller, []byte(`{"IdentityPoolName":"json","AllowUnauthenticatedIdentities":true}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"IdentityPoolName":"json","AllowUnauthenticatedIdentities":true,"IdentityPoolTags":{}`) || strings.Contains(string(b), "AllowClassicFlow") {
		t.Fatalf("create output %s", b)
	}
	id := out.(*poolJSON).IdentityPoolId
	idOut, err := byName["GetId"].Call(f.ctx, anon(), []byte(`{"IdentityPoolId":"`+id+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	desc, err := byName["DescribeIdentity"].Call(f.ctx, f.caller, []byte(`{"IdentityId":"`+idOut.(*identityIDOutput).IdentityId+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(desc)
	var m map[string]any
	json.Unmarshal(b, &m)
	if _, ok := m["CreationDate"].(float64); !ok || m["Logins"] != nil {
		t.Fatalf("describe output %s", b)
	}
	unit, err := byName["DeleteIdentityPool"].Call(f.ctx, f.caller, []byte(`{"IdentityPoolId":"`+id+`"}`))
	if b, _ := json.Marshal(unit); err != nil || string(b) != "{}" {
		t.Fatalf("%s %v", b, err)
	}
	_, err = byName["DescribeIdentityPool"].Call(f.ctx, f.caller, []byte(`{"IdentityPoolId":`))
	wantErr(t, err, apierr.Serialization, "")
}
