package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// writer owns the only write connection. Its goroutine takes every Update
// queued so far, runs them in one transaction and commits once.
type writer struct {
	db       *sql.DB
	conn     *sql.Conn
	cache    *stmtCache
	queue    chan *request
	done     chan struct{}
	maxBatch int
	// ctx is the writer's own: a caller's cancellation must not interrupt a
	// statement of a shared transaction (SQLite would roll all of it back).
	ctx context.Context
}

func newWriter(db *sql.DB, conn *sql.Conn, maxBatch int) *writer {
	return &writer{
		db:       db,
		conn:     conn,
		cache:    newStmtCache(conn),
		queue:    make(chan *request, maxBatch),
		done:     make(chan struct{}),
		maxBatch: maxBatch,
		ctx:      context.Background(),
	}
}

// Request states.
const (
	queued int32 = iota
	running
	abandoned
)

// request is one Update waiting for the writer.
type request struct {
	fn    func(storage.Tx) error
	state atomic.Int32
	done  chan struct{}
	err   error
	// panicked holds a panic raised by fn, re-raised in the caller.
	panicked any
}

func newRequest(fn func(storage.Tx) error) *request {
	return &request{fn: fn, done: make(chan struct{})}
}

// wait returns the request's outcome. A caller whose context ends while the
// request is still queued withdraws it; once it runs, the caller waits for
// the commit so that a nil error always means durable.
func (r *request) wait(ctx context.Context) error {
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		<-r.done
	}
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// exec runs one statement of the writer's own (BEGIN, COMMIT, savepoints),
// its error translated like a statement's: a COMMIT on a full disk is
// storage.ErrFull, not an unknown failure.
func (w *writer) exec(query string) error {
	s, err := w.cache.get(w.ctx, query)
	if err != nil {
		return mapErr(err)
	}
	_, err = s.ExecContext(w.ctx)
	return mapErr(err)
}

// run is the writer goroutine; it ends when the queue is closed and drained.
func (w *writer) run() {
	defer close(w.done)
	batch := make([]*request, 0, w.maxBatch)
	for r := range w.queue {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < w.maxBatch {
			select {
			case r, ok := <-w.queue:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.commit(batch)
	}
}

// commit runs batch in one transaction, each request in a savepoint, and
// tells every request its outcome after the COMMIT.
func (w *writer) commit(batch []*request) {
	var live []*request
	for _, r := range batch {
		if r.state.CompareAndSwap(queued, running) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	defer func() {
		for _, r := range live {
			close(r.done)
		}
	}()
	fail := func(err error) {
		for _, r := range live {
			if r.err == nil && r.panicked == nil {
				r.err = err
			}
		}
	}
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	tx := sqlstore.NewTx(conn{ctx: w.ctx, cache: w.cache})
	for _, r := range live {
		if err := w.runOne(r, tx); err != nil {
			// The transaction is broken (an I/O error can make SQLite roll
			// it back by itself): nothing in it was acknowledged yet.
			w.exec("ROLLBACK") //nolint:errcheck // may already be rolled back
			fail(err)
			return
		}
	}
	if err := w.exec("COMMIT"); err != nil {
		w.exec("ROLLBACK") //nolint:errcheck // may already be rolled back
		fail(fmt.Errorf("sqlite: commit: %w", err))
	}
}

// runOne runs r.fn inside a savepoint and records its outcome in r. It
// returns an error only when the enclosing transaction cannot go on.
func (w *writer) runOne(r *request, tx storage.Tx) error {
	if err := w.exec("SAVEPOINT u"); err != nil {
		return fmt.Errorf("sqlite: savepoint: %w", err)
	}
	r.err, r.panicked = call(r.fn, tx)
	if r.err != nil || r.panicked != nil {
		if err := w.exec("ROLLBACK TO u"); err != nil {
			return fmt.Errorf("sqlite: rollback to savepoint: %w", err)
		}
	}
	if err := w.exec("RELEASE u"); err != nil {
		return fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return nil
}

// call runs fn, turning a panic into a value so the writer survives it.
func call(fn func(storage.Tx) error, tx storage.Tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(tx), nil
}

// migrate applies pending schema migrations, each in its own transaction.
func (w *writer) migrate(ctx context.Context, log *slog.Logger) error {
	c := direct{ctx: ctx, conn: w.conn}
	for {
		if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return err
		}
		m, err := sqlstore.ApplyNext(c, migrations, time.Now().UnixMicro())
		if err == nil && m != nil {
			_, err = w.conn.ExecContext(ctx, "COMMIT")
		}
		if err != nil || m == nil {
			w.conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck // nothing to keep
			return err
		}
		log.Info("storage: applied schema migration", "backend", "sqlite", "version", m.Version, "name", m.Name)
	}
}

// close closes the write connection (the queue must be drained).
func (w *writer) close() error {
	w.cache.close()
	return errors.Join(w.conn.Close(), w.db.Close())
}

// direct runs statements unprepared on a connection: for DDL and one-offs.
type direct struct {
	ctx  context.Context
	conn *sql.Conn
}

func (d direct) Exec(query string, args ...any) (int64, error) {
	res, err := d.conn.ExecContext(d.ctx, query, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

func (d direct) Query(query string, args ...any) (sqlstore.Rows, error) {
	rows, err := d.conn.QueryContext(d.ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return sqlRows{rows}, nil
}
