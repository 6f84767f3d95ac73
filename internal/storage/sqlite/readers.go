package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// readers is a fixed pool of read connections, each owned by one View at a
// time with its statements prepared on it. Compared with a *sql.Tx per View
// it saves, per request, database/sql's transaction goroutine, a statement
// re-bind per query, and BEGIN and ROLLBACK themselves (readConn.run holds
// the snapshot with one statement left open); the driver runs
// with a context that cannot be canceled, which spares modernc.org/sqlite
// an interrupt goroutine per statement (reads are bounded index lookups;
// the caller's context is checked before each statement instead).
type readers struct {
	db   *sql.DB
	pool chan *readConn // nil entries are connections not opened yet
	done chan struct{}  // closed by close
}

// readConn is one read connection and its prepared statements.
type readConn struct {
	c     *sql.Conn
	stmts map[string]*sql.Stmt
	cache readCache
}

func newReaders(db *sql.DB, n int) *readers {
	r := &readers{db: db, pool: make(chan *readConn, n), done: make(chan struct{})}
	for range n {
		r.pool <- nil
	}
	return r
}

// view runs fn in a read transaction on a pooled connection.
func (r *readers) view(ctx context.Context, fn func(storage.Reader) error) (err error) {
	var rc *readConn
	select {
	case rc = <-r.pool:
	case <-r.done:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	if rc == nil {
		if rc, err = r.open(); err != nil {
			r.pool <- nil
			return err
		}
	}
	// The connection goes back even when fn panics (or a test's fn calls
	// t.Fatal): a View that kept it would leave every later View waiting
	// once the pool ran dry. After a panic it is dropped, as is one whose
	// snapshot could not be ended: a connection left inside a transaction
	// would pin an old snapshot (and the WAL). A fresh one opens next time.
	ok := false
	defer func() {
		if !ok || errors.Is(err, errBroken) {
			_ = rc.close()
			rc = nil
		}
		r.pool <- rc
	}()
	err = rc.run(ctx, fn)
	ok = true
	return err
}

func (r *readers) open() (*readConn, error) {
	c, err := r.db.Conn(context.Background())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open reader: %w", mapErr(err))
	}
	return &readConn{c: c, stmts: map[string]*sql.Stmt{}}, nil
}

// close waits for running Views and closes every pooled connection; a
// View that raced it gets errClosed.
func (r *readers) close() error {
	var errs []error
	for range cap(r.pool) {
		if rc := <-r.pool; rc != nil {
			errs = append(errs, rc.close())
		}
	}
	close(r.done)
	return errors.Join(errs...)
}

// errBroken marks a View whose snapshot could not be opened or closed: its
// connection's transaction state is unknown.
var errBroken = errors.New("sqlite: reader connection broken")

// run gives fn one snapshot without BEGIN and ROLLBACK: the snapshot is
// held by a statement left open. PRAGMA data_version is stepped to its one
// row and not reset until fn returns; while a statement is active, SQLite
// keeps the read transaction it opened and every other statement on the
// connection reads in it (TestConformance/ViewIsOneSnapshot). Its value
// also tells the pool cache whether the database changed. Two statements
// fewer per View, and a View whose cache serves it runs no other.
func (rc *readConn) run(ctx context.Context, fn func(storage.Reader) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	anchor, err := rc.stmt("PRAGMA data_version")
	if err != nil {
		return err
	}
	rows, err := anchor.Query()
	if err != nil {
		return fmt.Errorf("%w: begin: %w", errBroken, mapErr(err))
	}
	defer func() {
		if cerr := rows.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("%w: end: %w", errBroken, mapErr(cerr)))
		}
	}()
	var version int64
	if !rows.Next() {
		err := rows.Err()
		if err == nil {
			err = errors.New("no row")
		}
		return fmt.Errorf("%w: data_version: %w", errBroken, mapErr(err))
	}
	if err := rows.Scan(&version); err != nil {
		return fmt.Errorf("%w: data_version: %w", errBroken, mapErr(err))
	}
	rc.cache.sync(version)
	return fn(cachedReader{Reader: sqlstore.Reader{C: readerConn{ctx: ctx, rc: rc}}, rc: rc})
}

func (rc *readConn) stmt(query string) (*sql.Stmt, error) {
	if s, ok := rc.stmts[query]; ok {
		return s, nil
	}
	s, err := rc.c.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, mapErr(err)
	}
	rc.stmts[query] = s
	return s, nil
}

func (rc *readConn) close() error {
	for _, s := range rc.stmts {
		s.Close()
	}
	clear(rc.stmts)
	return rc.c.Close()
}

// readerConn adapts a readConn to sqlstore.Conn for one View.
type readerConn struct {
	ctx context.Context
	rc  *readConn
}

var _ sqlstore.Conn = readerConn{}

func (c readerConn) Exec(string, ...any) (int64, error) {
	return 0, errors.New("sqlite: write in a read transaction")
}

func (c readerConn) Query(query string, args ...any) (sqlstore.Rows, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	s, err := c.rc.stmt(query)
	if err != nil {
		return nil, err
	}
	rows, err := s.Query(args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return sqlRows{rows}, nil
}
