package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// preparer is a *sql.Conn or a *sql.DB: both prepare statements.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmtCache keeps one prepared statement per query text, on the writer's
// *sql.Conn (the readers keep theirs per connection: readers.go).
type stmtCache struct {
	on preparer
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(on preparer) *stmtCache {
	return &stmtCache{on: on, m: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s, nil
	}
	s, err := c.on.PrepareContext(ctx, query)
	if err != nil {
		return nil, mapErr(err)
	}
	c.m[query] = s
	return s, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	clear(c.m)
}

// conn adapts the writer's prepared statements to sqlstore.Conn; the writer
// runs its own BEGIN and COMMIT.
type conn struct {
	ctx   context.Context
	cache *stmtCache
}

var _ sqlstore.Conn = conn{}

func (c conn) stmt(query string) (*sql.Stmt, error) {
	return c.cache.get(c.ctx, query)
}

func (c conn) Exec(query string, args ...any) (int64, error) {
	s, err := c.stmt(query)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(c.ctx, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

func (c conn) Query(query string, args ...any) (sqlstore.Rows, error) {
	s, err := c.stmt(query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(c.ctx, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return sqlRows{rows}, nil
}

// sqlRows drops the error of Close: Err reports what matters.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// mapErr translates SQLite's errors into storage sentinels and keeps the
// driver's message for the logs.
func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return fmt.Errorf("%w: %v", storage.ErrAlreadyExists, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %v", storage.ErrNotFound, err)
	}
	switch se.Code() & 0xff { // primary result code
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %v", storage.ErrFull, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%w: %v", storage.ErrReadOnly, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		// Another process holds the database, or the disk failed or is
		// full: the server answers InternalErrorException, the caller may retry.
		return fmt.Errorf("%w: %v", storage.ErrUnavailable, err)
	}
	return err
}
