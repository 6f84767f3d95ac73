// Package secrets checks that idpool keeps its secrets: a full flow against
// a real server logging at debug level (text and JSON) must leave no token,
// secret key, session token or private key in the logs or in error messages
// returned to clients, and with an encryption key configured the database
// file and its backup must hold no private key, session-token key or
// pagination key in the clear.
package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/test/harness"
)

const (
	account   = "123456789012"
	accessKey = "AKIASECRETSE2ETEST1"
	// secretKey is the account's secret access key; the config reads it
	// from the environment, as operators are told to.
	secretKey = "s3cr3t-access-key-of-the-e2e-account-0123"
)

const config = `
accounts:
  - id: "` + account + `"
    keys:
      - accessKeyId: ` + accessKey + `
        secretAccessKey: ${IDPOOL_SECRETS_E2E_KEY}
keys:
  encryptionKey: ${IDPOOL_SECRETS_E2E_ENC}
`

// newEncryptionKey returns a fresh base64 encryption key.
func newEncryptionKey() string {
	return base64.StdEncoding.EncodeToString([]byte(rand.Text() + rand.Text())[:32])
}

// startServer starts idpool with the config above and extra arguments.
func startServer(t *testing.T, encKey string, extraEnv []string, args ...string) *harness.Server {
	t.Helper()
	env := append([]string{"IDPOOL_SECRETS_E2E_KEY=" + secretKey, "IDPOOL_SECRETS_E2E_ENC=" + encKey}, extraEnv...)
	return harness.Start(t, harness.Options{Config: config, Env: env, Args: args})
}

func creds(key, secret, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(key, secret, token)
}

func cognitoClient(s *harness.Server, c aws.CredentialsProvider) *cognitoidentity.Client {
	return cognitoidentity.New(cognitoidentity.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: c, RetryMaxAttempts: 1})
}

func iamClient(s *harness.Server) *awsiam.Client {
	return awsiam.New(awsiam.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: creds(accessKey, secretKey, ""), RetryMaxAttempts: 1})
}

func stsClient(s *harness.Server, c aws.CredentialsProvider) *awssts.Client {
	return awssts.New(awssts.Options{Region: harness.Region, BaseEndpoint: aws.String(s.URL), Credentials: c, RetryMaxAttempts: 1})
}

// secretSet holds what must never be seen, by name.
type secretSet struct {
	names  []string
	values []string
}

// add records a secret; values of 40 characters or more are also looked
// for by their last 32 characters (the signature of a JWT, the tag of a
// session token), so a truncated copy is found too.
func (s *secretSet) add(name, value string) {
	if value == "" {
		return
	}
	s.names = append(s.names, name)
	s.values = append(s.values, value)
	if len(value) >= 40 {
		s.names = append(s.names, name+" (tail)")
		s.values = append(s.values, value[len(value)-32:])
	}
}

// privateKeyPatterns find private key material in any encoding idpool
// could print: PEM blocks and the private members of a JWK.
var privateKeyPatterns = []*regexp.Regexp{
	regexp.MustCompile(`PRIVATE KEY`),
	regexp.MustCompile(`\\?"(d|p|q|dp|dq|qi)\\?"\s*:\s*\\?"[A-Za-z0-9_-]{20,}`),
}

// scan returns a description of every secret found in text.
func (s *secretSet) scan(where string, text []byte) []string {
	var found []string
	for i, v := range s.values {
		if bytes.Contains(text, []byte(v)) {
			found = append(found, where+": "+s.names[i])
		}
	}
	for _, re := range privateKeyPatterns {
		if loc := re.FindIndex(text); loc != nil {
			found = append(found, where+": private key material "+string(text[loc[0]:min(loc[1], loc[0]+12)])+"...")
		}
	}
	return found
}
