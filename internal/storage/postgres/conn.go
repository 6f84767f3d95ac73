package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// conn adapts one pgx transaction to sqlstore.Conn.
type conn struct {
	ctx context.Context
	tx  pgx.Tx
	// st, when set, records statement failures of an Update attempt.
	st *attemptState
}

// attemptState records how an Update attempt's statements failed. After any
// failed statement PostgreSQL refuses the rest of the transaction.
type attemptState struct {
	// retry: a serialization failure or deadlock; fn must run again,
	// whatever it did with the error.
	retry bool
	// failed: some statement failed; if fn still returns nil (it handled
	// the error), the attempt cannot commit and runs again.
	failed bool
}

var _ sqlstore.Conn = conn{}

func (c conn) Exec(query string, args ...any) (int64, error) {
	tag, err := c.tx.Exec(c.ctx, sqlstore.Rebind(query), args...)
	if err != nil {
		return 0, c.mapErr(err)
	}
	return tag.RowsAffected(), nil
}

func (c conn) Query(query string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.tx.Query(c.ctx, sqlstore.Rebind(query), args...)
	if err != nil {
		return nil, c.mapErr(err)
	}
	return pgRows{rows, c}, nil
}

// pgRows maps the errors pgx reports late (at Err) like the others.
type pgRows struct {
	pgx.Rows
	c conn
}

func (r pgRows) Err() error { return r.c.mapErr(r.Rows.Err()) }

func (r pgRows) Scan(dest ...any) error { return r.c.mapErr(r.Rows.Scan(dest...)) }

func (c conn) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if c.st != nil {
		c.st.failed = true
		c.st.retry = c.st.retry || retryable(err)
	}
	return mapErr(err)
}

// errRetry marks an attempt that must be run again.
var errRetry = errors.New("storage: serialization failure")

// retryable reports a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// mapErr translates PostgreSQL's errors into storage sentinels.
func mapErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %v", storage.ErrAlreadyExists, err)
		case pe.Code == "23503": // foreign_key_violation
			return fmt.Errorf("%w: %v", storage.ErrNotFound, err)
		case pe.Code == "40001" || pe.Code == "40P01":
			return fmt.Errorf("%w: %v", errRetry, err)
		case pe.Code == "53100": // disk_full
			return fmt.Errorf("%w: %v", storage.ErrFull, err)
		case pe.Code == "25006": // read_only_sql_transaction (default_transaction_read_only, a standby)
			return fmt.Errorf("%w: %v", storage.ErrReadOnly, err)
		case len(pe.Code) == 5 && pe.Code[:2] == "08", // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, starting up
			pe.Code == "53300": // too many connections
			return fmt.Errorf("%w: %v", storage.ErrUnavailable, err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return fmt.Errorf("%w: %v", storage.ErrUnavailable, err)
	}
	return err
}
