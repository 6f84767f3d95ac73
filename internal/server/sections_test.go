package server

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/config"
	"github.com/idpool/idpool/internal/ratelimit"
)

// The config file's key wins over IDPOOL_ENCRYPTION_KEY; errors never
// quote the key.
func TestEncryptionKeySource(t *testing.T) {
	fileKey := bytes.Repeat([]byte{1}, 32)
	envKey := bytes.Repeat([]byte{2}, 32)
	b64 := base64.StdEncoding.EncodeToString
	cases := []struct {
		name, file, env string
		want            []byte
		source          string
	}{
		{"neither", "", "", nil, ""},
		{"file only", b64(fileKey), "", fileKey, "config keys.encryptionKey"},
		{"env only", "", b64(envKey), envKey, "IDPOOL_ENCRYPTION_KEY"},
		{"both: the file wins", b64(fileKey), b64(envKey), fileKey, "config keys.encryptionKey"},
	}
	for _, c := range cases {
		got, source, err := encryptionKey(config.Keys{EncryptionKey: c.file}, c.env)
		if err != nil || !bytes.Equal(got, c.want) || source != c.source {
			t.Errorf("%s: %x from %q, %v", c.name, got, source, err)
		}
	}
	short := b64(fileKey[:31])
	for _, k := range []config.Keys{{EncryptionKey: short}, {}} {
		env := ""
		if k.EncryptionKey == "" {
			env = short
		}
		_, _, err := encryptionKey(k, env)
		if err == nil || strings.Contains(err.Error(), short) {
			t.Errorf("short key: %v", err)
		}
	}
}

// The sts section: flags over the file; settings without an external STS,
// an unknown kind, a pattern that does not compile and a timeout out of
// bounds are each reported by Validate with the server's checks.
func TestSTSSection(t *testing.T) {
	file := config.STS{Endpoint: "http://file:9000", Kind: "ceph", Timeout: "2s"}
	got := file.Over(config.STS{Endpoint: "http://flag:9000", Kind: "minio"})
	if got != (config.STS{Endpoint: "http://flag:9000", Kind: "minio", Timeout: "2s"}) {
		t.Errorf("over = %+v", got)
	}
	ext, roles, err := externalSTS(config.STS{}, nil)
	if ext != nil || roles != nil || err != nil {
		t.Errorf("no endpoint: %v %v %v", ext, roles, err)
	}
	ext, roles, err = externalSTS(config.STS{Endpoint: "http://127.0.0.1:9000", Kind: "minio", Timeout: "1500ms"}, nil)
	if err != nil || ext == nil || !roles.MatchString("arn:minio:iam:::role/abc") || roles.MatchString("arn:aws:iam::000000000000:role/abc") {
		t.Errorf("minio: %v", err)
	}
	for _, c := range []struct {
		s    config.STS
		want string
	}{
		{config.STS{Kind: "minio"}, "sts.kind is set but there is no external STS"},
		{config.STS{RoleARNPattern: "arn:.*"}, "sts.roleArnPattern is set"},
		{config.STS{Timeout: "3s"}, "sts.timeout is set"},
		{config.STS{Endpoint: "http://x", Kind: "garage"}, `unknown STS kind "garage"`},
		{config.STS{Endpoint: "http://x", RoleARNPattern: "arn:(x"}, "role ARN pattern"},
		{config.STS{Endpoint: "http://x", Timeout: "10ms"}, "want a duration from 100ms to 5m0s"},
		{config.STS{Endpoint: "http://x", Timeout: "soon"}, `sts.timeout "soon"`},
		{config.STS{Endpoint: "minio:9000"}, `sts.endpoint "minio:9000"`},
	} {
		cfg := &config.Config{STS: c.s}
		if err := cfg.Validate(checks()...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
}

// The server's checks find what needs its packages' knowledge, all at once
// with the file's own problems.
func TestChecksJoinValidate(t *testing.T) {
	c := &config.Config{
		Accounts:   []config.Account{{ID: "111122223333", Keys: []config.Key{{AccessKeyID: "AKIA1", SecretAccessKey: "s"}}}},
		Regions:    []string{"Mars"},
		RateLimits: config.RateLimits{Operations: map[string]config.Rate{"GetIdd": {RPS: 1}}, Accounts: map[string]config.AccountRates{"111122223333": {Operations: map[string]config.Rate{"AssumeRole": {RPS: 1}}}}},
		Lifetimes:  config.Lifetimes{Enabled: true, LifetimeSet: config.LifetimeSet{Credentials: config.Duration(2 * time.Hour)}},
		STS:        config.STS{Endpoint: "http://sts:9000", Kind: "garage"},
		Keys:       config.Keys{EncryptionKey: "c2hvcnQ="},
		Providers:  config.Providers{Skew: "20m"},
		Faults:     []config.FaultRule{{Operation: "GetId", Error: "NoSuchBucket"}, {Operation: "GetIdd"}},
	}
	err := c.Validate(checks()...)
	if err == nil {
		t.Fatal("valid")
	}
	for _, want := range []string{"regions[0]", "rateLimits.operations.GetIdd: not a Cognito Identity operation",
		"rateLimits.accounts.111122223333.operations.AssumeRole", "lifetimes: 1 validation error detected: Value '2h0m0s' at 'credentials'",
		`unknown STS kind "garage"`, "keys.encryptionKey: want 32 bytes", "providers.skew", "faults[0]: ", "faults[1]: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "c2hvcnQ=") {
		t.Errorf("the encryption key is quoted:\n%v", err)
	}
	good := &config.Config{RateLimits: config.RateLimits{Profile: "aws", Operations: map[string]config.Rate{}}}
	for name, r := range ratelimit.AWSProfile() {
		good.RateLimits.Operations[name] = r
	}
	if err := good.Validate(checks()...); err != nil {
		t.Errorf("the AWS profile's operations do not validate: %v", err)
	}
}
