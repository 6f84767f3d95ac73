package logins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/test/harness"
)

// cognitoLocal is a running cognito-local (npm) user pool emulator.
type cognitoLocal struct {
	url string
}

// startCognitoLocal runs cognito-local from test/e2e/logins/cognito-local
// (installed with npm ci from the committed lockfile) in a fresh directory.
func startCognitoLocal(t *testing.T) *cognitoLocal {
	t.Helper()
	node := harness.Tool(t, "IDPOOL_TEST_NODE", "node")
	start := filepath.Join(harness.Root(), "test", "e2e", "logins", "cognito-local", "node_modules", "cognito-local", "lib", "bin", "start.js")
	if _, err := os.Stat(start); err != nil {
		harness.Missing(t, "cognito-local (run npm ci in test/e2e/logins/cognito-local)")
	}
	addr := harness.FreeAddr(t)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	cl := &cognitoLocal{url: "http://" + addr}
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, ".cognito"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"TokenConfig":{"IssuerDomain":%q}}`, cl.url)
	if err := os.WriteFile(filepath.Join(work, ".cognito", "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(node, start)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "HOST="+host, "PORT="+port)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Wait (bounded) until it answers; this is startup, not an assertion on speed.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(cl.url + "/health")
		if err == nil {
			resp.Body.Close()
			return cl
		}
		if time.Now().After(deadline) {
			t.Fatalf("cognito-local did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// call makes a Cognito user pools API call (cognito-local ignores signatures).
func (cl *cognitoLocal) call(t *testing.T, target string, in any, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, cl.url+"/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+target)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", target, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
}

// signIn creates a user pool, an app client and a confirmed user, signs in
// and returns the pool id, client id and the user's ID token.
func (cl *cognitoLocal) signIn(t *testing.T, username string) (poolID, clientID, idToken string) {
	t.Helper()
	var pool struct{ UserPool struct{ Id string } }
	cl.call(t, "CreateUserPool", map[string]any{"PoolName": "e2e"}, &pool)
	var client struct{ UserPoolClient struct{ ClientId string } }
	cl.call(t, "CreateUserPoolClient", map[string]any{"UserPoolId": pool.UserPool.Id, "ClientName": "app"}, &client)
	cl.call(t, "AdminCreateUser", map[string]any{"UserPoolId": pool.UserPool.Id, "Username": username,
		"TemporaryPassword": "Temp-Pass1!", "MessageAction": "SUPPRESS"}, nil)
	cl.call(t, "AdminSetUserPassword", map[string]any{"UserPoolId": pool.UserPool.Id, "Username": username,
		"Password": "Perm-Pass1!", "Permanent": true}, nil)
	var auth struct{ AuthenticationResult struct{ IdToken string } }
	cl.call(t, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client.UserPoolClient.ClientId,
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": "Perm-Pass1!"}}, &auth)
	if auth.AuthenticationResult.IdToken == "" {
		t.Fatal("cognito-local returned no ID token")
	}
	return pool.UserPool.Id, client.UserPoolClient.ClientId, auth.AuthenticationResult.IdToken
}

// TestCognitoLocalVerifier: the login verifier, configured as the server
// configures it, accepts a cognito-local ID token and runs the
// ServerSideTokenCheck against cognito-local's AdminGetUser.
func TestCognitoLocalVerifier(t *testing.T) {
	cl := startCognitoLocal(t)
	poolID, clientID, tok := cl.signIn(t, "alice@example.com")
	v := logins.New(logins.Config{UserPools: logins.UserPoolConfig{IssuerTemplate: cl.url + "/{pool}", CheckEndpoint: cl.url}})
	key := "cognito-idp.us-east-1.amazonaws.com/" + poolID
	pool := &storage.Pool{ID: "us-east-1:00000000-0000-4000-8000-000000000000",
		CognitoIdentityProviders: []storage.CognitoProvider{{ProviderName: key, ClientID: clientID, ServerSideTokenCheck: true}}}
	l, err := v.Verify(context.Background(), identity.LoginRequest{Pool: pool, Provider: key, Token: tok})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if l.RoleMappingKey != key+":"+clientID || l.Claims["cognito:username"] != "alice@example.com" {
		t.Fatalf("login = %+v", l)
	}
	// Disabled at the user pool: the server-side check refuses the same token.
	cl.call(t, "AdminDisableUser", map[string]any{"UserPoolId": poolID, "Username": "alice@example.com"}, nil)
	if _, err := v.Verify(context.Background(), identity.LoginRequest{Pool: pool, Provider: key, Token: tok}); err == nil {
		t.Fatal("token of a disabled user accepted with ServerSideTokenCheck")
	}
}

// TestCognitoLocalThroughServer: a cognito-local ID token becomes an
// identity and credentials through a real idpool process.
func TestCognitoLocalThroughServer(t *testing.T) {
	ctx := context.Background()
	cl := startCognitoLocal(t)
	poolID, clientID, tok := cl.signIn(t, "bob@example.com")
	s := harness.Start(t, harness.Options{Config: harness.DevAccounts + fmt.Sprintf(`
providers:
  userPools:
    issuerTemplate: "%s/{pool}"
    checkEndpoint: "%s"
`, cl.url, cl.url)})
	key := "cognito-idp.us-east-1.amazonaws.com/" + poolID
	pool, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("cognito-local e2e"),
		CognitoIdentityProviders: []types.CognitoIdentityProvider{
			{ProviderName: aws.String(key), ClientId: aws.String(clientID), ServerSideTokenCheck: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatalf("CreateIdentityPool: %v", err)
	}
	authRole(t, s, "UserPoolUsers", aws.ToString(pool.IdentityPoolId))
	anon := s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{key: tok}})
	if err != nil {
		t.Fatalf("GetId: %v", err)
	}
	creds, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: map[string]string{key: tok}})
	if err != nil || creds.Credentials == nil || aws.ToString(creds.Credentials.SecretKey) == "" {
		t.Fatalf("GetCredentialsForIdentity: %+v, %v", creds, err)
	}
	// A token whose signature does not verify is refused.
	_, err = anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{key: tok + "x"}})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid login token.")
}
