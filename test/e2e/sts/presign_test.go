package sts

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/test/harness"
)

// A presigned GetCallerIdentity GET (what EKS tokens and Vault's AWS auth
// hand to a verifier) proves the caller's identity, for long-term keys and for
// credentials vended to an identity; tampering with it is refused.
func TestPresignedGetCallerIdentity(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	pool, identityID, _ := guestToken(t, s)
	createRole(t, s, "Presign_Unauth", trust(pool, "unauthenticated"))
	roles := s.Cognito()
	if _, err := roles.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: aws.String(pool),
		Roles:          map[string]string{"unauthenticated": "arn:aws:iam::" + account + ":role/Presign_Unauth"},
	}); err != nil {
		t.Fatal(err)
	}
	cr, err := s.Anonymous(harness.Region).GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(identityID)})
	if err != nil {
		t.Fatal(err)
	}
	vended := credentials.NewStaticCredentialsProvider(*cr.Credentials.AccessKeyId, *cr.Credentials.SecretKey, *cr.Credentials.SessionToken)
	long := credentials.NewStaticCredentialsProvider(harness.DevAccessKey, harness.DevSecretKey, "")

	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for name, c := range map[string]struct {
		creds aws.CredentialsProvider
		arn   string
	}{
		"long-term key":      {long, "arn:aws:iam::" + account + ":root"},
		"vended credentials": {vended, "arn:aws:sts::" + account + ":assumed-role/Presign_Unauth/"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := awssts.NewPresignClient(stsClient(s, c.creds)).PresignGetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Method != http.MethodPost && p.Method != http.MethodGet {
				t.Fatalf("presigned method %s", p.Method)
			}
			status, body := get(p.URL)
			if status != http.StatusOK || !strings.Contains(body, "<Account>"+account+"</Account>") || !strings.Contains(body, c.arn) {
				t.Fatalf("presigned GET: %d\n%s\nwant account %s and %s", status, body, account, c.arn)
			}
			tampered := strings.Replace(p.URL, "Action=GetCallerIdentity", "Action=GetCallerIdentity&Extra=1", 1)
			if status, body := get(tampered); status != http.StatusForbidden || !strings.Contains(body, "SignatureDoesNotMatch") {
				t.Fatalf("tampered presigned GET: %d\n%s", status, body)
			}
		})
	}
}
