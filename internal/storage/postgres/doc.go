// Package postgres is idpool's PostgreSQL backend, for several idpool nodes
// on one database. It runs the SQL of package sqlstore through pgx's pool.
//
// Update runs fn in a SERIALIZABLE transaction and re-runs it after a
// serialization failure or deadlock (40001, 40P01), so two nodes racing on
// the same login create one identity and a blob compare-and-swap has one
// winner. View runs in a REPEATABLE READ, read-only transaction: one
// snapshot. Nothing is cached in process: every call reads the database.
// A database that cannot be reached gives errors wrapping
// storage.ErrUnavailable; pgx's pool reconnects by itself.
package postgres
