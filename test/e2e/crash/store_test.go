package crash

import (
	"database/sql"
	"fmt"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// backend opens the store's database directly, while no server runs on it.
type backend struct {
	name   string
	sqlite bool
	open   func() (*sql.DB, error)
}

func sqliteBackend(path string) backend {
	return backend{name: "sqlite", sqlite: true, open: func() (*sql.DB, error) {
		// Read-only: the check must not repair what the crash left.
		return sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma="+url.QueryEscape("busy_timeout(10000)"))
	}}
}

func postgresBackend(dsn string) backend {
	return backend{name: "postgres", open: func() (*sql.DB, error) { return sql.Open("pgx", dsn) }}
}

// identRow is one row of the identities table.
type identRow struct {
	pool                    string
	authenticated, disabled bool
}

// storeState is what the store holds for the checks.
type storeState struct {
	identities map[string]identRow
	owners     map[string]string // developer user -> identity, in the pool
}

// invariants are queries that count rows breaking a rule of the schema
// that the database itself does not enforce (or, on PostgreSQL, where
// logins have no foreign key).
var invariants = []struct{ name, query string }{
	{"logins on a missing identity", `SELECT COUNT(*) FROM logins l LEFT JOIN identities i ON i.id = l.identity_id WHERE i.id IS NULL`},
	{"logins in another pool than their identity", `SELECT COUNT(*) FROM logins l JOIN identities i ON i.id = l.identity_id WHERE l.pool_id <> i.pool_id`},
	{"identities of a missing pool", `SELECT COUNT(*) FROM identities i LEFT JOIN pools p ON p.id = i.pool_id WHERE p.id IS NULL`},
	{"disabled identities holding logins", `SELECT COUNT(*) FROM identities i WHERE (CASE WHEN i.disabled THEN 1 ELSE 0 END) = 1
		AND EXISTS (SELECT 1 FROM logins l WHERE l.identity_id = i.id)`},
	{"unauthenticated identities holding logins", `SELECT COUNT(*) FROM identities i WHERE (CASE WHEN i.authenticated THEN 1 ELSE 0 END) = 0
		AND EXISTS (SELECT 1 FROM logins l WHERE l.identity_id = i.id)`},
	{"missing schema versions", `SELECT CASE WHEN COUNT(*) > 0 THEN 0 ELSE 1 END FROM schema_migrations`},
}

// checkStore opens the database of a stopped (or killed) server, checks
// its integrity and invariants, and returns its contents.
func checkStore(t *testing.T, b backend, pool string) *storeState {
	t.Helper()
	db, err := b.open()
	if err != nil {
		t.Fatalf("%s: open: %v", b.name, err)
	}
	defer db.Close()
	if b.sqlite {
		var res string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Fatalf("sqlite: PRAGMA integrity_check = %q, %v", res, err)
		}
		rows, err := db.Query("PRAGMA foreign_key_check")
		if err != nil {
			t.Fatalf("sqlite: PRAGMA foreign_key_check: %v", err)
		}
		bad := rows.Next()
		rows.Close()
		if bad {
			t.Fatal("sqlite: PRAGMA foreign_key_check reports rows")
		}
	}
	for _, inv := range invariants {
		var n int
		if err := db.QueryRow(inv.query).Scan(&n); err != nil {
			t.Fatalf("%s: %s: %v", b.name, inv.name, err)
		}
		if n != 0 {
			t.Errorf("%s: %d %s", b.name, n, inv.name)
		}
	}
	st := &storeState{identities: map[string]identRow{}, owners: map[string]string{}}
	rows, err := db.Query(`SELECT id, pool_id, CASE WHEN authenticated THEN 1 ELSE 0 END, CASE WHEN disabled THEN 1 ELSE 0 END FROM identities`)
	if err != nil {
		t.Fatalf("%s: identities: %v", b.name, err)
	}
	for rows.Next() {
		var id string
		var r identRow
		var auth, dis int
		if err := rows.Scan(&id, &r.pool, &auth, &dis); err != nil {
			t.Fatal(err)
		}
		r.authenticated, r.disabled = auth == 1, dis == 1
		st.identities[id] = r
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	// Literal values: the two drivers spell placeholders differently.
	rows, err = db.Query(fmt.Sprintf(`SELECT subject, identity_id FROM logins WHERE pool_id = '%s' AND provider = '%s'`, pool, devProvider))
	if err != nil {
		t.Fatalf("%s: logins: %v", b.name, err)
	}
	for rows.Next() {
		var user, id string
		if err := rows.Scan(&user, &id); err != nil {
			t.Fatal(err)
		}
		st.owners[user] = id
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	return st
}

// poolIdentities counts the identities of pool in the store.
func (st *storeState) poolIdentities(pool string) int {
	n := 0
	for _, r := range st.identities {
		if r.pool == pool {
			n++
		}
	}
	return n
}

// checkLedger compares the store with every promise the ledger holds and
// returns the problems found.
func checkLedger(st *storeState, l *ledger, pool string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var bad []string
	for id := range l.ids {
		r, ok := st.identities[id]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("acknowledged identity %s is missing", id))
		case r.pool != pool:
			bad = append(bad, fmt.Sprintf("identity %s is in pool %s, want %s", id, r.pool, pool))
		}
	}
	for id := range l.guests {
		if r := st.identities[id]; r.disabled || r.authenticated {
			bad = append(bad, fmt.Sprintf("guest identity %s is disabled=%v authenticated=%v", id, r.disabled, r.authenticated))
		}
	}
	for user, u := range l.users {
		owner, ok := st.owners[user]
		switch {
		case !ok && u.mustExist:
			bad = append(bad, fmt.Sprintf("acknowledged developer user %s is on no identity (want one of %v)", user, keys(u.allowed)))
		case ok && u.allowed != nil && !u.allowed[owner]:
			bad = append(bad, fmt.Sprintf("developer user %s is on %s, want one of %v", user, owner, keys(u.allowed)))
		}
	}
	// A merge happened entirely or not at all.
	for _, m := range l.merges {
		if m.srcID == "" {
			continue // a link: the user checks above cover it
		}
		src, owner := st.identities[m.srcID], st.owners[m.src]
		switch {
		case owner == m.dstID && !src.disabled:
			bad = append(bad, fmt.Sprintf("merge %s -> %s: %s moved to %s but %s is not disabled", m.src, m.dst, m.src, m.dstID, m.srcID))
		case owner == m.srcID && (src.disabled || m.acked):
			bad = append(bad, fmt.Sprintf("merge %s -> %s (acked=%v): %s is still on %s, disabled=%v", m.src, m.dst, m.acked, m.src, m.srcID, src.disabled))
		}
	}
	if n := st.poolIdentities(pool); n < len(l.ids) || n > l.creates {
		bad = append(bad, fmt.Sprintf("pool holds %d identities; %d were acknowledged and at most %d calls could have made one", n, len(l.ids), l.creates))
	}
	return bad
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
