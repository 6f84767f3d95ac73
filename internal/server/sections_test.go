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
