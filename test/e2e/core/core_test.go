// Package core drives a real idpool process over HTTP with the AWS SDK for
// Go v2 and the aws CLI: every Cognito Identity operation's success path and
// main errors, pagination, account isolation and restarts.
package core

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// wantCode fails unless err is an API error with code (and message, if set).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func createPool(t *testing.T, c *ci.Client, name string, guests bool) *ci.CreateIdentityPoolOutput {
	t.Helper()
	out, err := c.CreateIdentityPool(context.Background(), &ci.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String(name),
		AllowUnauthenticatedIdentities: guests,
		DeveloperProviderName:          aws.String("login.example.dev"),
		IdentityPoolTags:               map[string]string{"env": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPoolOperations(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	c := s.Cognito()
	p := createPool(t, c, "core pool", true)
	if !strings.HasPrefix(*p.IdentityPoolId, "us-east-1:") || p.IdentityPoolTags["env"] != "test" {
		t.Fatalf("create: %+v", p)
	}
	d, err := c.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil || *d.IdentityPoolName != "core pool" || !d.AllowUnauthenticatedIdentities || *d.DeveloperProviderName != "login.example.dev" {
		t.Fatalf("describe: %+v %v", d, err)
	}
	u, err := c.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: aws.String("renamed"),
		AllowClassicFlow: aws.Bool(false), SupportedLoginProviders: map[string]string{"graph.facebook.com": "12345"}})
	if err != nil || *u.IdentityPoolName != "renamed" || u.AllowUnauthenticatedIdentities || !(u.AllowClassicFlow != nil && !*u.AllowClassicFlow) {
		t.Fatalf("update: %+v %v", u, err)
	}
	_, err = c.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: aws.String("x"), DeveloperProviderName: aws.String("other.dev")})
	wantCode(t, err, "InvalidParameterException", "")

	_, err = c.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles:        map[string]string{"authenticated": "arn:aws:iam::000000000000:role/Auth"},
		RoleMappings: map[string]types.RoleMapping{"graph.facebook.com": {Type: types.RoleMappingTypeToken, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole}}})
	if err != nil {
		t.Fatal(err)
	}
	roles, err := c.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil || roles.Roles["authenticated"] != "arn:aws:iam::000000000000:role/Auth" || roles.RoleMappings["graph.facebook.com"].Type != types.RoleMappingTypeToken {
		t.Fatalf("roles: %+v %v", roles, err)
	}
	_, err = c.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{},
		RoleMappings: map[string]types.RoleMapping{"accounts.google.com": {Type: types.RoleMappingTypeToken, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeDeny}}})
	wantCode(t, err, "InvalidParameterException", "accounts.google.com is not a valid RoleMapping ProviderName or is not a configured provider.")

	pt, err := c.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: aws.String("graph.facebook.com"),
		PrincipalTags: map[string]string{"user": "sub"}})
	if err != nil || pt.PrincipalTags["user"] != "sub" {
		t.Fatalf("principal tags: %+v %v", pt, err)
	}
	gpt, err := c.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: aws.String("graph.facebook.com")})
	if err != nil || gpt.PrincipalTags["user"] != "sub" {
		t.Fatalf("principal tags: %+v %v", gpt, err)
	}

	arn := "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + *p.IdentityPoolId
	if _, err := c.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "core"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ci.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "core" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	_, err = c.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:s3:::not-a-pool-arn")})
	wantCode(t, err, "InvalidParameterException", "")

	if _, err := c.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: p.IdentityPoolId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	wantCode(t, err, "ResourceNotFoundException", "IdentityPool '"+*p.IdentityPoolId+"' not found.")
}

func TestIdentityOperations(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	c, anon := s.Cognito(), s.Anonymous(harness.Region)
	p := createPool(t, c, "identities", true)

	g, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil || !strings.HasPrefix(*g.IdentityId, "us-east-1:") {
		t.Fatalf("GetId: %+v %v", g, err)
	}
	tok, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: g.IdentityId})
	if err != nil || *tok.IdentityId != *g.IdentityId || strings.Count(*tok.Token, ".") != 2 {
		t.Fatalf("GetOpenIdToken: %+v %v", tok, err)
	}
	_, err = anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-0000-0000-000000000000")})
	wantCode(t, err, "ResourceNotFoundException", "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.")
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: aws.String("us-east-1:0190a000-0000-7000-8000-000000000000")})
	wantCode(t, err, "ResourceNotFoundException", "Identity 'us-east-1:0190a000-0000-7000-8000-000000000000' not found.")
	// No roles yet: the enhanced flow can't vend credentials.
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: g.IdentityId})
	wantCode(t, err, "InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")

	// Developer identities.
	dev, err := c.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: p.IdentityPoolId,
		Logins: map[string]string{"login.example.dev": "user-1"}, TokenDuration: aws.Int64(60)})
	if err != nil || *dev.Token == "" {
		t.Fatalf("dev token: %+v %v", dev, err)
	}
	dev2, err := c.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: p.IdentityPoolId,
		IdentityId: g.IdentityId, Logins: map[string]string{"login.example.dev": "user-2"}})
	if err != nil || *dev2.IdentityId != *g.IdentityId {
		t.Fatalf("dev token for guest: %+v %v", dev2, err)
	}
	_, err = c.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: p.IdentityPoolId,
		IdentityId: g.IdentityId, Logins: map[string]string{"login.example.dev": "user-1"}})
	wantCode(t, err, "DeveloperUserAlreadyRegisteredException", "")
	// The guest is now authenticated: no token without a login.
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: g.IdentityId})
	wantCode(t, err, "NotAuthorizedException", "Access to Identity '"+*g.IdentityId+"' is forbidden.")

	look, err := c.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: p.IdentityPoolId, DeveloperUserIdentifier: aws.String("user-2")})
	if err != nil || *look.IdentityId != *g.IdentityId || len(look.DeveloperUserIdentifierList) != 1 {
		t.Fatalf("lookup: %+v %v", look, err)
	}
	_, err = c.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: p.IdentityPoolId, IdentityId: g.IdentityId, DeveloperUserIdentifier: aws.String("user-1")})
	wantCode(t, err, "ResourceConflictException", "")
	m, err := c.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: p.IdentityPoolId, DeveloperProviderName: aws.String("login.example.dev"),
		SourceUserIdentifier: aws.String("user-2"), DestinationUserIdentifier: aws.String("user-1")})
	if err != nil || *m.IdentityId != *dev.IdentityId {
		t.Fatalf("merge: %+v %v", m, err)
	}
	if _, err := c.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: p.IdentityPoolId, IdentityId: dev.IdentityId,
		DeveloperProviderName: aws.String("login.example.dev"), DeveloperUserIdentifier: aws.String("user-2")}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: dev.IdentityId})
	if err != nil || len(desc.Logins) != 1 || desc.Logins[0] != "login.example.dev" || desc.CreationDate == nil {
		t.Fatalf("describe identity: %+v %v", desc, err)
	}
	// UnlinkIdentity with a login that is not the identity's.
	_, err = anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: dev.IdentityId, Logins: map[string]string{"graph.facebook.com": "not-a-token"}, LoginsToRemove: []string{"graph.facebook.com"}})
	if err == nil {
		t.Fatal("UnlinkIdentity accepted an unverifiable login")
	}

	hidden, err := c.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(60), HideDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range hidden.Identities {
		if *id.IdentityId == *g.IdentityId {
			t.Fatal("merged (disabled) identity listed with HideDisabled")
		}
	}
	del, err := c.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{*dev.IdentityId}})
	if err != nil || len(del.UnprocessedIdentityIds) != 0 {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = c.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: dev.IdentityId})
	wantCode(t, err, "ResourceNotFoundException", "Identity '"+*dev.IdentityId+"' not found.")

	// Guests switched off.
	if _, err := c.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: aws.String("identities")}); err != nil {
		t.Fatal(err)
	}
	_, err = anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	wantCode(t, err, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
}

func TestPagination(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	c, anon := s.Cognito(), s.Anonymous(harness.Region)
	p := createPool(t, c, "paging", true)
	want := map[string]bool{}
	for i := 0; i < 130; i++ {
		g, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
		if err != nil {
			t.Fatal(err)
		}
		want[*g.IdentityId] = true
	}
	seen := map[string]int{}
	var token *string
	var first string
	for pages := 0; ; pages++ {
		out, err := c.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(7), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Identities) > 7 {
			t.Fatalf("page of %d", len(out.Identities))
		}
		for _, id := range out.Identities {
			seen[*id.IdentityId]++
		}
		if out.NextToken == nil {
			break
		}
		if first == "" {
			first = *out.NextToken
		}
		token = out.NextToken
	}
	for id := range want {
		if seen[id] != 1 {
			t.Fatalf("identity %s seen %d times", id, seen[id])
		}
	}
	if len(seen) != 130 {
		t.Fatalf("%d identities listed", len(seen))
	}
	// Tampered or foreign tokens are refused.
	tampered := first[:len(first)-2] + "AA"
	if tampered == first {
		tampered = first[:len(first)-2] + "BB"
	}
	_, err := c.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(7), NextToken: aws.String(tampered)})
	wantCode(t, err, "InvalidParameterException", "")
	other := createPool(t, c, "other", true)
	_, err = c.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: other.IdentityPoolId, MaxResults: aws.Int32(7), NextToken: aws.String(first)})
	wantCode(t, err, "InvalidParameterException", "")

	// ListIdentityPools with the SDK paginator.
	pager := ci.NewListIdentityPoolsPaginator(c, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(1)})
	n := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.IdentityPools)
	}
	if n != 2 {
		t.Fatalf("%d pools listed", n)
	}
}

const twoAccounts = `accounts:
- id: "111111111111"
  keys: [{accessKeyId: AKIDA, secretAccessKey: SA}]
- id: "222222222222"
  keys: [{accessKeyId: AKIDB, secretAccessKey: SB}]
`

func TestAccountIsolationAndRestart(t *testing.T) {
	s := harness.Start(t, harness.Options{Config: twoAccounts})
	ctx := context.Background()
	a, b := s.CognitoAs("AKIDA", "SA", harness.Region), s.CognitoAs("AKIDB", "SB", harness.Region)
	p := createPool(t, a, "account a", true)
	_, err := b.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	wantCode(t, err, "ResourceNotFoundException", "IdentityPool '"+*p.IdentityPoolId+"' not found.")
	_, err = b.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	wantCode(t, err, "ResourceNotFoundException", "")
	listB, err := b.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil || len(listB.IdentityPools) != 0 {
		t.Fatalf("account b sees %+v %v", listB, err)
	}
	// Another region of the same account sees nothing either.
	_, err = s.CognitoAs("AKIDA", "SA", "eu-west-1").DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	wantCode(t, err, "ResourceNotFoundException", "")
	// Unsigned GetId works for anyone who knows the pool id; AccountId must match.
	anon := s.Anonymous(harness.Region)
	g, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, AccountId: aws.String("111111111111")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, AccountId: aws.String("222222222222")})
	wantCode(t, err, "ResourceNotFoundException", "")
	_, err = b.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: g.IdentityId})
	wantCode(t, err, "ResourceNotFoundException", "")

	s.Restart()
	d, err := a.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	if err != nil || *d.IdentityPoolName != "account a" {
		t.Fatalf("after restart: %+v %v", d, err)
	}
	if _, err := a.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: g.IdentityId}); err != nil {
		t.Fatalf("identity lost in restart: %v", err)
	}
}
