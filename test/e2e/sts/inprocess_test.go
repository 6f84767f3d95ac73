package sts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// TestEnhancedFlowInProcessMatchesSignedToken: GetCredentialsForIdentity
// hands the embedded STS its token's claims in process, without a
// signature. For an OIDC login with principal tags and for a guest, the
// answer is the one the same STS gives the signed token of the same
// identity (GetOpenIdToken, then AssumeRoleWithWebIdentity with the
// enhanced flow's session name): the same caller ARN, the same session tags
// (roles whose trust demands aws:RequestTag values), the same refusals of
// aud and amr conditions.
func TestEnhancedFlowInProcessMatchesSignedToken(t *testing.T) {
	ctx := context.Background()
	idp := fakeidp.NewOIDC(t, "inproc")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}})
	prov, err := iamClient(s).CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.URL()), ClientIDList: []string{"app"}, ThumbprintList: []string{idp.Thumbprint()},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("in process"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		OpenIdConnectProviderARNs: []string{aws.ToString(prov.OpenIDConnectProviderArn)},
	})
	if err != nil {
		t.Fatal(err)
	}
	pool := aws.ToString(p.IdentityPoolId)
	if _, err := s.Cognito().SetPrincipalTagAttributeMap(ctx, &cognitoidentity.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: aws.String(pool), IdentityProviderName: aws.String(idp.Host()),
		PrincipalTags: map[string]string{"team": "department"}}); err != nil {
		t.Fatal(err)
	}
	tagTrust := func(team string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
			`"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],"Condition":{"StringEquals":{` +
			`"cognito-identity.amazonaws.com:aud":"` + pool + `","aws:RequestTag/team":"` + team + `"}}}]}`
	}
	// alice's sessions carry the tag team=eng: her roles need sts:TagSession.
	tagging := func(policy string) string {
		return strings.Replace(policy, `"Action":"sts:AssumeRoleWithWebIdentity"`, `"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`, 1)
	}
	providerAMR := idp.Host() + ":app:alice"
	roles := []string{
		createRole(t, s, "Auth", tagging(trust(pool, "authenticated"))),
		createRole(t, s, "Guest", trust(pool, "unauthenticated")),
		createRole(t, s, "OtherPool", tagging(trust(harness.Region+":00000000-0000-0000-0000-000000000000", "authenticated"))),
		createRole(t, s, "Provider", tagging(trust(pool, providerAMR))),
		createRole(t, s, "TeamEng", tagTrust("eng")),
		createRole(t, s, "TeamOps", tagTrust("ops")),
		// Tags without sts:TagSession are refused.
		createRole(t, s, "NoTagSession", trust(pool, "authenticated")),
	}

	anon := s.Anonymous(harness.Region)
	login := map[string]string{idp.Host(): idp.Sign(t, map[string]any{"iss": idp.URL(), "sub": "alice", "aud": "app",
		"department": "eng", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})}
	authID, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool), Logins: login})
	if err != nil {
		t.Fatal(err)
	}
	guestID, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
	if err != nil {
		t.Fatal(err)
	}

	// callerOf is GetCallerIdentity's ARN with creds, or the error code that refused them.
	callerOf := func(ak, sk, st *string, err error) string {
		if err != nil {
			return "refused: " + errCode(err)
		}
		who, err := stsClient(s, credentials.NewStaticCredentialsProvider(aws.ToString(ak), aws.ToString(sk), aws.ToString(st))).
			GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		return aws.ToString(who.Arn)
	}
	allowed := 0
	for _, who := range []struct {
		id     *string
		logins map[string]string
	}{{authID.IdentityId, login}, {guestID.IdentityId, nil}} {
		for _, role := range roles {
			// The enhanced flow: claims in process, on the pool's role.
			if _, err := s.Cognito().SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
				IdentityPoolId: aws.String(pool), Roles: map[string]string{"authenticated": role, "unauthenticated": role},
			}); err != nil {
				t.Fatal(err)
			}
			cr, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{
				IdentityId: who.id, Logins: who.logins})
			var enhanced string
			if err != nil {
				// The STS's refusal is the pool owner's business: AWS's generic answer.
				enhanced = callerOf(nil, nil, nil, err)
				if errCode(err) == "InvalidIdentityPoolConfigurationException" {
					enhanced = "refused: AccessDenied"
				}
			} else {
				enhanced = callerOf(cr.Credentials.AccessKeyId, cr.Credentials.SecretKey, cr.Credentials.SessionToken, nil)
			}
			// The signed token of the same identity at the same STS.
			tok, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: who.id, Logins: who.logins})
			if err != nil {
				t.Fatal(err)
			}
			out, err := stsClient(s, nil).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(role), RoleSessionName: aws.String("CognitoIdentityCredentials"), WebIdentityToken: tok.Token})
			var signed string
			if err != nil {
				signed = callerOf(nil, nil, nil, err)
			} else {
				signed = callerOf(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, nil)
			}
			if enhanced != signed {
				t.Errorf("%s as %s: enhanced flow %q, signed token %q", role, aws.ToString(who.id), enhanced, signed)
			}
			if signed[0] != 'r' {
				allowed++
			}
		}
	}
	// Allowed: Auth, Provider and TeamEng for alice, Guest for the guest.
	if allowed != 4 {
		t.Errorf("%d roles allowed, want 4", allowed)
	}
}
