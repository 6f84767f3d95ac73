// Package sqlstore implements storage.Reader and storage.Tx once, in SQL that
// SQLite and PostgreSQL both accept, over a small Conn interface that each
// backend adapts to its driver. Statements use "?" placeholders; a backend
// that needs "$n" rewrites them (see Rebind). Backends translate their
// driver's errors into storage sentinels inside their Conn, so the code here
// only ever sees storage.ErrAlreadyExists, storage.ErrNotFound and friends.
//
// Times are stored as Unix microseconds (PostgreSQL's own precision) and read
// back in UTC. A pool's fields other than its keys live in one JSON document
// (see poolDoc) so adding a pool setting needs no schema change.
package sqlstore
