package conformance

import (
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

func resource(acct, kind, name, doc string) *storage.Resource {
	return &storage.Resource{AccountID: acct, Kind: kind, Name: name, Doc: []byte(doc), CreatedAt: stamp}
}

func testResources(t *testing.T, s storage.Store) {
	role := resource(account, "role", "admin", `{"a": 1}`)
	update(t, s, func(tx storage.Tx) error { return tx.CreateResource(role) })
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.CreateResource(resource(account, "role", "admin", `{}`)) }),
		storage.ErrAlreadyExists, "CreateResource with a taken name")

	var got *storage.Resource
	var err error
	view(t, s, func(r storage.Reader) error { got, err = r.GetResource(account, "role", "admin"); return nil })
	if err != nil {
		t.Fatalf("GetResource: %v", err)
	}
	same(t, got, role, "GetResource")

	replaced := resource(account, "role", "admin", `{"b":[2, 3]}`)
	update(t, s, func(tx storage.Tx) error { return tx.PutResource(replaced) })
	view(t, s, func(r storage.Reader) error { got, err = r.GetResource(account, "role", "admin"); return nil })
	same(t, got, replaced, "GetResource after PutResource")

	// Same name under another kind or account is another resource.
	update(t, s, func(tx storage.Tx) error {
		for _, r := range []*storage.Resource{
			resource(account, "role", "dev", `1`), resource(account, "role", "ci", `2`),
			resource(account, "oidc", "admin", `3`), resource("111111111111", "role", "admin", `4`),
		} {
			if err := tx.PutResource(r); err != nil {
				return err
			}
		}
		return nil
	})
	var all, page []*storage.Resource
	view(t, s, func(r storage.Reader) error {
		if all, err = r.ListResources(account, "role", "", 10); err != nil {
			return err
		}
		page, err = r.ListResources(account, "role", "ci", 1)
		return err
	})
	same(t, all[0], replaced, "ListResources first entry")
	wantNames(t, all, "admin", "ci", "dev")
	wantNames(t, page, "dev")

	update(t, s, func(tx storage.Tx) error { return tx.DeleteResource(account, "role", "admin") })
	view(t, s, func(r storage.Reader) error { _, err = r.GetResource(account, "role", "admin"); return nil })
	wantErr(t, err, storage.ErrNotFound, "GetResource after DeleteResource")
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.DeleteResource(account, "role", "admin") }),
		storage.ErrNotFound, "DeleteResource of a missing resource")
	view(t, s, func(r storage.Reader) error { _, err = r.GetResource(account, "oidc", "admin"); return nil })
	if err != nil {
		t.Fatalf("resource of another kind after DeleteResource: %v", err)
	}
}

func wantNames(t *testing.T, rs []*storage.Resource, names ...string) {
	t.Helper()
	var got []string
	for _, r := range rs {
		got = append(got, r.Name)
	}
	same(t, got, names, "resource names")
}

func testBlobs(t *testing.T, s storage.Store) {
	var err error
	view(t, s, func(r storage.Reader) error { _, err = r.GetBlob("keys"); return nil })
	wantErr(t, err, storage.ErrNotFound, "GetBlob of a missing blob")

	first := &storage.Blob{Key: "keys", Value: []byte("v1")}
	update(t, s, func(tx storage.Tx) error { return tx.PutBlob(first) })
	if first.Version != 0 {
		t.Fatalf("PutBlob modified its argument: Version = %d", first.Version)
	}
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.PutBlob(&storage.Blob{Key: "keys", Value: []byte("x")}) }),
		storage.ErrConflict, "PutBlob version 0 of an existing blob")

	var got *storage.Blob
	view(t, s, func(r storage.Reader) error { got, err = r.GetBlob("keys"); return err })
	same(t, got, &storage.Blob{Key: "keys", Value: []byte("v1"), Version: 1}, "GetBlob")

	update(t, s, func(tx storage.Tx) error {
		return tx.PutBlob(&storage.Blob{Key: "keys", Value: []byte("v2"), Version: 1})
	})
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error {
		return tx.PutBlob(&storage.Blob{Key: "keys", Value: []byte("x"), Version: 1})
	}),
		storage.ErrConflict, "PutBlob with a stale version")
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error {
		return tx.PutBlob(&storage.Blob{Key: "other", Value: []byte("x"), Version: 3})
	}),
		storage.ErrConflict, "PutBlob with a version of a missing blob")
	view(t, s, func(r storage.Reader) error { got, err = r.GetBlob("keys"); return err })
	same(t, got, &storage.Blob{Key: "keys", Value: []byte("v2"), Version: 2}, "GetBlob after a CAS")
}
