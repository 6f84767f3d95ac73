package postgres

import "github.com/idpool/idpool/internal/storage/sqlstore"

// migrations is the PostgreSQL schema history, the same tables as SQLite's.
// Keys use the "C" collation so ORDER BY matches Go's byte order (and the
// SQLite backend's), whatever the database's locale. Never edit a released
// migration: append a new one.
var migrations = []sqlstore.Migration{{
	Version: 1,
	Name:    "initial schema",
	Statements: []string{
		`CREATE TABLE pools (
			id TEXT COLLATE "C" PRIMARY KEY,
			account TEXT COLLATE "C" NOT NULL,
			region TEXT COLLATE "C" NOT NULL,
			name TEXT NOT NULL,
			doc BYTEA NOT NULL,
			created BIGINT NOT NULL,
			updated BIGINT NOT NULL
		)`,
		`CREATE INDEX pools_by_account ON pools (account, region, id)`,
		`CREATE TABLE identities (
			id TEXT COLLATE "C" PRIMARY KEY,
			pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			authenticated BOOLEAN NOT NULL,
			disabled BOOLEAN NOT NULL,
			created BIGINT NOT NULL,
			updated BIGINT NOT NULL
		)`,
		`CREATE INDEX identities_by_pool ON identities (pool_id, id)`,
		`CREATE TABLE logins (
			pool_id TEXT COLLATE "C" NOT NULL,
			provider TEXT COLLATE "C" NOT NULL,
			subject TEXT COLLATE "C" NOT NULL,
			identity_id TEXT COLLATE "C" NOT NULL,
			PRIMARY KEY (pool_id, provider, subject)
		)`,
		`CREATE INDEX logins_by_identity ON logins (identity_id, provider, subject)`,
		`CREATE TABLE resources (
			account TEXT COLLATE "C" NOT NULL,
			kind TEXT COLLATE "C" NOT NULL,
			name TEXT COLLATE "C" NOT NULL,
			doc BYTEA NOT NULL,
			created BIGINT NOT NULL,
			PRIMARY KEY (account, kind, name)
		)`,
		`CREATE TABLE blobs (
			key TEXT COLLATE "C" PRIMARY KEY,
			value BYTEA NOT NULL,
			version BIGINT NOT NULL
		)`,
	},
}}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }
