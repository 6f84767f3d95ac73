package sqlstore

import (
	"github.com/idpool/idpool/internal/storage"
)

// Reader implements storage.Reader over a Conn.
type Reader struct {
	C Conn
}

var _ storage.Reader = Reader{}

const poolCols = `id, account, region, name, doc, created, updated`

func scanPools(rows Rows, err error) ([]*storage.Pool, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*storage.Pool
	for rows.Next() {
		var p storage.Pool
		var doc []byte
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.AccountID, &p.Region, &p.Name, &doc, &created, &updated); err != nil {
			return nil, err
		}
		if err := decodePoolDoc(doc, &p); err != nil {
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// GetPool implements storage.Reader.
func (r Reader) GetPool(id string) (*storage.Pool, error) {
	ps, err := scanPools(r.C.Query(`SELECT `+poolCols+` FROM pools WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, storage.ErrNotFound
	}
	return ps[0], nil
}

// ListPools implements storage.Reader.
func (r Reader) ListPools(account, region, afterID string, limit int) ([]*storage.Pool, error) {
	return scanPools(r.C.Query(`SELECT `+poolCols+` FROM pools
		WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?`,
		account, region, afterID, limitArg(limit)))
}

// CountPools implements storage.Reader.
func (r Reader) CountPools(account, region string) (int, error) {
	var n int
	err := queryOne(r.C, []any{&n}, `SELECT COUNT(*) FROM pools WHERE account = ? AND region = ?`, account, region)
	return n, err
}

// queryOne scans the first row of query into dest; storage.ErrNotFound if
// there is none.
func queryOne(c Conn, dest []any, query string, args ...any) error {
	rows, err := c.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return storage.ErrNotFound
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Err()
}

// The identity queries join each identity with its logins: one row per login
// (or one row of NULL login columns), ordered by identity, then login.
const (
	identityCols   = `i.id, i.pool_id, i.authenticated, i.disabled, i.created, i.updated, l.provider, l.subject`
	getIdentitySQL = `SELECT ` + identityCols + `
	FROM identities i LEFT JOIN logins l ON l.identity_id = i.id
	WHERE i.id = ? ORDER BY l.provider, l.subject`
	loginIdentitySQL = `SELECT ` + identityCols + `
	FROM identities i LEFT JOIN logins l ON l.identity_id = i.id
	WHERE i.id = (SELECT identity_id FROM logins WHERE pool_id = ? AND provider = ? AND subject = ?)
	ORDER BY l.provider, l.subject`
	listIdentitiesSQL = `SELECT ` + identityCols + `
	FROM (SELECT * FROM identities WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?) i
	LEFT JOIN logins l ON l.identity_id = i.id
	ORDER BY i.id, l.provider, l.subject`
	listEnabledIdentitiesSQL = `SELECT ` + identityCols + `
	FROM (SELECT * FROM identities WHERE pool_id = ? AND id > ? AND NOT disabled ORDER BY id LIMIT ?) i
	LEFT JOIN logins l ON l.identity_id = i.id
	ORDER BY i.id, l.provider, l.subject`
)

func scanIdentities(rows Rows, err error) ([]*storage.Identity, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*storage.Identity
	var cur *storage.Identity
	for rows.Next() {
		var id storage.Identity
		var created, updated int64
		var provider, subject *string
		if err := rows.Scan(&id.ID, &id.PoolID, &id.Authenticated, &id.Disabled, &created, &updated, &provider, &subject); err != nil {
			return nil, err
		}
		if cur == nil || cur.ID != id.ID {
			id.CreatedAt, id.UpdatedAt = fromMicros(created), fromMicros(updated)
			cur = &id
			out = append(out, cur)
		}
		if provider != nil && subject != nil {
			cur.Logins = append(cur.Logins, storage.Login{Provider: *provider, Subject: *subject})
		}
	}
	return out, rows.Err()
}

// GetIdentity implements storage.Reader.
func (r Reader) GetIdentity(id string) (*storage.Identity, error) {
	ids, err := scanIdentities(r.C.Query(getIdentitySQL, id))
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, storage.ErrNotFound
	}
	return ids[0], nil
}

// ListIdentities implements storage.Reader.
func (r Reader) ListIdentities(poolID, afterID string, limit int, hideDisabled bool) ([]*storage.Identity, error) {
	q := listIdentitiesSQL
	if hideDisabled {
		q = listEnabledIdentitiesSQL
	}
	return scanIdentities(r.C.Query(q, poolID, afterID, limitArg(limit)))
}

// LoginOwner implements storage.Reader.
func (r Reader) LoginOwner(poolID, provider, subject string) (string, error) {
	var owner string
	err := queryOne(r.C, []any{&owner}, `SELECT identity_id FROM logins WHERE pool_id = ? AND provider = ? AND subject = ?`,
		poolID, provider, subject)
	return owner, err
}

// LoginIdentity implements storage.Reader. The login's row references its
// identity (a foreign key), so no row means no such login.
func (r Reader) LoginIdentity(poolID, provider, subject string) (*storage.Identity, error) {
	ids, err := scanIdentities(r.C.Query(loginIdentitySQL, poolID, provider, subject))
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, storage.ErrNotFound
	}
	return ids[0], nil
}

// ListLoginSubjects implements storage.Reader.
func (r Reader) ListLoginSubjects(identityID, provider, afterSubject string, limit int) ([]string, error) {
	rows, err := r.C.Query(`SELECT subject FROM logins
		WHERE identity_id = ? AND provider = ? AND subject > ? ORDER BY subject LIMIT ?`,
		identityID, provider, afterSubject, limitArg(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const resourceCols = `account, kind, name, doc, created`

func scanResources(rows Rows, err error) ([]*storage.Resource, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*storage.Resource
	for rows.Next() {
		var res storage.Resource
		var created int64
		if err := rows.Scan(&res.AccountID, &res.Kind, &res.Name, &res.Doc, &created); err != nil {
			return nil, err
		}
		res.CreatedAt = fromMicros(created)
		out = append(out, &res)
	}
	return out, rows.Err()
}

// GetResource implements storage.Reader.
func (r Reader) GetResource(account, kind, name string) (*storage.Resource, error) {
	rs, err := scanResources(r.C.Query(`SELECT `+resourceCols+` FROM resources
		WHERE account = ? AND kind = ? AND name = ?`, account, kind, name))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, storage.ErrNotFound
	}
	return rs[0], nil
}

// ListResources implements storage.Reader.
func (r Reader) ListResources(account, kind, afterName string, limit int) ([]*storage.Resource, error) {
	return scanResources(r.C.Query(`SELECT `+resourceCols+` FROM resources
		WHERE account = ? AND kind = ? AND name > ? ORDER BY name LIMIT ?`,
		account, kind, afterName, limitArg(limit)))
}

// GetBlob implements storage.Reader.
func (r Reader) GetBlob(key string) (*storage.Blob, error) {
	b := storage.Blob{Key: key}
	if err := queryOne(r.C, []any{&b.Value, &b.Version}, `SELECT value, version FROM blobs WHERE key = ?`, key); err != nil {
		return nil, err
	}
	return &b, nil
}
