package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// Options tune a Store; the zero value is the default.
type Options struct {
	// MaxConns bounds the connection pool; default 16 (or the URL's
	// pool_max_conns).
	MaxConns int32
	// StatementTimeout bounds one statement on the server; default 10s.
	StatementTimeout time.Duration
	// MaxAttempts bounds how often Update runs fn when transactions keep
	// colliding; default 50.
	MaxAttempts int
	// Logger receives operational messages; slog.Default() if nil.
	Logger *slog.Logger
	// SkipMigrations opens the database as it is, without bringing its
	// schema up to date (for "idpool migrate status").
	SkipMigrations bool
}

// Store is the PostgreSQL storage.Store. It is safe for concurrent use.
type Store struct {
	pool        *pgxpool.Pool
	log         *slog.Logger
	maxAttempts int
}

var _ storage.Store = (*Store)(nil)

// Open connects to the database at url (postgres://...) and brings its
// schema up to date; with several nodes starting at once, one applies each
// migration and the others wait for it (an advisory lock).
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 10 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 50
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message can quote the URL, password included.
		return nil, errors.New("postgres: invalid connection URL")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	rp["idle_in_transaction_session_timeout"] = strconv.FormatInt(max(60_000, 6*opts.StatementTimeout.Milliseconds()), 10)
	rp["application_name"] = "idpool"
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", mapErr(err))
	}
	s := &Store{pool: pool, log: opts.Logger, maxAttempts: opts.MaxAttempts}
	if opts.SkipMigrations {
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// migrationLock is the advisory lock key that serializes migrations of
// all nodes ("idpool" in ASCII).
const migrationLock = 0x6964706f6f6c

// migrate applies pending migrations, each in its own transaction under the
// advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	for {
		var applied *sqlstore.Migration
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
				return err
			}
			var err error
			applied, err = sqlstore.ApplyNext(conn{ctx: ctx, tx: tx}, migrations, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return mapErr(err)
		}
		if applied == nil {
			return nil
		}
		s.log.Info("storage: applied schema migration", "backend", "postgres", "version", applied.Version, "name", applied.Name)
	}
}

// Version returns the applied schema version and the one this binary writes.
func (s *Store) Version(ctx context.Context) (current, latest int, err error) {
	err = s.View(ctx, func(storage.Reader) error { return nil }) // reachability first
	if err != nil {
		return 0, 0, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		current, err = sqlstore.CurrentVersion(conn{ctx: ctx, tx: tx})
		return err
	})
	return current, len(migrations), mapErr(err)
}

// View implements storage.Store.
func (s *Store) View(ctx context.Context, fn func(storage.Reader) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", mapErr(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	return fn(sqlstore.Reader{C: conn{ctx: ctx, tx: tx}})
}

// Update implements storage.Store.
func (s *Store) Update(ctx context.Context, fn func(storage.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
		if attempt >= s.maxAttempts {
			// Reported as a lost race, as AWS's ConcurrentModificationException.
			return fmt.Errorf("%w: postgres: gave up after %d serialization failures: %v", storage.ErrConflict, attempt, err)
		}
		// Back off with jitter so colliding transactions spread out.
		wait := time.Duration(rand.Int64N(int64(min(attempt, 20)) * int64(time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// attempt runs fn once; errRetry (wrapped) when it must run again.
func (s *Store) attempt(ctx context.Context, fn func(storage.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", mapErr(err))
	}
	var st attemptState
	ferr := fn(sqlstore.NewTx(conn{ctx: ctx, tx: tx, st: &st}))
	if st.retry || ferr != nil || st.failed {
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // nothing to keep
		if st.retry || ferr == nil {
			return errRetry
		}
		return ferr
	}
	if err := tx.Commit(ctx); err != nil {
		if retryable(err) {
			return errRetry
		}
		return fmt.Errorf("postgres: commit: %w", mapErr(err))
	}
	return nil
}

// Close implements storage.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
