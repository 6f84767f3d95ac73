package server

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/metrics"
	"github.com/idpool/idpool/internal/storage"
)

// probeKey is the blob the health probe rewrites while writes fail.
const probeKey = "server/write-probe"

// storeHealth watches the store's writes for conditions that last until an
// operator acts (storage.ErrFull, storage.ErrReadOnly). On the first such
// failure it logs once, /healthz turns 503 and idpool_storage_writable 0;
// a small probe write then runs every probeEvery, so the node recovers
// without traffic, and the first write that succeeds (the probe's or a
// client's) logs the recovery once and clears the state.
type storeHealth struct {
	inner      storage.Store
	log        *slog.Logger
	met        atomic.Pointer[metrics.Metrics] // set once composed; nil records nothing
	probeEvery time.Duration

	cond  atomic.Pointer[string] // nil: writes work
	mu    sync.Mutex             // serialises transitions
	since time.Time
	stop  chan struct{}
	done  sync.WaitGroup
}

var _ storage.Store = (*storeHealth)(nil)

func newStoreHealth(inner storage.Store, log *slog.Logger) *storeHealth {
	return &storeHealth{inner: inner, log: log, probeEvery: 2 * time.Second, stop: make(chan struct{})}
}

func (h *storeHealth) View(ctx context.Context, fn func(storage.Reader) error) error {
	return h.inner.View(ctx, fn)
}

func (h *storeHealth) Update(ctx context.Context, fn func(storage.Tx) error) error {
	err := h.inner.Update(ctx, fn)
	switch c := storage.WriteCondition(err); {
	case c != "":
		h.met.Load().StorageWriteFailed(c)
		h.enter(c, err)
	case err == nil && h.cond.Load() != nil:
		h.leave()
	}
	return err
}

func (h *storeHealth) Close() error {
	close(h.stop)
	h.done.Wait()
	return h.inner.Close()
}

// Condition is the condition stopping writes ("full", "read-only"), or "".
func (h *storeHealth) Condition() string {
	if c := h.cond.Load(); c != nil {
		return *c
	}
	return ""
}

// writable is the idpool_storage_writable gauge.
func (h *storeHealth) writable() float64 {
	if h.cond.Load() != nil {
		return 0
	}
	return 1
}

func (h *storeHealth) enter(c string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.cond.Load(); old != nil {
		if *old != c {
			h.cond.Store(&c)
		}
		return
	}
	h.cond.Store(&c)
	h.since = time.Now()
	// The driver's text ("database or disk is full") names no secret.
	h.log.Error("storage cannot take writes; reads are still served and /healthz answers 503 until a write succeeds",
		"condition", c, "err", err)
	h.done.Add(1)
	go h.probe()
}

func (h *storeHealth) leave() {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.cond.Load()
	if old == nil {
		return
	}
	h.cond.Store(nil)
	h.log.Info("storage takes writes again", "condition", *old, "after", time.Since(h.since).Round(time.Millisecond).String())
}

// probe rewrites one small blob until a write succeeds or the store closes.
func (h *storeHealth) probe() {
	defer h.done.Done()
	t := time.NewTicker(h.probeEvery)
	defer t.Stop()
	for h.cond.Load() != nil {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = h.Update(ctx, func(tx storage.Tx) error {
			b, err := tx.GetBlob(probeKey)
			if errors.Is(err, storage.ErrNotFound) {
				b, err = &storage.Blob{Key: probeKey}, nil
			}
			if err != nil {
				return err
			}
			b.Value = []byte(time.Now().UTC().Format(time.RFC3339Nano))
			return tx.PutBlob(b)
		})
		cancel()
	}
}
