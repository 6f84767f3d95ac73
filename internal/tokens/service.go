package tokens

import (
	"context"
	"crypto/cipher"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/identity"
)

// Service issues and verifies identity-pool OpenID tokens and serves the
// discovery document and JWKS. It is safe for concurrent use.
type Service struct {
	cfg  Config
	aead cipher.AEAD

	// state is the current key set; replaced whole, never mutated.
	state atomic.Pointer[keySet]
	// mu serializes sync (storage reads and writes of the key blob).
	mu sync.Mutex
	// refreshing is set while a background refresh runs.
	refreshing atomic.Bool
	// lastUnknownKid is when (UnixNano) an unknown kid last caused a reload.
	lastUnknownKid atomic.Int64

	discovery []byte
	// bufs holds scratch buffers for claim encoding.
	bufs sync.Pool
}

var (
	_ identity.TokenIssuer   = (*Service)(nil)
	_ identity.TokenVerifier = (*Service)(nil)
)

// New loads the signing keys from cfg.Store, creating them on first start
// (and rotating them if a rotation is due), and returns the Service.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	aead, err := newAEAD(cfg.EncryptionKey)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, aead: aead}
	s.bufs.New = func() any { b := make([]byte, 0, 1024); return &b }
	if s.discovery, err = discoveryDocument(cfg.Issuer); err != nil {
		return nil, err
	}
	if err := s.sync(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// keys returns the current key set, starting a background refresh when it
// is stale. The caller never waits for storage.
func (s *Service) keys() *keySet {
	ks := s.state.Load()
	if ks.stale(s.cfg.Now()) && s.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer s.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := s.sync(ctx); err != nil {
				s.cfg.Logger.Error("token signing keys: refresh failed", "err", err)
			}
		}()
	}
	return ks
}

// Refresh re-reads the keys now, rotating them if due. The service does this
// by itself; Refresh is for callers that want it to happen at a known time.
func (s *Service) Refresh(ctx context.Context) error { return s.sync(ctx) }

// Issuer returns the issuer URL tokens carry.
func (s *Service) Issuer() string { return s.cfg.Issuer }
