package sqlstore

import (
	"errors"
	"fmt"
)

// Migration is one versioned schema change. Versions start at 1 and are
// dense; a migration, once released, never changes.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// ensureVersions creates the version table; both dialects accept it.
const ensureVersions = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied BIGINT NOT NULL
)`

// CurrentVersion returns the highest applied schema version (0 on an empty
// database), creating the version table if needed.
func CurrentVersion(c Conn) (int, error) {
	if _, err := c.Exec(ensureVersions); err != nil {
		return 0, err
	}
	var v int
	err := queryOne(c, []any{&v}, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	return v, err
}

// ApplyNext applies the first migration after the current version inside
// the caller's transaction, which must hold the database's write lock. It
// returns the migration applied, or nil when the schema is up to date, and
// fails when the database is newer than this binary knows.
func ApplyNext(c Conn, migrations []Migration, nowMicros int64) (*Migration, error) {
	v, err := CurrentVersion(c)
	if err != nil {
		return nil, err
	}
	if v > len(migrations) {
		return nil, fmt.Errorf("storage: database schema version %d is newer than this idpool (%d): upgrade idpool", v, len(migrations))
	}
	if v == len(migrations) {
		return nil, nil
	}
	m := &migrations[v]
	if m.Version != v+1 {
		return nil, errors.New("storage: migrations out of order")
	}
	for _, s := range m.Statements {
		if _, err := c.Exec(s); err != nil {
			return nil, fmt.Errorf("storage: migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	if _, err := c.Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
		m.Version, m.Name, nowMicros); err != nil {
		return nil, err
	}
	return m, nil
}
