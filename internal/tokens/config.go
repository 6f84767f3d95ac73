package tokens

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

// Limits and timings of the token service.
const (
	// DefaultRotation is how often a new signing key becomes active.
	DefaultRotation = 7 * 24 * time.Hour
	// MinTTL and MaxTTL bound a token's lifetime (GetOpenIdTokenForDeveloperIdentity
	// allows 1 second to 24 hours).
	MinTTL = time.Second
	MaxTTL = 24 * time.Hour
	// ClockSkew is tolerated on iat and nbf when verifying (a token signed
	// by a node whose clock runs a little ahead); never on exp.
	ClockSkew = time.Minute
	// retireMargin keeps a retired key published past MaxTTL, for clock
	// skew and for nodes that still sign with it until their next refresh.
	retireMargin = 5 * time.Minute
	// refreshInterval bounds how stale a node's view of the key blob gets.
	refreshInterval = 5 * time.Second
	// unknownKidInterval bounds storage reads caused by tokens with a kid
	// this node does not know (a freshly rotated key, or garbage).
	unknownKidInterval = time.Second
	// blobKey names the storage Blob holding the keys.
	blobKey = "tokens/signing-keys"
)

// Config configures a Service.
type Config struct {
	// Store holds the signing keys.
	Store storage.Store
	// Issuer is the public URL put in iss and the discovery document, e.g.
	// http://127.0.0.1:9350 (no trailing slash).
	Issuer string
	// Rotation is how often a new signing key becomes active; DefaultRotation if zero.
	Rotation time.Duration
	// EncryptionKey, when set (32 bytes), encrypts private keys at rest
	// with AES-256-GCM.
	EncryptionKey []byte
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Logger receives rotation events (never key material); slog.Default() if nil.
	Logger *slog.Logger
}

func (c *Config) normalize() error {
	if c.Store == nil {
		return errors.New("tokens: Config.Store is required")
	}
	c.Issuer = strings.TrimRight(c.Issuer, "/")
	u, err := url.Parse(c.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("tokens: issuer %q must be an absolute http(s) URL", c.Issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("tokens: issuer %q must not have a query or fragment", c.Issuer)
	}
	if c.Rotation == 0 {
		c.Rotation = DefaultRotation
	}
	if c.Rotation < 0 {
		return fmt.Errorf("tokens: rotation %v must be positive", c.Rotation)
	}
	if c.EncryptionKey != nil && len(c.EncryptionKey) != 32 {
		return fmt.Errorf("tokens: encryption key must be 32 bytes, not %d", len(c.EncryptionKey))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}
