// Package terraform replays, with the AWS SDK for Go, the calls
// terraform-provider-aws makes for the resources an identity-pool stack
// uses (../shared/reference/terraform-calls.md, read from the provider's
// source): its start-up, aws_iam_openid_connect_provider, aws_iam_role
// with inline, managed and boundary policies and tags, aws_cognito_identity_pool,
// its roles attachment and principal tags, each through create, read,
// update and delete, checking each answer as the provider reads it.
package terraform

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

type clients struct {
	iam *awsiam.Client
	sts *sts.Client
	ci  *cognitoidentity.Client
}

func start(t *testing.T) clients {
	s := harness.Start(t, harness.Options{})
	creds := credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")
	return clients{
		iam: awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1}),
		sts: sts.New(sts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1}),
		ci:  s.Cognito(),
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// code is the AWS error code of err ("" for nil).
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Errorf("%s: error %q (%v), want %s", what, got, err, want)
	}
}

// The provider's start-up: GetCallerIdentity's Arn must parse (account and
// partition come from it), then GetUser, then ListRoles MaxItems=1.
func TestStartUp(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	who := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity")(c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	parts := strings.SplitN(aws.ToString(who.Arn), ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[4] != harness.DevAccount || aws.ToString(who.Account) != harness.DevAccount {
		t.Errorf("GetCallerIdentity: Arn %q Account %q", aws.ToString(who.Arn), aws.ToString(who.Account))
	}
	u := must[*awsiam.GetUserOutput](t, "GetUser")(c.iam.GetUser(ctx, &awsiam.GetUserInput{}))
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+harness.DevAccount+":root" || aws.ToString(u.User.UserId) != harness.DevAccount || u.User.CreateDate == nil {
		t.Errorf("GetUser: %+v", u.User)
	}
	_, err := c.iam.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})
	wantCode(t, "GetUser alice", err, "NoSuchEntity")
	must[*awsiam.ListRolesOutput](t, "ListRoles")(c.iam.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(1)}))
}

func TestOIDCProviderLifecycle(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	thumb1, thumb2 := strings.Repeat("a", 40), strings.Repeat("b", 40)
	out := must[*awsiam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(c.iam.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://login.example.com"), ClientIDList: []string{"app"}, ThumbprintList: []string{thumb1},
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
	}))
	arn := out.OpenIDConnectProviderArn
	must[*awsiam.UpdateOpenIDConnectProviderThumbprintOutput](t, "UpdateThumbprint")(c.iam.UpdateOpenIDConnectProviderThumbprint(ctx,
		&awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{thumb2}}))
	must[*awsiam.AddClientIDToOpenIDConnectProviderOutput](t, "AddClientID")(c.iam.AddClientIDToOpenIDConnectProvider(ctx,
		&awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("cli")}))
	must[*awsiam.RemoveClientIDFromOpenIDConnectProviderOutput](t, "RemoveClientID")(c.iam.RemoveClientIDFromOpenIDConnectProvider(ctx,
		&awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("app")}))
	// Removing a client id that is not there is no error (IAM: idempotent).
	must[*awsiam.RemoveClientIDFromOpenIDConnectProviderOutput](t, "RemoveClientID again")(c.iam.RemoveClientIDFromOpenIDConnectProvider(ctx,
		&awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("app")}))
	must[*awsiam.TagOpenIDConnectProviderOutput](t, "TagOpenIDConnectProvider")(c.iam.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("TEAM"), Value: aws.String("mobile")}, {Key: aws.String("env"), Value: aws.String("ci")}},
	}))
	must[*awsiam.UntagOpenIDConnectProviderOutput](t, "UntagOpenIDConnectProvider")(c.iam.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: arn, TagKeys: []string{"env"},
	}))
	tags := must[*awsiam.ListOpenIDConnectProviderTagsOutput](t, "ListOpenIDConnectProviderTags")(c.iam.ListOpenIDConnectProviderTags(ctx,
		&awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arn}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "TEAM" || aws.ToString(tags.Tags[0].Value) != "mobile" || tags.IsTruncated {
		t.Errorf("tags after tag (TEAM replaces team: keys ignore case) and untag: %+v", tags.Tags)
	}
	got := must[*awsiam.GetOpenIDConnectProviderOutput](t, "GetOpenIDConnectProvider")(c.iam.GetOpenIDConnectProvider(ctx,
		&awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}))
	if !slices.Equal(got.ClientIDList, []string{"cli"}) || !slices.Equal(got.ThumbprintList, []string{thumb2}) || len(got.Tags) != 1 {
		t.Errorf("GetOpenIDConnectProvider: clients %v thumbprints %v tags %+v", got.ClientIDList, got.ThumbprintList, got.Tags)
	}
	_, err := c.iam.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{"xyz"}})
	wantCode(t, "UpdateThumbprint xyz", err, "InvalidInput")
	must[*awsiam.DeleteOpenIDConnectProviderOutput](t, "DeleteOpenIDConnectProvider")(c.iam.DeleteOpenIDConnectProvider(ctx,
		&awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}))
	_, err = c.iam.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, "TagOpenIDConnectProvider after delete", err, "NoSuchEntity")
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:a+b"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]}`

// A policy with a "+" and a space: the provider URL-decodes IAM's answers,
// so they must come back encoded as IAM encodes them.
const permissions = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/a+b c/*"}]}`

func decoded(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("policy not URL-encoded: %v", err)
	}
	return d
}

func TestRoleLifecycle(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	const managed = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	const boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
	// Create: CreateRole (MaxSessionDuration always sent), then the policies.
	must[*awsiam.CreateRoleOutput](t, "CreateRole")(c.iam.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName: aws.String("app-auth"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(3600),
		Description: aws.String("app users"), PermissionsBoundary: aws.String(boundary),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
	}))
	must[*awsiam.PutRolePolicyOutput](t, "PutRolePolicy")(c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{
		RoleName: aws.String("app-auth"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(permissions)}))
	must[*awsiam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{
		RoleName: aws.String("app-auth"), PolicyArn: aws.String(managed)}))

	// Read: GetRole, ListRolePolicies + GetRolePolicy each, ListAttachedRolePolicies.
	role := must[*awsiam.GetRoleOutput](t, "GetRole")(c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app-auth")})).Role
	if decoded(t, role.AssumeRolePolicyDocument) != trust || aws.ToString(role.Description) != "app users" || aws.ToInt32(role.MaxSessionDuration) != 3600 {
		t.Errorf("GetRole: trust %q description %q max %d", decoded(t, role.AssumeRolePolicyDocument), aws.ToString(role.Description), aws.ToInt32(role.MaxSessionDuration))
	}
	if role.PermissionsBoundary == nil || aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn) != boundary || role.PermissionsBoundary.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy {
		t.Errorf("GetRole boundary: %+v", role.PermissionsBoundary)
	}
	names := must[*awsiam.ListRolePoliciesOutput](t, "ListRolePolicies")(c.iam.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("app-auth")}))
	if !slices.Equal(names.PolicyNames, []string{"s3"}) || names.IsTruncated {
		t.Errorf("ListRolePolicies: %v", names.PolicyNames)
	}
	p := must[*awsiam.GetRolePolicyOutput](t, "GetRolePolicy")(c.iam.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("app-auth"), PolicyName: aws.String("s3")}))
	if decoded(t, p.PolicyDocument) != permissions || aws.ToString(p.RoleName) != "app-auth" || aws.ToString(p.PolicyName) != "s3" {
		t.Errorf("GetRolePolicy: %q %q %q", aws.ToString(p.RoleName), aws.ToString(p.PolicyName), decoded(t, p.PolicyDocument))
	}
	att := must[*awsiam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(c.iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-auth")}))
	if len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != managed || aws.ToString(att.AttachedPolicies[0].PolicyName) != "AmazonS3ReadOnlyAccess" {
		t.Errorf("ListAttachedRolePolicies: %+v", att.AttachedPolicies)
	}
	_, err := c.iam.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("app-auth"), PolicyName: aws.String("nope")})
	wantCode(t, "GetRolePolicy nope", err, "NoSuchEntity")
	_, err = c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app-auth"), PolicyName: aws.String("bad"), PolicyDocument: aws.String("{not json")})
	wantCode(t, "PutRolePolicy bad JSON", err, "MalformedPolicyDocument")
	_, err = c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app-auth"), PolicyArn: aws.String("arn:aws:iam::111122223333:policy/theirs")})
	wantCode(t, "AttachRolePolicy of another account's policy", err, "NoSuchEntity")

	// Update: trust, description, session length, boundary, tags.
	newTrust := strings.Replace(trust, "us-east-1:a+b", "us-east-1:other", 1)
	must[*awsiam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy")(c.iam.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app-auth"), PolicyDocument: aws.String(newTrust)}))
	d := must[*awsiam.UpdateRoleDescriptionOutput](t, "UpdateRoleDescription")(c.iam.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("app-auth"), Description: aws.String("signed-in users")}))
	if aws.ToString(d.Role.Description) != "signed-in users" {
		t.Errorf("UpdateRoleDescription answered %q", aws.ToString(d.Role.Description))
	}
	must[*awsiam.UpdateRoleOutput](t, "UpdateRole")(c.iam.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("app-auth"), MaxSessionDuration: aws.Int32(7200)}))
	must[*awsiam.DeleteRolePermissionsBoundaryOutput](t, "DeleteRolePermissionsBoundary")(c.iam.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("app-auth")}))
	must[*awsiam.TagRoleOutput](t, "TagRole")(c.iam.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("app-auth"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("mobile")}, {Key: aws.String("env"), Value: aws.String("ci")}}}))
	must[*awsiam.UntagRoleOutput](t, "UntagRole")(c.iam.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("app-auth"), TagKeys: []string{"ENV"}}))
	tags := must[*awsiam.ListRoleTagsOutput](t, "ListRoleTags")(c.iam.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("app-auth")}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "mobile" {
		t.Errorf("ListRoleTags: %+v", tags.Tags)
	}
	role = must[*awsiam.GetRoleOutput](t, "GetRole")(c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app-auth")})).Role
	if decoded(t, role.AssumeRolePolicyDocument) != newTrust || aws.ToString(role.Description) != "signed-in users" || aws.ToInt32(role.MaxSessionDuration) != 7200 || role.PermissionsBoundary != nil || len(role.Tags) != 1 {
		t.Errorf("GetRole after the updates: %+v", role)
	}

	// Delete: instance profiles, then DeleteRole refused until the policies are gone.
	ip := must[*awsiam.ListInstanceProfilesForRoleOutput](t, "ListInstanceProfilesForRole")(c.iam.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("app-auth")}))
	if len(ip.InstanceProfiles) != 0 || ip.IsTruncated {
		t.Errorf("ListInstanceProfilesForRole: %+v", ip.InstanceProfiles)
	}
	_, err = c.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app-auth")})
	wantCode(t, "DeleteRole with an inline policy", err, "DeleteConflict")
	must[*awsiam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(c.iam.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("app-auth"), PolicyName: aws.String("s3")}))
	_, err = c.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app-auth")})
	wantCode(t, "DeleteRole with a managed policy", err, "DeleteConflict")
	must[*awsiam.DetachRolePolicyOutput](t, "DetachRolePolicy")(c.iam.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("app-auth"), PolicyArn: aws.String(managed)}))
	_, err = c.iam.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("app-auth"), PolicyArn: aws.String(managed)})
	wantCode(t, "DetachRolePolicy again", err, "NoSuchEntity")
	must[*awsiam.DeleteRoleOutput](t, "DeleteRole")(c.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app-auth")}))
	_, err = c.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app-auth")})
	wantCode(t, "DeleteRole again (terraform counts NoSuchEntity as done)", err, "NoSuchEntity")
	_, err = c.iam.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("app-auth")})
	wantCode(t, "ListInstanceProfilesForRole of a deleted role", err, "NoSuchEntity")
}

// The role quotas and list paging terraform's reads page through.
func TestRolePolicyLimitsAndPaging(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	must[*awsiam.CreateRoleOutput](t, "CreateRole")(c.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}))
	for i := range 10 {
		must[*awsiam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{
			RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/P" + string(rune('a'+i)))}))
	}
	_, err := c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Pz")})
	wantCode(t, "an 11th managed policy", err, "LimitExceeded")
	var seen []string
	var marker *string
	for range 10 {
		out := must[*awsiam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(c.iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(3), Marker: marker}))
		for _, p := range out.AttachedPolicies {
			seen = append(seen, aws.ToString(p.PolicyName))
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	if len(seen) != 10 || !slices.IsSorted(seen) {
		t.Errorf("paged ListAttachedRolePolicies: %v", seen)
	}
	_, err = c.iam.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("r"), Marker: aws.String("forged")})
	wantCode(t, "a marker this server did not issue", err, "ValidationError")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("x", 6000) + `"}]}`
	must[*awsiam.PutRolePolicyOutput](t, "PutRolePolicy 6 KB")(c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("one"), PolicyDocument: aws.String(big)}))
	_, err = c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("two"), PolicyDocument: aws.String(big)})
	wantCode(t, "inline policies over 10240 bytes in all", err, "LimitExceeded")
	names := must[*awsiam.ListRolePoliciesOutput](t, "ListRolePolicies")(c.iam.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("r")}))
	if !slices.Equal(names.PolicyNames, []string{"one"}) {
		t.Errorf("a refused PutRolePolicy left %v", names.PolicyNames)
	}
}

func TestIdentityPoolLifecycle(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	for _, n := range []string{"auth", "unauth", "admin"} {
		must[*awsiam.CreateRoleOutput](t, "CreateRole")(c.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trust)}))
	}
	role := func(n string) string { return "arn:aws:iam::" + harness.DevAccount + ":role/" + n }
	pool := must[*cognitoidentity.CreateIdentityPoolOutput](t, "CreateIdentityPool")(c.ci.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("tf pool"), AllowUnauthenticatedIdentities: false,
		SupportedLoginProviders: map[string]string{"accounts.google.com": "123.apps.googleusercontent.com"},
		IdentityPoolTags:        map[string]string{"team": "web"},
	}))
	id := pool.IdentityPoolId
	// Update sends the whole shape, then tags by the ARN the provider builds.
	must[*cognitoidentity.UpdateIdentityPoolOutput](t, "UpdateIdentityPool")(c.ci.UpdateIdentityPool(ctx, &cognitoidentity.UpdateIdentityPoolInput{
		IdentityPoolId: id, IdentityPoolName: aws.String("tf pool"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(false),
		SupportedLoginProviders: map[string]string{"accounts.google.com": "123.apps.googleusercontent.com"},
	}))
	poolARN := "arn:aws:cognito-identity:" + harness.Region + ":" + harness.DevAccount + ":identitypool/" + aws.ToString(id)
	must[*cognitoidentity.TagResourceOutput](t, "TagResource")(c.ci.TagResource(ctx, &cognitoidentity.TagResourceInput{ResourceArn: aws.String(poolARN), Tags: map[string]string{"env": "ci"}}))
	must[*cognitoidentity.UntagResourceOutput](t, "UntagResource")(c.ci.UntagResource(ctx, &cognitoidentity.UntagResourceInput{ResourceArn: aws.String(poolARN), TagKeys: []string{"team"}}))
	d := must[*cognitoidentity.DescribeIdentityPoolOutput](t, "DescribeIdentityPool")(c.ci.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: id}))
	if !d.AllowUnauthenticatedIdentities || d.IdentityPoolTags["env"] != "ci" || d.IdentityPoolTags["team"] != "" {
		t.Errorf("DescribeIdentityPool after update and tags: %+v", d)
	}
	// The data source: ListIdentityPools MaxResults 20, paged, to find the name.
	found := false
	for p := cognitoidentity.NewListIdentityPoolsPaginator(c.ci, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(20)}); p.HasMorePages(); {
		page := must[*cognitoidentity.ListIdentityPoolsOutput](t, "ListIdentityPools")(p.NextPage(ctx))
		for _, ip := range page.IdentityPools {
			found = found || aws.ToString(ip.IdentityPoolName) == "tf pool"
		}
	}
	if !found {
		t.Error("ListIdentityPools did not list the pool")
	}

	// aws_cognito_identity_pool_roles_attachment: both roles together, a Rules mapping.
	mappings := map[string]citypes.RoleMapping{"accounts.google.com": {
		Type: citypes.RoleMappingTypeRules, AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeAuthenticatedRole,
		RulesConfiguration: &citypes.RulesConfigurationType{Rules: []citypes.MappingRule{{
			Claim: aws.String("hd"), MatchType: citypes.MappingRuleMatchTypeEquals, Value: aws.String("example.com"), RoleARN: aws.String(role("admin"))}}},
	}}
	roles := map[string]string{"authenticated": role("auth"), "unauthenticated": role("unauth")}
	must[*cognitoidentity.SetIdentityPoolRolesOutput](t, "SetIdentityPoolRoles")(c.ci.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{IdentityPoolId: id, Roles: roles, RoleMappings: mappings}))
	got := must[*cognitoidentity.GetIdentityPoolRolesOutput](t, "GetIdentityPoolRoles")(c.ci.GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: id}))
	rm := got.RoleMappings["accounts.google.com"]
	if len(got.Roles) != 2 || got.Roles["authenticated"] != role("auth") || got.Roles["unauthenticated"] != role("unauth") ||
		rm.Type != citypes.RoleMappingTypeRules || rm.AmbiguousRoleResolution != citypes.AmbiguousRoleResolutionTypeAuthenticatedRole ||
		rm.RulesConfiguration == nil || len(rm.RulesConfiguration.Rules) != 1 || aws.ToString(rm.RulesConfiguration.Rules[0].RoleARN) != role("admin") {
		t.Errorf("GetIdentityPoolRoles does not echo what was set: %+v", got)
	}
	// aws_cognito_identity_pool_provider_principal_tag.
	must[*cognitoidentity.SetPrincipalTagAttributeMapOutput](t, "SetPrincipalTagAttributeMap")(c.ci.SetPrincipalTagAttributeMap(ctx, &cognitoidentity.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: id, IdentityProviderName: aws.String("accounts.google.com"), UseDefaults: aws.Bool(false), PrincipalTags: map[string]string{"domain": "hd"}}))
	pt := must[*cognitoidentity.GetPrincipalTagAttributeMapOutput](t, "GetPrincipalTagAttributeMap")(c.ci.GetPrincipalTagAttributeMap(ctx, &cognitoidentity.GetPrincipalTagAttributeMapInput{
		IdentityPoolId: id, IdentityProviderName: aws.String("accounts.google.com")}))
	if pt.PrincipalTags["domain"] != "hd" || aws.ToBool(pt.UseDefaults) {
		t.Errorf("GetPrincipalTagAttributeMap: %+v", pt)
	}
	// The attachment's destroy: empty Roles and RoleMappings.
	must[*cognitoidentity.SetIdentityPoolRolesOutput](t, "SetIdentityPoolRoles {}")(c.ci.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: id, Roles: map[string]string{}, RoleMappings: map[string]citypes.RoleMapping{}}))
	got = must[*cognitoidentity.GetIdentityPoolRolesOutput](t, "GetIdentityPoolRoles")(c.ci.GetIdentityPoolRoles(ctx, &cognitoidentity.GetIdentityPoolRolesInput{IdentityPoolId: id}))
	if len(got.Roles) != 0 || len(got.RoleMappings) != 0 {
		t.Errorf("roles after the attachment's destroy: %+v", got)
	}
	must[*cognitoidentity.DeleteIdentityPoolOutput](t, "DeleteIdentityPool")(c.ci.DeleteIdentityPool(ctx, &cognitoidentity.DeleteIdentityPoolInput{IdentityPoolId: id}))
	_, err := c.ci.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: id})
	wantCode(t, "DescribeIdentityPool after delete (terraform drops it from state)", err, "ResourceNotFoundException")
}
