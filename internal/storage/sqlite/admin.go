package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// Version returns the database's applied schema version and the one this
// binary writes.
func (s *Store) Version(ctx context.Context) (current, latest int, err error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return 0, 0, err
	}
	if tables > 0 {
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	}
	return current, len(migrations), err
}

// Backup writes a consistent copy of the database at path to out (which
// must not exist) with VACUUM INTO, from a connection of its own: it reads
// one WAL snapshot, so a server may keep writing meanwhile. The copy is a
// plain SQLite database, readable by Open.
func Backup(ctx context.Context, path, out string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("sqlite: backup: %s exists already", out)
	}
	// Create the file first so it is private from the start.
	f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", dsn(path, Options{Synchronous: "FULL", BusyTimeout: defaultBusyTimeout}, false))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		os.Remove(out)
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}
