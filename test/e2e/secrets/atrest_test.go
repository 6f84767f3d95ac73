package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/sealbox"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/tokens"
	"github.com/idpool/idpool/test/harness"
)

// useSecrets exercises every secret blob: token signing, credentials (the
// session-token key) and a paginated list (the pagination key). It returns
// vended credentials.
func useSecrets(t *testing.T, s *harness.Server, roleName string) aws.Credentials {
	t.Helper()
	ctx := t.Context()
	admin := cognitoClient(s, creds(accessKey, secretKey, ""))
	anon := s.Anonymous(harness.Region)
	pool, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("at rest"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	role, err := iamClient(s).CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(roleName), AssumeRolePolicyDocument: aws.String(trust(*pool.IdentityPoolId))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: pool.IdentityPoolId,
		Roles: map[string]string{"unauthenticated": *role.Role.Arn}}); err != nil {
		t.Fatal(err)
	}
	var last *ci.GetCredentialsForIdentityOutput
	for range 2 {
		id, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId, AccountId: aws.String(account)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId}); err != nil {
			t.Fatal(err)
		}
		if last, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := admin.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool.IdentityPoolId, MaxResults: aws.Int32(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("ListIdentities: %v, %v", page, err)
	}
	if _, err := admin.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool.IdentityPoolId, MaxResults: aws.Int32(1), NextToken: page.NextToken}); err != nil {
		t.Fatal(err)
	}
	c := last.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretKey), SessionToken: aws.ToString(c.SessionToken)}
}

// rawBlobs reads the secret blobs straight from the stopped server's file.
func rawBlobs(t *testing.T, dbPath string) map[string][]byte {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string][]byte{}
	err = st.View(context.Background(), func(r storage.Reader) error {
		for _, name := range []string{tokens.KeyBlob, sts.SessionKeyBlob, pagination.BlobKey} {
			b, err := r.GetBlob(name)
			if err != nil {
				return err
			}
			out[name] = b.Value
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read blobs: %v", err)
	}
	return out
}

// keyMaterial opens the sealed blobs with the key, as only a holder of the
// key can, and returns the secrets they hold in every form a careless
// store could hold them: raw bytes and base64.
func keyMaterial(t *testing.T, blobs map[string][]byte, encKey []byte) *secretSet {
	t.Helper()
	box, err := sealbox.New(encKey)
	if err != nil {
		t.Fatal(err)
	}
	open := func(name string) []byte {
		t.Helper()
		if !sealbox.IsSealed(blobs[name]) {
			t.Fatalf("blob %s is not sealed at rest", name)
		}
		v, err := box.Open(name, blobs[name])
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		return v
	}
	sec := &secretSet{}
	addBytes := func(name string, b []byte) {
		sec.add(name+" (raw)", string(b))
		sec.add(name+" (base64)", base64.StdEncoding.EncodeToString(b))
	}
	addBytes("encryption key", encKey)
	addBytes("pagination key", open(pagination.BlobKey))
	var session struct{ Key []byte }
	if err := json.Unmarshal(open(sts.SessionKeyBlob), &session); err != nil || len(session.Key) != 32 {
		t.Fatalf("session key blob: %v", err)
	}
	addBytes("session-token key", session.Key)

	// The token blob's private keys are sealed once more inside (tokens'
	// own format: AES-GCM under the configured key, the kid as additional
	// data) unless they predate the key.
	var kb struct {
		Active, Next struct {
			KID         string
			Priv, Nonce []byte
		}
	}
	if err := json.Unmarshal(open(tokens.KeyBlob), &kb); err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(encKey)
	gcm, _ := cipher.NewGCM(block)
	for _, k := range []struct {
		KID         string
		Priv, Nonce []byte
	}{kb.Active, kb.Next} {
		der := k.Priv
		if k.Nonce != nil {
			if der, err = gcm.Open(nil, k.Nonce, k.Priv, []byte(k.KID)); err != nil {
				t.Fatalf("open private key %s: %v", k.KID, err)
			}
		}
		parsed, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			t.Fatalf("private key %s: %v", k.KID, err)
		}
		priv := parsed.(*rsa.PrivateKey)
		addBytes("private key "+k.KID+" PKCS#8", der)
		addBytes("private exponent of "+k.KID, priv.D.Bytes())
		addBytes("prime of "+k.KID, priv.Primes[0].Bytes())
	}
	return sec
}

// TestSecretsAtRest starts a server without a key (secrets in the clear),
// restarts it with IDPOOL_ENCRYPTION_KEY (they are sealed on start and
// everything issued before still works), then scans the database files and
// an "idpool backup" copy for every secret. Starting without the key, or
// with another, is then a clear error.
func TestSecretsAtRest(t *testing.T) {
	dir := t.TempDir()
	addr := harness.FreeAddr(t)
	env := []string{"IDPOOL_SECRETS_E2E_KEY=" + secretKey, "IDPOOL_SECRETS_E2E_ENC=", "IDPOOL_ENCRYPTION_KEY="}
	s := harness.Start(t, harness.Options{Config: config, Env: env, DataDir: dir, Addr: addr})
	before := useSecrets(t, s, "BeforeTheKey")
	if !strings.Contains(s.Logs(), "stored unencrypted") {
		t.Errorf("no warning about unencrypted secrets:\n%s", s.Logs())
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "idpool.db")
	for name, v := range rawBlobs(t, dbPath) {
		if sealbox.IsSealed(v) {
			t.Fatalf("blob %s sealed without a key", name)
		}
	}

	encKey := newEncryptionKey()
	s = harness.Start(t, harness.Options{Config: config, DataDir: dir, Addr: addr,
		Env: []string{"IDPOOL_SECRETS_E2E_KEY=" + secretKey, "IDPOOL_SECRETS_E2E_ENC=", "IDPOOL_ENCRYPTION_KEY=" + encKey}})
	if !strings.Contains(s.Logs(), "sealed secrets that were stored unencrypted") || strings.Contains(s.Logs(), "stored unencrypted:") {
		t.Errorf("upgrade not logged as expected:\n%s", s.Logs())
	}
	// Credentials vended before the upgrade still verify.
	if _, err := stsClient(s, creds(before.AccessKeyID, before.SecretAccessKey, before.SessionToken)).GetCallerIdentity(t.Context(), &awssts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("credentials vended before the key was configured: %v", err)
	}
	useSecrets(t, s, "AfterTheKey")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, errOut, code := harness.Run(t, nil, harness.Binary(t), "backup", "--data-dir", dir, "--out", backup); code != 0 {
		t.Fatalf("idpool backup: %d\n%s%s", code, out, errOut)
	}
	rawKey, _ := base64.StdEncoding.DecodeString(encKey)
	sec := keyMaterial(t, rawBlobs(t, dbPath), rawKey)
	files, _ := filepath.Glob(filepath.Join(dir, "idpool.db*"))
	files = append(files, backup)
	var scanned int
	var found []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scanned += len(b)
		found = append(found, sec.scan(filepath.Base(f), b)...)
	}
	for _, f := range found {
		t.Error("secret in the clear: " + f)
	}
	t.Logf("secrets at rest: scanned %d bytes in %d files for %d secrets, %d found", scanned, len(files), len(sec.values), len(found))

	// Without the key, or with another: a clear startup error.
	cfg := filepath.Join(t.TempDir(), "idpool.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]string{"no key": "", "another key": newEncryptionKey()} {
		_, errOut, code := harness.Run(t, []string{"IDPOOL_SECRETS_E2E_KEY=" + secretKey, "IDPOOL_SECRETS_E2E_ENC=", "IDPOOL_ENCRYPTION_KEY=" + key},
			harness.Binary(t), "serve", "--addr", harness.FreeAddr(t), "--data-dir", dir, "--config", cfg)
		want := map[string]string{"no key": "is encrypted and no encryption key is configured", "another key": "wrong encryption key"}[name]
		if code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr:\n%s", name, code, errOut)
		}
		if key != "" && strings.Contains(errOut, key) {
			t.Errorf("%s: the startup error prints the key", name)
		}
	}
}
