package logins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Settings is the "providers" section of idpool's configuration file: where
// user pools and social providers are, for emulators and tests. Every field
// is optional; the zero value means the real AWS and social endpoints.
//
//	providers:
//	  userPools:
//	    issuerTemplate: http://127.0.0.1:9229/{pool}   # cognito-local
//	    checkEndpoint: http://127.0.0.1:9229
//	  social:
//	    google: {issuer: https://accounts.google.com}
//	    facebookGraphUrl: https://graph.facebook.com
//	  samlRecipients: [https://idpool.example.com/saml]
//	  fetchTimeout: 10s
//	  skew: 5m
type Settings struct {
	UserPools      UserPoolConfig `json:"userPools"`
	Social         SocialConfig   `json:"social"`
	SAMLRecipients []string       `json:"samlRecipients,omitempty"`
	FetchTimeout   string         `json:"fetchTimeout,omitempty"`
	Skew           string         `json:"skew,omitempty"`
}

// DecodeSettings reads the providers section (JSON, as the config loader
// hands it over); unknown keys are an error. An empty raw is the zero Settings.
func DecodeSettings(raw []byte) (Settings, error) {
	var s Settings
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return s, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		return s, fmt.Errorf("providers: %w", err)
	}
	for name, v := range map[string]string{"fetchTimeout": s.FetchTimeout, "skew": s.Skew} {
		if v == "" {
			continue
		}
		if d, err := time.ParseDuration(v); err != nil || d <= 0 {
			return s, fmt.Errorf("providers.%s: %q is not a positive duration", name, v)
		}
	}
	if d, err := time.ParseDuration(s.Skew); err == nil && d > MaxSkew {
		return s, fmt.Errorf("providers.skew: %q is more than %v", s.Skew, MaxSkew)
	}
	return s, nil
}

// Apply copies the settings into cfg.
func (s Settings) Apply(cfg *Config) {
	cfg.UserPools = s.UserPools
	cfg.Social = s.Social
	cfg.SAMLRecipients = s.SAMLRecipients
	if d, err := time.ParseDuration(s.FetchTimeout); err == nil {
		cfg.FetchTimeout = d
	}
	if d, err := time.ParseDuration(s.Skew); err == nil {
		cfg.Skew = d
	}
}
