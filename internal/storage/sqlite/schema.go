package sqlite

import "github.com/idpool/idpool/internal/storage/sqlstore"

// migrations is the SQLite schema history. Never edit a released migration:
// append a new one.
var migrations = []sqlstore.Migration{{
	Version: 1,
	Name:    "initial schema",
	Statements: []string{
		`CREATE TABLE pools (
			id TEXT PRIMARY KEY,
			account TEXT NOT NULL,
			region TEXT NOT NULL,
			name TEXT NOT NULL,
			doc BLOB NOT NULL,
			created INTEGER NOT NULL,
			updated INTEGER NOT NULL
		)`,
		`CREATE INDEX pools_by_account ON pools (account, region, id)`,
		`CREATE TABLE identities (
			id TEXT PRIMARY KEY,
			pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
			authenticated INTEGER NOT NULL,
			disabled INTEGER NOT NULL,
			created INTEGER NOT NULL,
			updated INTEGER NOT NULL
		) WITHOUT ROWID`,
		`CREATE INDEX identities_by_pool ON identities (pool_id, id)`,
		`CREATE TABLE logins (
			pool_id TEXT NOT NULL,
			provider TEXT NOT NULL,
			subject TEXT NOT NULL,
			identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
			PRIMARY KEY (pool_id, provider, subject)
		) WITHOUT ROWID`,
		`CREATE INDEX logins_by_identity ON logins (identity_id, provider, subject)`,
		`CREATE TABLE resources (
			account TEXT NOT NULL,
			kind TEXT NOT NULL,
			name TEXT NOT NULL,
			doc BLOB NOT NULL,
			created INTEGER NOT NULL,
			PRIMARY KEY (account, kind, name)
		) WITHOUT ROWID`,
		`CREATE TABLE blobs (
			key TEXT PRIMARY KEY,
			value BLOB NOT NULL,
			version INTEGER NOT NULL
		) WITHOUT ROWID`,
	},
}, {
	Version: 2,
	Name:    "covering index for identity listing",
	// ListIdentities read each listed row through the primary key: 60 more
	// B-tree descents a page. With the listed columns in the pool index a
	// page is one range scan. Measured at 10 million identities against a
	// 20,000-identity pool: deep pages went from 0.82x to 0.98x the small
	// pool's rate, and peak RSS from 116 MB to 53 MB. Building it takes about
	// 45 s per 10 million identities, once.
	Statements: []string{
		`CREATE INDEX identities_by_pool_listing ON identities (pool_id, id, authenticated, disabled, created, updated)`,
		`DROP INDEX identities_by_pool`,
	},
}}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }
