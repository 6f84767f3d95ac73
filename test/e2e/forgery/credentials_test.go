package forgery

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/backends"
	"github.com/idpool/idpool/test/harness"
)

// Blobs of the server's store that hold its secrets. The test reads them
// as an insider would, only to make tokens that are authentic in every way
// but one (expired, wrong audience...), so each check is tried on its own
// without waiting out a real lifetime.
const (
	sessionKeyBlob = "sts/session-token-key"
	signingKeyBlob = "tokens/signing-keys"
)

// blob reads one blob of the running server's SQLite store.
func blob(t *testing.T, s *harness.Server, key string) []byte {
	t.Helper()
	ctx := context.Background()
	st, err := backends.Open(ctx, backends.Options{DataDir: s.DataDir, SkipMigrations: true})
	if err != nil {
		t.Fatalf("open the server's store: %v", err)
	}
	defer st.Close()
	var v []byte
	if err := st.View(ctx, func(r storage.Reader) error {
		b, err := r.GetBlob(key)
		if err == nil {
			v = b.Value
		}
		return err
	}); err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return v
}

// sessionSealer opens and seals session tokens as the server does:
// base64("IP\x01" || nonce || AES-256-GCM(record, aad = access key id)).
type sessionSealer struct{ aead cipher.AEAD }

var tokenMagic = []byte{'I', 'P', 1}

func newSessionSealer(t *testing.T, key []byte) *sessionSealer {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return &sessionSealer{aead}
}

func (s *sessionSealer) open(t *testing.T, keyID, token string) map[string]any {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	raw = raw[len(tokenMagic):]
	ns := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:ns], raw[ns:], []byte(keyID))
	if err != nil {
		t.Fatalf("the store's session key does not open a vended token: %v", err)
	}
	var rec map[string]any
	if err := json.Unmarshal(plain, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func (s *sessionSealer) seal(t *testing.T, keyID string, rec map[string]any) string {
	t.Helper()
	plain, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := append(append(append([]byte{}, tokenMagic...), nonce...), s.aead.Seal(nil, nonce, plain, []byte(keyID))...)
	return base64.StdEncoding.EncodeToString(out)
}

// vend gets temporary credentials for a fresh guest identity.
func (w *world) vend(t *testing.T) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	anon := w.s.Anonymous(harness.Region)
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(w.pool)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	if err != nil {
		t.Fatalf("GetCredentialsForIdentity: %v", err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretKey), SessionToken: aws.ToString(c.SessionToken)}
}

// credentialForgeries: vended credentials past their expiry, tampered,
// swapped or resealed session tokens, on STS and on Cognito Identity.
func credentialForgeries(t *testing.T, w *world, n *tally) {
	ctx := context.Background()
	a, b := w.vend(t), w.vend(t)
	callers := []struct {
		name                         string
		call                         func(aws.Credentials) error
		unknown, mismatch, expiredTk string
	}{
		{"sts GetCallerIdentity", func(c aws.Credentials) error {
			_, err := w.sts(credentials.StaticCredentialsProvider{Value: c}).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
			return err
		}, "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken"},
		{"cognito ListIdentityPools", func(c aws.Credentials) error {
			cl := w.s.CognitoAs(c.AccessKeyID, c.SecretAccessKey, harness.Region)
			_, err := cl.ListIdentityPools(ctx, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(1)}, func(o *cognitoidentity.Options) {
				o.Credentials = credentials.StaticCredentialsProvider{Value: c}
			})
			return err
		}, "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException"},
	}
	if err := callers[0].call(a); err != nil {
		t.Fatalf("genuine vended credentials are refused: %v", err)
	}

	sealer := newSessionSealer(t, sessionKey(t, w.s))
	rec := sealer.open(t, a.AccessKeyID, a.SessionToken)
	expiredAt := func(when time.Time) aws.Credentials {
		r := clone(rec)
		r["e"] = when.Unix()
		return aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey, SessionToken: sealer.seal(t, a.AccessKeyID, r)}
	}
	// Control: a resealed, unexpired record is accepted, so the expired
	// ones below are refused for their expiry alone.
	if err := callers[0].call(expiredAt(time.Now().Add(time.Hour))); err != nil {
		t.Fatalf("a resealed unexpired session is refused, so the expiry checks prove nothing: %v", err)
	}
	attacker := newSessionSealer(t, randomBytes(32))
	flip := func(i int) aws.Credentials {
		raw, _ := base64.StdEncoding.DecodeString(a.SessionToken)
		raw[(i+len(raw))%len(raw)] ^= 0x01
		return aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey, SessionToken: base64.StdEncoding.EncodeToString(raw)}
	}
	with := func(keyID, secret, token string) aws.Credentials {
		return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}
	}
	for _, c := range callers {
		list := []struct {
			name  string
			creds aws.Credentials
			want  string
		}{
			{"expired a second ago", expiredAt(time.Now().Add(-time.Second)), c.expiredTk},
			{"expired a day ago", expiredAt(time.Now().Add(-24 * time.Hour)), c.expiredTk},
			{"token magic flipped", flip(0), c.unknown},
			{"token nonce flipped", flip(5), c.unknown},
			{"token ciphertext flipped", flip(40), c.unknown},
			{"token tag flipped", flip(-1), c.unknown},
			{"token truncated", with(a.AccessKeyID, a.SecretAccessKey, a.SessionToken[:len(a.SessionToken)-12]), c.unknown},
			{"token extended", with(a.AccessKeyID, a.SecretAccessKey, a.SessionToken+"AAAA"), c.unknown},
			{"token not base64", with(a.AccessKeyID, a.SecretAccessKey, "!!"+a.SessionToken), c.unknown},
			{"another session's token", with(a.AccessKeyID, a.SecretAccessKey, b.SessionToken), c.unknown},
			{"another session's token and secret", with(a.AccessKeyID, b.SecretAccessKey, b.SessionToken), c.unknown},
			{"no session token", with(a.AccessKeyID, a.SecretAccessKey, ""), c.unknown},
			{"another session's secret", with(a.AccessKeyID, b.SecretAccessKey, a.SessionToken), c.mismatch},
			{"sealed with an attacker's key", with(a.AccessKeyID, a.SecretAccessKey, attacker.seal(t, a.AccessKeyID, rec)), c.unknown},
			{"sealed for another access key", with(a.AccessKeyID, a.SecretAccessKey, sealer.seal(t, b.AccessKeyID, rec)), c.unknown},
			{"dev key with a session token", with(harness.DevAccessKey, harness.DevSecretKey, a.SessionToken), c.unknown},
		}
		for _, f := range list {
			n.refuse(t, "credentials", c.name+": "+f.name, c.call(f.creds), f.want)
		}
	}
}

func sessionKey(t *testing.T, s *harness.Server) []byte {
	t.Helper()
	var d struct{ Key []byte }
	if err := json.Unmarshal(blob(t, s, sessionKeyBlob), &d); err != nil || len(d.Key) != 32 {
		t.Fatalf("session key blob: %v", err)
	}
	return d.Key
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
