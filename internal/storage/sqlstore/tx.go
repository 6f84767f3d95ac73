package sqlstore

import (
	"errors"
	"fmt"

	"github.com/idpool/idpool/internal/storage"
)

// Tx implements storage.Tx over a Conn. Each method either does all of its
// writes or none: conflicts are found before the first write, so a caller
// that handles the error and carries on never sees a half-done change (and
// PostgreSQL never sees a failed statement that would abort the transaction).
type Tx struct {
	Reader
}

var _ storage.Tx = Tx{}

// NewTx returns a Tx running its statements on c.
func NewTx(c Conn) Tx { return Tx{Reader{C: c}} }

// CreatePool implements storage.Tx.
func (t Tx) CreatePool(p *storage.Pool) error {
	doc, err := encodePoolDoc(p)
	if err != nil {
		return err
	}
	n, err := t.C.Exec(`INSERT INTO pools (`+poolCols+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		p.ID, p.AccountID, p.Region, p.Name, doc, toMicros(p.CreatedAt), toMicros(p.UpdatedAt))
	return affected(n, err, storage.ErrAlreadyExists)
}

// UpdatePool implements storage.Tx.
func (t Tx) UpdatePool(p *storage.Pool) error {
	doc, err := encodePoolDoc(p)
	if err != nil {
		return err
	}
	n, err := t.C.Exec(`UPDATE pools SET account = ?, region = ?, name = ?, doc = ?, created = ?, updated = ? WHERE id = ?`,
		p.AccountID, p.Region, p.Name, doc, toMicros(p.CreatedAt), toMicros(p.UpdatedAt), p.ID)
	return affected(n, err, storage.ErrNotFound)
}

// DeletePool implements storage.Tx. Identities go with the pool (ON DELETE
// CASCADE), logins are deleted here (PostgreSQL's have no foreign key);
// ErrNotFound if the pool does not exist.
func (t Tx) DeletePool(id string) error {
	if _, err := t.C.Exec(`DELETE FROM logins WHERE pool_id = ?`, id); err != nil {
		return err
	}
	n, err := t.C.Exec(`DELETE FROM pools WHERE id = ?`, id)
	return affected(n, err, storage.ErrNotFound)
}

// affected turns "no row changed" into errNone.
func affected(n int64, err error, errNone error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return errNone
	}
	return nil
}

// uniqueLogins drops repeated logins: a login set holds each login once.
func uniqueLogins(ls []storage.Login) []storage.Login {
	seen := make(map[storage.Login]bool, len(ls))
	out := make([]storage.Login, 0, len(ls))
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// checkLoginsFree fails with ErrAlreadyExists if another identity than self
// holds one of logins in pool.
func (t Tx) checkLoginsFree(poolID, self string, logins []storage.Login) error {
	for _, l := range logins {
		owner, err := t.LoginOwner(poolID, l.Provider, l.Subject)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		case owner != self:
			return fmt.Errorf("%w: login %s is held by another identity", storage.ErrAlreadyExists, l.Provider)
		}
	}
	return nil
}

func (t Tx) insertLogins(poolID, identityID string, logins []storage.Login) error {
	for _, l := range logins {
		if _, err := t.C.Exec(`INSERT INTO logins (pool_id, provider, subject, identity_id) VALUES (?, ?, ?, ?)`,
			poolID, l.Provider, l.Subject, identityID); err != nil {
			return err
		}
	}
	return nil
}

// CreateIdentity implements storage.Tx. ErrNotFound if its pool does not exist.
func (t Tx) CreateIdentity(id *storage.Identity) error {
	logins := uniqueLogins(id.Logins)
	if err := t.checkLoginsFree(id.PoolID, id.ID, logins); err != nil {
		return err
	}
	n, err := t.C.Exec(`INSERT INTO identities (id, pool_id, authenticated, disabled, created, updated)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id.ID, id.PoolID, id.Authenticated, id.Disabled, toMicros(id.CreatedAt), toMicros(id.UpdatedAt))
	if err := affected(n, err, storage.ErrAlreadyExists); err != nil {
		return err
	}
	return t.insertLogins(id.PoolID, id.ID, logins)
}

// UpdateIdentity implements storage.Tx. The identity keeps its pool.
func (t Tx) UpdateIdentity(id *storage.Identity) error {
	cur, err := t.GetIdentity(id.ID)
	if err != nil {
		return err
	}
	want := uniqueLogins(id.Logins)
	have := make(map[storage.Login]bool, len(cur.Logins))
	for _, l := range cur.Logins {
		have[l] = true
	}
	var added []storage.Login
	for _, l := range want {
		if have[l] {
			delete(have, l)
		} else {
			added = append(added, l)
		}
	}
	if err := t.checkLoginsFree(cur.PoolID, id.ID, added); err != nil {
		return err
	}
	if _, err := t.C.Exec(`UPDATE identities SET authenticated = ?, disabled = ?, created = ?, updated = ? WHERE id = ?`,
		id.Authenticated, id.Disabled, toMicros(id.CreatedAt), toMicros(id.UpdatedAt), id.ID); err != nil {
		return err
	}
	for l := range have { // what is left in have was removed
		if _, err := t.C.Exec(`DELETE FROM logins WHERE pool_id = ? AND provider = ? AND subject = ?`,
			cur.PoolID, l.Provider, l.Subject); err != nil {
			return err
		}
	}
	return t.insertLogins(cur.PoolID, id.ID, added)
}

// DeleteIdentity implements storage.Tx. Its logins go with it (deleted
// here: PostgreSQL's have no foreign key); ErrNotFound if it does not exist.
func (t Tx) DeleteIdentity(id string) error {
	if _, err := t.C.Exec(`DELETE FROM logins WHERE identity_id = ?`, id); err != nil {
		return err
	}
	n, err := t.C.Exec(`DELETE FROM identities WHERE id = ?`, id)
	return affected(n, err, storage.ErrNotFound)
}

// PutResource implements storage.Tx.
func (t Tx) PutResource(r *storage.Resource) error {
	_, err := t.C.Exec(`INSERT INTO resources (`+resourceCols+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, kind, name) DO UPDATE SET doc = excluded.doc, created = excluded.created`,
		r.AccountID, r.Kind, r.Name, nonNil(r.Doc), toMicros(r.CreatedAt))
	return err
}

// CreateResource implements storage.Tx.
func (t Tx) CreateResource(r *storage.Resource) error {
	n, err := t.C.Exec(`INSERT INTO resources (`+resourceCols+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, kind, name) DO NOTHING`,
		r.AccountID, r.Kind, r.Name, nonNil(r.Doc), toMicros(r.CreatedAt))
	return affected(n, err, storage.ErrAlreadyExists)
}

// DeleteResource implements storage.Tx.
func (t Tx) DeleteResource(account, kind, name string) error {
	n, err := t.C.Exec(`DELETE FROM resources WHERE account = ? AND kind = ? AND name = ?`, account, kind, name)
	return affected(n, err, storage.ErrNotFound)
}

// PutBlob implements storage.Tx. b is not modified: the stored version is
// b.Version+1 on success.
func (t Tx) PutBlob(b *storage.Blob) error {
	var n int64
	var err error
	if b.Version == 0 {
		n, err = t.C.Exec(`INSERT INTO blobs (key, value, version) VALUES (?, ?, 1) ON CONFLICT (key) DO NOTHING`,
			b.Key, nonNil(b.Value))
	} else {
		n, err = t.C.Exec(`UPDATE blobs SET value = ?, version = version + 1 WHERE key = ? AND version = ?`,
			nonNil(b.Value), b.Key, b.Version)
	}
	return affected(n, err, storage.ErrConflict)
}
