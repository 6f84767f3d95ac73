package server

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
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
		got, source, err := keysSection{EncryptionKey: c.file}.encryptionKey(c.env)
		if err != nil || !bytes.Equal(got, c.want) || source != c.source {
			t.Errorf("%s: %x from %q, %v", c.name, got, source, err)
		}
	}
	short := b64(fileKey[:31])
	for _, k := range []keysSection{{EncryptionKey: short}, {}} {
		env := ""
		if k.EncryptionKey == "" {
			env = short
		}
		_, _, err := k.encryptionKey(env)
		if err == nil || strings.Contains(err.Error(), short) {
			t.Errorf("short key: %v", err)
		}
	}
}

// The sts section: flags over the file; settings without an external STS,
// an unknown kind, a pattern that does not compile and a timeout out of
// bounds stop the server at start.
func TestSTSSection(t *testing.T) {
	file := stsSection{Endpoint: "http://file:9000", Kind: "ceph", Timeout: "2s"}
	got := file.over(stsSection{Endpoint: "http://flag:9000", Kind: "minio"})
	if got != (stsSection{Endpoint: "http://flag:9000", Kind: "minio", Timeout: "2s"}) {
		t.Errorf("over = %+v", got)
	}
	ext, roles, err := stsSection{}.external(nil)
	if ext != nil || roles != nil || err != nil {
		t.Errorf("no endpoint: %v %v %v", ext, roles, err)
	}
	ext, roles, err = stsSection{Endpoint: "http://127.0.0.1:9000", Kind: "minio", Timeout: "1500ms"}.external(nil)
	if err != nil || ext == nil || !roles.MatchString("arn:minio:iam:::role/abc") || roles.MatchString("arn:aws:iam::000000000000:role/abc") {
		t.Errorf("minio: %v", err)
	}
	for _, c := range []struct {
		s    stsSection
		want string
	}{
		{stsSection{Kind: "minio"}, "sts.kind is set but there is no external STS"},
		{stsSection{RoleARNPattern: "arn:.*"}, "sts.roleArnPattern is set"},
		{stsSection{Timeout: "3s"}, "sts.timeout is set"},
		{stsSection{Endpoint: "http://x", Kind: "garage"}, `unknown STS kind "garage"`},
		{stsSection{Endpoint: "http://x", RoleARNPattern: "arn:(x"}, "role ARN pattern"},
		{stsSection{Endpoint: "http://x", Timeout: "10ms"}, "want a duration from 100ms to 5m0s"},
		{stsSection{Endpoint: "http://x", Timeout: "soon"}, `sts.timeout "soon"`},
	} {
		if _, _, err := c.s.external(nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
}
