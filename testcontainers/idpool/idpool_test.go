package idpool_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/testcontainers/testcontainers-go"

	"github.com/idpool/idpool/testcontainers/idpool"
)

// engine skips (or, under IDPOOL_TEST_REQUIRE_ALL=1, fails) where no
// Docker-compatible engine answers.
func engine(t *testing.T) {
	t.Helper()
	if os.Getenv("IDPOOL_TEST_REQUIRE_ALL") == "1" {
		return // Run's own error says what is wrong
	}
	testcontainers.SkipIfProviderIsNotHealthy(t)
}

func run(t *testing.T, opts ...testcontainers.ContainerCustomizer) *idpool.Container {
	t.Helper()
	engine(t)
	c, err := idpool.Run(context.Background(), opts...)
	if c != nil {
		testcontainers.CleanupContainer(t, c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A guest of a pool made by CreatePool gets credentials that the container's
// STS accepts, and its OpenID token names the issuer the host reaches.
func TestRunCreatePoolGuest(t *testing.T) {
	ctx := context.Background()
	c := run(t)
	pool, err := c.CreatePool(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pool.ID, idpool.Region+":") {
		t.Errorf("pool id %q", pool.ID)
	}
	client := c.CognitoIdentity()
	id, err := client.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool.ID)})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := client.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.AWSConfig()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(creds.Credentials.AccessKeyId),
		aws.ToString(creds.Credentials.SecretKey), aws.ToString(creds.Credentials.SessionToken))
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "assumed-role/app-unauthenticated/"; !strings.Contains(aws.ToString(who.Arn), want) {
		t.Errorf("caller %s, want the unauthenticated role %s", aws.ToString(who.Arn), want)
	}

	tok, err := client.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer string `json:"issuer"`
	}
	resp, err := http.Get(c.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("the issuer %s is not reachable from the host: %v", c.Issuer, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil || disc.Issuer != c.Issuer {
		t.Errorf("discovery at %s: issuer %q, %v", c.Issuer, disc.Issuer, err)
	}
	if aws.ToString(tok.Token) == "" {
		t.Error("no OpenID token")
	}
}

// WithSeed's pinned pool exists at its id from the start; WithConfig and
// WithCredentials run a production server with the config's account.
func TestRunSeedAndConfig(t *testing.T) {
	ctx := context.Background()
	const pinned = "us-east-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10"
	c := run(t,
		idpool.WithConfig(`accounts:
  - id: "123456789012"
    keys:
      - accessKeyId: AKIATESTTESTTESTTEST
        secretAccessKey: c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=
`),
		idpool.WithCredentials("AKIATESTTESTTESTTEST", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I="),
		idpool.WithSeed(`Region: us-east-1
IdentityPools:
  - IdentityPoolId: `+pinned+`
    IdentityPoolName: seeded
    AllowUnauthenticatedIdentities: true
`))
	got, err := c.CognitoIdentity().DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(pinned)})
	if err != nil {
		t.Fatalf("the seeded pool: %v", err)
	}
	if aws.ToString(got.IdentityPoolName) != "seeded" {
		t.Errorf("seeded pool name %q", aws.ToString(got.IdentityPoolName))
	}
	pool, err := c.CreatePool(ctx, "second")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pool.AuthenticatedRoleARN, "arn:aws:iam::123456789012:role/") {
		t.Errorf("role in the config's account: %s", pool.AuthenticatedRoleARN)
	}
	// The development keys are not an account of this server.
	dev := c.AWSConfig()
	dev.Credentials = credentials.NewStaticCredentialsProvider(idpool.AccessKeyID, idpool.SecretAccessKey, "")
	if _, err := cognitoidentity.NewFromConfig(dev).ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(10)}); err == nil {
		t.Error("a production server accepted the development keys")
	}
}
