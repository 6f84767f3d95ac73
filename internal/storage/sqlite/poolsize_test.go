package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

// fillStrings sets every string reachable from v to s (two entries per map
// and slice) and returns how many bytes of strings it wrote.
func fillStrings(v reflect.Value, s string) int {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return len(s)
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Struct {
			return 0
		}
		v.Set(reflect.New(v.Type().Elem()))
		return fillStrings(v.Elem(), s)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		return fillStrings(v.Index(0), s) + fillStrings(v.Index(1), s)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		n := 0
		for i := range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			n += fillStrings(k, s+strings.Repeat("k", i+1))
			e := reflect.New(v.Type().Elem()).Elem()
			n += fillStrings(e, s)
			v.SetMapIndex(k, e)
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				n += fillStrings(v.Field(i), s)
			}
		}
		return n
	}
	return 0
}

// TestPoolSizeCountsEveryString: the cache's budget is only a bound if
// poolSize weighs every string a pool can hold, including fields added
// after it was written.
func TestPoolSizeCountsEveryString(t *testing.T) {
	var p storage.Pool
	n := fillStrings(reflect.ValueOf(&p).Elem(), strings.Repeat("x", 1000))
	if got := poolSize(&p); got < n {
		t.Fatalf("poolSize = %d for a pool holding %d bytes of strings", got, n)
	}
}

// TestPoolCacheBudget: what a connection keeps never exceeds the budget,
// and an entry too big for it is not kept at all.
func TestPoolCacheBudget(t *testing.T) {
	var pc readCache
	pc.sync(1)
	for i := range 10_000 {
		if !pc.admit(cacheBudget / 100) {
			t.Fatalf("entry %d of a hundredth of the budget refused", i)
		}
		pc.pools[string(rune(i))] = &storage.Pool{}
		if pc.used > cacheBudget {
			t.Fatalf("after %d entries the cache holds %d bytes, budget %d", i, pc.used, cacheBudget)
		}
	}
	if len(pc.pools) > 100 {
		t.Fatalf("%d entries of a hundredth of the budget kept", len(pc.pools))
	}
	if pc.admit(cacheBudget/4 + 1) {
		t.Fatal("an entry over a quarter of the budget was admitted")
	}
	pc.sync(2)
	if pc.used != 0 || len(pc.pools) != 0 {
		t.Fatalf("a new data_version kept %d entries (%d bytes)", len(pc.pools), pc.used)
	}
}

// TestPoolCacheEmptyPagesAreCharged: ListPools pages are keyed by a region
// and an offset the caller chooses; empty ones must count against the
// budget too, or a caller could fill memory until the next commit.
func TestPoolCacheEmptyPagesAreCharged(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"),
		Options{ReadConns: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 20_000 {
		if err := s.View(context.Background(), func(r storage.Reader) error {
			_, err := r.ListPools("000000000000", fmt.Sprintf("xx-region-%d", i), "", 60)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	rc := <-s.reads.pool
	defer func() { s.reads.pool <- rc }()
	if rc.cache.used > cacheBudget || len(rc.cache.lists) > cacheBudget/entryCost {
		t.Fatalf("20,000 empty pages left %d entries weighing %d (budget %d)", len(rc.cache.lists), rc.cache.used, cacheBudget)
	}
}
