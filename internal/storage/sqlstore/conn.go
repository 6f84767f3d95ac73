package sqlstore

import (
	"strconv"
	"strings"
)

// Conn runs the statements of one transaction. Implementations translate
// driver errors into storage sentinels: a UNIQUE or PRIMARY KEY violation
// wraps storage.ErrAlreadyExists, a FOREIGN KEY violation wraps
// storage.ErrNotFound.
type Conn interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(query string, args ...any) (int64, error)
	// Query runs a statement that returns rows.
	Query(query string, args ...any) (Rows, error)
}

// Rows is the subset of database/sql's and pgx's row iterators used here.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Rebind rewrites "?" placeholders as PostgreSQL's "$1", "$2", ... The
// statements in this package hold no "?" inside string literals.
func Rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// noLimit stands for "no limit" in LIMIT clauses: both dialects accept it.
const noLimit = 1<<31 - 1

// limitArg maps a non-positive limit to "no limit".
func limitArg(limit int) int {
	if limit <= 0 || limit > noLimit {
		return noLimit
	}
	return limit
}
