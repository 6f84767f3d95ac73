package forgery

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/test/harness"
)

// TestOwnTokenExpiry: idpool is the clock of its own OpenID tokens, so a
// token of GetOpenIdTokenForDeveloperIdentity with TokenDuration 1 is
// refused two seconds later everywhere it is accepted, and no path turns
// it into a fresh one (issue 15: a 60 s allowance had kept it working).
// A token with time left passes the same calls, so the refusals mean
// something.
func TestOwnTokenExpiry(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := t.Context()
	admin := s.Cognito()
	anon := s.Anonymous(harness.Region)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	iam := awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
	sts := awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})

	p, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("expiry"),
		AllowUnauthenticatedIdentities: false, AllowClassicFlow: aws.Bool(true), DeveloperProviderName: aws.String("login.expiry")})
	if err != nil {
		t.Fatal(err)
	}
	pool := aws.ToString(p.IdentityPoolId)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"}}}]}`
	r, err := iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ExpiryUsers"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	role := r.Role.Arn
	if _, err := admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"authenticated": aws.ToString(role)}}); err != nil {
		t.Fatal(err)
	}
	token := func(user string, secs int64) (id, tok string) {
		t.Helper()
		out, err := admin.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
			IdentityPoolId: p.IdentityPoolId, Logins: map[string]string{"login.expiry": user}, TokenDuration: aws.Int64(secs)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.IdentityId), aws.ToString(out.Token)
	}
	// Every place idpool accepts its own token.
	uses := []struct {
		name string
		call func(id, tok string) error
		code string
	}{
		{"sts AssumeRoleWithWebIdentity", func(_, tok string) error {
			_, err := sts.AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{RoleArn: role,
				RoleSessionName: aws.String("expiry"), WebIdentityToken: aws.String(tok)})
			return err
		}, "ExpiredTokenException"},
		{"GetCredentialsForIdentity", func(id, tok string) error {
			_, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String(id),
				Logins: map[string]string{"cognito-identity.amazonaws.com": tok}})
			return err
		}, "NotAuthorizedException"},
		{"GetOpenIdToken (a fresh token for an expired one)", func(id, tok string) error {
			_, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: aws.String(id),
				Logins: map[string]string{"cognito-identity.amazonaws.com": tok}})
			return err
		}, "NotAuthorizedException"},
		{"GetId", func(_, tok string) error {
			_, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId,
				Logins: map[string]string{"cognito-identity.amazonaws.com": tok}})
			return err
		}, "NotAuthorizedException"},
	}
	liveID, live := token("alive", 600)
	for _, u := range uses {
		if err := u.call(liveID, live); err != nil {
			t.Fatalf("%s with a live token: %v", u.name, err)
		}
	}
	id, short := token("short", 1)
	time.Sleep(2 * time.Second)
	refused := 0
	for _, u := range uses {
		err := u.call(id, short)
		if code := codeOf(err); code != u.code {
			t.Errorf("%s, 2 s after a 1 s token's issue: %s (%v), want %s", u.name, code, err, u.code)
			continue
		}
		if u.code == "NotAuthorizedException" && !strings.Contains(err.Error(), "Invalid login token. Token expired: ") {
			t.Errorf("%s: %v, want AWS's expiry text", u.name, err)
			continue
		}
		refused++
	}
	t.Logf("expiry: %d uses of an expired own token, %d refused", len(uses), refused)
}
