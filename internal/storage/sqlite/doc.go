// Package sqlite is idpool's default storage backend: one SQLite file in WAL
// mode through the pure-Go modernc.org/sqlite driver, so static
// CGO_ENABLED=0 builds keep it.
//
// Reads run on a pool of read-only connections, each View in one deferred
// transaction (one WAL snapshot). Writes go to a single writer goroutine that
// owns the only write connection and commits in groups: every Update queued
// while the previous COMMIT was syncing runs in the next transaction, each in
// its own SAVEPOINT, and one COMMIT (one fsync) acknowledges all of them. An
// Update whose fn fails rolls back only its savepoint. With one writer the
// transactions are serial, so fn never needs a retry here.
package sqlite
