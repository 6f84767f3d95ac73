package config_test

import (
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/config"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseExpandsSecrets(t *testing.T) {
	c, err := config.Parse([]byte(`
issuer: https://id.example.com
accounts:
  - id: "123456789012"
    keys:
      - accessKeyId: AKIAEXAMPLE
        secretAccessKey: ${IDPOOL_SECRET}
limits:
  poolsPerAccount: 5
storage:
  type: postgres
  url: postgres://idpool:${PGPASS}@db/idpool
sts:
  mode: embedded
`), env(map[string]string{"IDPOOL_SECRET": "s3cr$t: x", "PGPASS": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.Accounts[0].Keys[0].SecretAccessKey; got != "s3cr$t: x" {
		t.Errorf("secret = %q", got)
	}
	if c.Storage.Spec() != "postgres://idpool:pw@db/idpool" || c.Limits.PoolsPerAccount != 5 || len(c.STS) == 0 {
		t.Errorf("config = %+v", c)
	}
	if a := c.AuthAccounts(); a[0].Keys["AKIAEXAMPLE"] != "s3cr$t: x" {
		t.Errorf("auth accounts = %+v", a)
	}
}

func TestParseRefuses(t *testing.T) {
	cases := map[string]string{
		"an unknown key":      "acounts: []",
		"an unset variable":   "issuer: ${NOPE}",
		"a type mismatch":     "accounts: yes",
		"YAML that is broken": "accounts: [",
	}
	for name, text := range cases {
		t.Run("with "+name, func(t *testing.T) {
			if _, err := config.Parse([]byte(text), env(nil)); err == nil {
				t.Fatal("parsed")
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c, err := config.Parse([]byte(`
issuer: "ftp://x"
accounts:
  - id: "12"
    keys: [{accessKeyId: "a b", secretAccessKey: ""}]
  - id: "12"
    keys: []
limits: {tagsPerPool: -1}
storage: {type: mysql}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("valid")
	}
	for _, want := range []string{"issuer", "must be 12 digits", "appears twice", "has no keys", "accessKeyId must be", "secretAccessKey is empty", "negative", "storage.type"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
