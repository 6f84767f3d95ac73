package conformance

import (
	"context"
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

// Option adjusts the suite.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, s storage.Store) storage.Store
}

// WithReopen enables the durability tests: reopen closes s and opens the
// same database again.
func WithReopen(reopen func(t *testing.T, s storage.Store) storage.Store) Option {
	return func(c *config) { c.reopen = reopen }
}

// Run runs the whole suite; each test gets a fresh store from open.
func Run(t *testing.T, open func(t *testing.T) storage.Store, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.Store)
	}{
		{"PoolCRUD", testPoolCRUD},
		{"PoolNilVersusEmpty", testPoolNilVersusEmpty},
		{"ListPools", testListPools},
		{"IdentityCRUD", testIdentityCRUD},
		{"CreateIdentityConflicts", testCreateIdentityConflicts},
		{"UpdateIdentityLogins", testUpdateIdentityLogins},
		{"ListIdentities", testListIdentities},
		{"LoginSubjects", testLoginSubjects},
		{"DeletePoolCascades", testDeletePoolCascades},
		{"Resources", testResources},
		{"Blobs", testBlobs},
		{"Times", testTimes},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"ViewIsOneSnapshot", testViewIsOneSnapshot},
		{"ViewSurvivesPanics", testViewSurvivesPanics},
		{"UpdateCanceledContext", testUpdateCanceledContext},
		{"ConcurrentSameLogin", testConcurrentSameLogin},
		{"ConcurrentBlobCAS", testConcurrentBlobCAS},
		{"ConcurrentReadModifyWrite", testConcurrentReadModifyWrite},
		{"ConcurrentBatchIsolation", testConcurrentBatchIsolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() { s.Close() }()
			tc.run(t, s)
		})
	}
	if cfg.reopen != nil {
		t.Run("DurableAcrossReopen", func(t *testing.T) {
			s := open(t)
			defer func() { s.Close() }()
			s = testDurable(t, s, cfg.reopen)
		})
	}
}

// update runs fn in s.Update and fails the test on error.
func update(t *testing.T, s storage.Store, fn func(storage.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test on error.
func view(t *testing.T, s storage.Store, fn func(storage.Reader) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}
