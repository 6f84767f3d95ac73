// Package logins drives idpool's login verification end to end: a real
// server process, IAM OIDC and SAML providers created with the AWS SDK for
// Go and the aws CLI, a real TLS OpenID Connect issuer (httptest) whose
// tokens become identities and credentials, and cognito-local, a user pool
// emulator, whose ID tokens idpool accepts as user pool logins.
package logins

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

func iamClient(s *harness.Server) *awsiam.Client {
	return awsiam.New(awsiam.Options{
		Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, ""),
	})
}

// oidcProvider creates the IAM OIDC provider of idp (its TLS certificate's
// thumbprint) for clients and returns its ARN.
func oidcProvider(t *testing.T, s *harness.Server, idp *fakeidp.OIDC, clients ...string) string {
	t.Helper()
	out, err := iamClient(s).CreateOpenIDConnectProvider(context.Background(), &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.URL()), ClientIDList: clients, ThumbprintList: []string{idp.Thumbprint()},
	})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider: %v", err)
	}
	return aws.ToString(out.OpenIDConnectProviderArn)
}

// authRole creates a role that trusts pool's authenticated identities.
func authRole(t *testing.T, s *harness.Server, name, pool string) string {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]}`
	out, err := iamClient(s).CreateRole(context.Background(), &awsiam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy),
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if _, err := s.Cognito().SetIdentityPoolRoles(context.Background(), &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(pool), Roles: map[string]string{"authenticated": aws.ToString(out.Role.Arn)},
	}); err != nil {
		t.Fatalf("SetIdentityPoolRoles: %v", err)
	}
	return aws.ToString(out.Role.Arn)
}

// wantAPIError checks err is the AWS error code whose message starts with prefix.
func wantAPIError(t *testing.T, err error, code, prefix string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.HasPrefix(ae.ErrorMessage(), prefix) {
		t.Fatalf("error = %s %q, want %s %q...", ae.ErrorCode(), ae.ErrorMessage(), code, prefix)
	}
}
