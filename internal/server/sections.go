package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// stsSection is the config file's "sts" section.
type stsSection struct {
	// Endpoint of an external STS; empty uses the embedded one.
	Endpoint string `json:"endpoint"`
	// Region signed into requests to the external STS.
	Region string `json:"region"`
}

// keysSection is the config file's "keys" section: the token signing keys.
type keysSection struct {
	// Rotation is how often a new signing key becomes active ("168h").
	Rotation string `json:"rotation"`
	// EncryptionKey (base64, 32 bytes; use ${ENV} in the file) encrypts the
	// private signing keys at rest.
	EncryptionKey string `json:"encryptionKey"`
}

// decodeSection strictly decodes a raw config section into v (nothing set: v unchanged).
func decodeSection(name string, raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("config section %s: %v", name, err)
	}
	return nil
}

// parse returns the rotation period and encryption key of a keys section.
func (k keysSection) parse() (time.Duration, []byte, error) {
	var rot time.Duration
	if k.Rotation != "" {
		d, err := time.ParseDuration(k.Rotation)
		if err != nil || d < time.Minute {
			return 0, nil, fmt.Errorf("config keys.rotation %q: want a duration of at least 1m", k.Rotation)
		}
		rot = d
	}
	var key []byte
	if k.EncryptionKey != "" {
		b, err := base64.StdEncoding.DecodeString(k.EncryptionKey)
		if err != nil || len(b) != 32 {
			return 0, nil, fmt.Errorf("config keys.encryptionKey: want 32 bytes in base64")
		}
		key = b
	}
	return rot, key, nil
}
