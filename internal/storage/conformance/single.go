package conformance

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

// testViewSingle: storage.ViewSingle reads what View reads, returns the
// same errors, sees one snapshot while writers change the pools, and runs
// a fn that issues more than one statement as a View.
func testViewSingle(t *testing.T, s storage.Store) {
	full := fullPool(poolID(1))
	createPools(t, s, full, bare(poolID(2)), bare(poolID(3)))

	var p *storage.Pool
	if err := storage.ViewSingle(ctx(), s, func(r storage.Reader) (err error) {
		p, err = r.GetPool(full.ID)
		return err
	}); err != nil {
		t.Fatalf("ViewSingle GetPool: %v", err)
	}
	same(t, p, full, "pool read by ViewSingle")
	err := storage.ViewSingle(ctx(), s, func(r storage.Reader) error {
		_, err := r.GetPool(poolID(9))
		return err
	})
	wantErr(t, err, storage.ErrNotFound, "ViewSingle of a missing pool")
	var listed, want []*storage.Pool
	if err := storage.ViewSingle(ctx(), s, func(r storage.Reader) (err error) {
		listed, err = r.ListPools(account, region, "", 10)
		return err
	}); err != nil {
		t.Fatalf("ViewSingle ListPools: %v", err)
	}
	view(t, s, func(r storage.Reader) (err error) {
		want, err = r.ListPools(account, region, "", 10)
		return err
	})
	same(t, listed, want, "pools listed by ViewSingle")
	canceled, cancel := context.WithCancel(ctx())
	cancel()
	calls := 0
	err = storage.ViewSingle(canceled, s, func(r storage.Reader) error {
		calls++
		_, err := r.GetPool(full.ID)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ViewSingle with a canceled context: %v (fn called %d times)", err, calls)
	}

	// Writers rename the three pools together, to the same generation:
	// a reader must always see three equal names, whether it reads them
	// with one statement or (falling back to a View) with three.
	rename := func(g int) error {
		return s.Update(ctx(), func(tx storage.Tx) error {
			for _, id := range []string{poolID(1), poolID(2), poolID(3)} {
				q, err := tx.GetPool(id)
				if err != nil {
					return err
				}
				q.Name = "g" + strconv.Itoa(g)
				if err := tx.UpdatePool(q); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := rename(0); err != nil {
		t.Fatal(err)
	}
	// read reads the three names, with one statement (ListPools) or with
	// three (GetPool each); interleave commits a new generation between
	// the first GetPool and the second.
	read := func(i int, list, interleave bool) {
		t.Helper()
		var names []string
		calls := 0
		err := storage.ViewSingle(ctx(), s, func(r storage.Reader) error {
			calls++
			names = names[:0]
			if list {
				ps, err := r.ListPools(account, region, "", 10)
				for _, q := range ps {
					names = append(names, q.Name)
				}
				return err
			}
			for n, id := range []string{poolID(1), poolID(2), poolID(3)} {
				q, err := r.GetPool(id)
				if err != nil {
					return err
				}
				names = append(names, q.Name)
				if n == 0 && interleave {
					if err := rename(-i); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if len(names) != 3 || names[0] != names[1] || names[1] != names[2] {
			t.Fatalf("read %d (%d calls of fn) saw pools of different generations: %v", i, calls, names)
		}
	}
	for i := range 10 {
		read(i, false, true)
	}

	// Then with a writer committing generations all along.
	var stop atomic.Bool
	var gens atomic.Int64
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for g := 1; !stop.Load(); g++ {
			if werr = rename(g); werr != nil {
				return
			}
			gens.Add(1)
		}
	}()
	defer func() {
		stop.Store(true)
		wg.Wait()
		if werr != nil {
			t.Errorf("writer: %v", werr)
		}
	}()
	// Read until the writer has committed a number of generations.
	for i := 0; i < 200 || (gens.Load() < 50 && i < 100000 && werr == nil); i++ {
		read(i, i%2 == 0, false)
	}
}
