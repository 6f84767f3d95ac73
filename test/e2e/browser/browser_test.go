// Package browser drives idpool from real browser clients: the AWS SDK for
// JavaScript v3 and Amplify v6, bundled and run in headless Chromium on a
// different origin than the server, so CORS is exercised as in production.
package browser

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/harness"
)

type step struct {
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error *struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestBrowserClients(t *testing.T) {
	node, chromium, dir := harness.Browser(t)

	s := harness.Start(t, harness.Options{})
	ctx := context.Background()
	admin := s.Cognito()
	pool, err := admin.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("browser"),
		AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	const guestRole = "arn:aws:iam::000000000000:role/BrowserGuest"
	if _, err := admin.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: pool.IdentityPoolId,
		Roles:          map[string]string{"unauthenticated": guestRole},
	}); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := harness.Run(t, nil, node, filepath.Join(dir, "run.mjs"),
		"--endpoint", s.URL, "--pool", *pool.IdentityPoolId, "--chromium", chromium)
	if code != 0 {
		t.Fatalf("run.mjs exit %d\nstderr: %s\nstdout: %s", code, stderr, stdout)
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("bad output: %v\n%s", err, stdout)
	}
	if f, ok := res["fatal"]; ok {
		t.Fatalf("page failed: %s", f)
	}
	get := func(name string, v any) step {
		t.Helper()
		var st step
		if err := json.Unmarshal(res[name], &st); err != nil {
			t.Fatalf("%s: %v (%s)", name, err, res[name])
		}
		if v != nil && st.OK {
			if err := json.Unmarshal(st.Value, v); err != nil {
				t.Fatalf("%s value: %v", name, err)
			}
		}
		return st
	}
	idRe := regexp.MustCompile(`^us-east-1:[0-9a-f-]{36}$`)

	var id struct{ IdentityId string }
	if st := get("sdkGetId", &id); !st.OK || !idRe.MatchString(id.IdentityId) {
		t.Fatalf("SDK GetId: %+v %+v", st, id)
	}
	var creds struct {
		IdentityId                 string
		AccessKeyId                string
		HasSecret, HasSessionToken bool
		Expiration                 string
	}
	if st := get("sdkGetCredentials", &creds); !st.OK || creds.IdentityId != id.IdentityId ||
		!strings.HasPrefix(creds.AccessKeyId, "ASIA") || !creds.HasSecret || !creds.HasSessionToken {
		t.Errorf("SDK GetCredentialsForIdentity: %+v %+v", st, creds)
	}
	var tok struct{ IdentityId, Token string }
	if st := get("sdkGetOpenIdToken", &tok); !st.OK || strings.Count(tok.Token, ".") != 2 {
		t.Errorf("SDK GetOpenIdToken: %+v", st)
	}
	if st := get("sdkUnknownPool", nil); st.OK || st.Error == nil || st.Error.Name != "ResourceNotFoundException" {
		t.Errorf("SDK GetId on an unknown pool should fail with ResourceNotFoundException: %+v", st)
	}
	var caller struct{ Arn, Account, UserId string }
	if st := get("providerCallerIdentity", &caller); !st.OK ||
		caller.Arn != "arn:aws:sts::000000000000:assumed-role/BrowserGuest/CognitoIdentityCredentials" ||
		caller.Account != "000000000000" {
		t.Errorf("fromCognitoIdentityPool + STS GetCallerIdentity: %+v %+v", st, caller)
	}
	var amp struct {
		IdentityID                 string `json:"identityId"`
		AccessKeyID                string `json:"accessKeyId"`
		HasSecret, HasSessionToken bool
	}
	if st := get("amplifyGuestSession", &amp); !st.OK || !idRe.MatchString(amp.IdentityID) ||
		!strings.HasPrefix(amp.AccessKeyID, "ASIA") {
		t.Errorf("Amplify fetchAuthSession (guest): %+v %+v", st, amp)
	}
}
