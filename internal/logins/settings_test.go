package logins

import (
	"testing"
	"time"
)

func TestDecodeSettings(t *testing.T) {
	s, err := DecodeSettings([]byte(`{"userPools":{"issuerTemplate":"http://127.0.0.1:9229/{pool}"},"social":{"google":{"issuer":"https://g.example"}},"fetchTimeout":"3s"}`))
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	s.Apply(&cfg)
	if cfg.UserPools.issuer("us-east-1", "local_1") != "http://127.0.0.1:9229/local_1" || cfg.Social.Google.Issuer != "https://g.example" || cfg.FetchTimeout != 3*time.Second {
		t.Fatalf("%+v", cfg)
	}
	for _, bad := range []string{`{"nope":1}`, `{"skew":"soon"}`, `{"skew":"16m"}`, `{"skew":"24h"}`, `{"fetchTimeout":"-1s"}`} {
		if _, err := DecodeSettings([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if s, err := DecodeSettings([]byte(`{"skew":"30s"}`)); err != nil {
		t.Fatal(err)
	} else if s.Apply(&cfg); cfg.Skew != 30*time.Second {
		t.Fatalf("skew 30s: %v", cfg.Skew)
	}
	if _, err := DecodeSettings(nil); err != nil {
		t.Fatal(err)
	}
}
