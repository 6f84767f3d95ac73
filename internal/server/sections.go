package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/sealbox"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/tokens"
)

// stsSection is the config file's "sts" section.
type stsSection struct {
	// Endpoint of an external STS; empty uses the embedded one.
	Endpoint string `json:"endpoint"`
	// Region signed into requests to the external STS.
	Region string `json:"region"`
	// Kind of the external STS (aws, minio, ceph; aws when empty): the
	// form of the role ARNs pools may name.
	Kind string `json:"kind"`
	// RoleARNPattern is a regular expression for more role ARNs the
	// external STS takes; an ARN must match it whole.
	RoleARNPattern string `json:"roleArnPattern"`
	// Timeout bounds each credentials request to the external STS, its
	// retries included ("5s").
	Timeout string `json:"timeout"`
}

// over returns c with the fields flags sets replaced (the flags win).
func (c stsSection) over(flags stsSection) stsSection {
	for _, f := range []struct{ dst, src *string }{
		{&c.Endpoint, &flags.Endpoint}, {&c.Region, &flags.Region}, {&c.Kind, &flags.Kind},
		{&c.RoleARNPattern, &flags.RoleARNPattern}, {&c.Timeout, &flags.Timeout},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	return c
}

// Bounds of sts.timeout.
const (
	minSTSTimeout = 100 * time.Millisecond
	maxSTSTimeout = 5 * time.Minute
)

// external returns the external STS c configures (nil: the embedded one
// vends) and the role ARNs pools may name with it. Its settings without an
// endpoint are an error: they would silently do nothing.
func (c stsSection) external(log *slog.Logger) (*sts.External, *regexp.Regexp, error) {
	if c.Endpoint == "" {
		for _, f := range []struct{ name, v string }{{"kind", c.Kind}, {"roleArnPattern", c.RoleARNPattern}, {"timeout", c.Timeout}} {
			if f.v != "" {
				return nil, nil, fmt.Errorf("config sts.%s is set but there is no external STS: set sts.endpoint (or --sts-endpoint)", f.name)
			}
		}
		return nil, nil, nil
	}
	roles, err := sts.RoleARNs(sts.Kind(c.Kind), c.RoleARNPattern)
	if err != nil {
		return nil, nil, fmt.Errorf("config sts: %v", err)
	}
	var timeout time.Duration
	if c.Timeout != "" {
		timeout, err = time.ParseDuration(c.Timeout)
		if err != nil || timeout < minSTSTimeout || timeout > maxSTSTimeout {
			return nil, nil, fmt.Errorf("config sts.timeout %q: want a duration from %s to %s", c.Timeout, minSTSTimeout, maxSTSTimeout)
		}
	}
	ext, err := sts.NewExternal(sts.ExternalConfig{Endpoint: c.Endpoint, Region: c.Region, Timeout: timeout, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return ext, roles, nil
}

// keysSection is the config file's "keys" section: the token signing keys.
type keysSection struct {
	// Rotation is how often a new signing key becomes active ("168h").
	Rotation string `json:"rotation"`
	// EncryptionKey (base64, 32 bytes; use ${ENV} in the file) encrypts the
	// secrets at rest: signing keys, the STS session-token key, the
	// pagination key. IDPOOL_ENCRYPTION_KEY is used when it is unset.
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

// parse returns the rotation period of a keys section.
func (k keysSection) parse() (time.Duration, error) {
	var rot time.Duration
	if k.Rotation != "" {
		d, err := time.ParseDuration(k.Rotation)
		if err != nil || d < time.Minute {
			return 0, fmt.Errorf("config keys.rotation %q: want a duration of at least 1m", k.Rotation)
		}
		rot = d
	}
	return rot, nil
}

// encryptionKey resolves the key that seals secrets at rest: the config
// file's keys.encryptionKey when set, else env (IDPOOL_ENCRYPTION_KEY). The
// file wins: it is this server's explicit setting (and may itself name the
// variable as ${IDPOOL_ENCRYPTION_KEY}); a variable inherited from a shell
// must not silently replace it. It returns nil when neither is set, and
// where the key came from for the log. Errors never quote the key.
func (k keysSection) encryptionKey(env string) ([]byte, string, error) {
	switch {
	case k.EncryptionKey != "":
		b, err := sealbox.ParseKey(k.EncryptionKey)
		if err != nil {
			return nil, "", fmt.Errorf("config keys.encryptionKey: %v", err)
		}
		return b, "config keys.encryptionKey", nil
	case env != "":
		b, err := sealbox.ParseKey(env)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %v", sealbox.EnvKey, err)
		}
		return b, sealbox.EnvKey, nil
	}
	return nil, "", nil
}

// secretBlobs are the storage blobs that hold secrets.
var secretBlobs = [...]string{tokens.KeyBlob, sts.SessionKeyBlob, pagination.BlobKey}

// sealSecrets returns store with its blobs sealed by key at rest (store
// itself when key is nil), after sealing secret blobs still in the clear
// and checking the sealed ones open (sealbox.Prepare).
func sealSecrets(ctx context.Context, store storage.Store, key []byte, source string, dev bool, log *slog.Logger) (storage.Store, error) {
	var box *sealbox.Box
	if key != nil {
		var err error
		if box, err = sealbox.New(key); err != nil {
			return nil, err
		}
	}
	sealed, err := sealbox.Prepare(ctx, store, box, secretBlobs[:]...)
	if err != nil {
		return nil, err
	}
	if len(sealed) > 0 {
		log.Info("sealed secrets that were stored unencrypted", "blobs", sealed)
	}
	if box == nil {
		if !dev {
			log.Warn("no encryption key (keys.encryptionKey or " + sealbox.EnvKey + "): signing keys and other secrets are stored unencrypted")
		}
		return store, nil
	}
	log.Info("secrets are encrypted at rest", "key", source)
	return sealbox.Wrap(store, box), nil
}
