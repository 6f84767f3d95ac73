package operators

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// claims decodes a JWT's payload (unverified: the test reads what a
// storage system would map to policies).
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBasicFlowTokenClaims: the claims MinIO and Ceph RGW map to policies.
// GetOpenIdToken's token carries aud (the pool), amr, and the pool's
// principal tags as https://aws.amazon.com/tags, as the enhanced flow's does.
func TestBasicFlowTokenClaims(t *testing.T) {
	ctx := context.Background()
	idp := fakeidp.NewOIDC(t, "tags")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}})
	iamc := awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: harness.DevAccessKey, SecretAccessKey: harness.DevSecretKey}, nil
		}))})
	prov, err := iamc.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(idp.URL()), ClientIDList: []string{"app"}, ThumbprintList: []string{idp.Thumbprint()}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("tags"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		OpenIdConnectProviderARNs: []string{aws.ToString(prov.OpenIDConnectProviderArn)}})
	if err != nil {
		t.Fatal(err)
	}
	pool := aws.ToString(p.IdentityPoolId)
	if _, err := s.Cognito().SetPrincipalTagAttributeMap(ctx, &cognitoidentity.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: aws.String(pool), IdentityProviderName: aws.String(idp.Host()),
		PrincipalTags: map[string]string{"team": "department", "user": "sub"}}); err != nil {
		t.Fatal(err)
	}
	logins := map[string]string{idp.Host(): idp.Sign(t, map[string]any{"iss": idp.URL(), "sub": "alice", "aud": "app",
		"department": "eng", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})}
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool), Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	c := claims(t, aws.ToString(tok.Token))
	want := map[string]any{"principal_tags": map[string]any{"team": []any{"eng"}, "user": []any{"alice"}}}
	if !reflect.DeepEqual(c["https://aws.amazon.com/tags"], want) {
		t.Errorf("tags claim = %v, want %v", c["https://aws.amazon.com/tags"], want)
	}
	amr, _ := c["amr"].([]any)
	if c["aud"] != pool || c["sub"] != aws.ToString(id.IdentityId) || len(amr) != 3 || amr[0] != "authenticated" || amr[1] != idp.Host() {
		t.Errorf("aud %v sub %v amr %v", c["aud"], c["sub"], c["amr"])
	}

	// A guest has no logins, so no tags: amr names it unauthenticated.
	g, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(pool)})
	if err != nil {
		t.Fatal(err)
	}
	gt, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: g.IdentityId})
	if err != nil {
		t.Fatal(err)
	}
	gc := claims(t, aws.ToString(gt.Token))
	if _, ok := gc["https://aws.amazon.com/tags"]; ok || !reflect.DeepEqual(gc["amr"], []any{"unauthenticated"}) {
		t.Errorf("guest claims %v", gc)
	}
}
