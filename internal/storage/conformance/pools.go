package conformance

import (
	"testing"

	"github.com/idpool/idpool/internal/storage"
)

func testPoolCRUD(t *testing.T, s storage.Store) {
	p := fullPool(poolID(1))
	createPools(t, s, p)
	got, err := getPool(t, s, p.ID)
	if err != nil {
		t.Fatalf("GetPool: %v", err)
	}
	same(t, got, p, "GetPool after CreatePool")

	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.CreatePool(bare(p.ID)) }),
		storage.ErrAlreadyExists, "CreatePool with a taken id")

	p2 := bare(p.ID)
	p2.Name = "renamed"
	p2.AllowClassicFlow = ptr(true)
	p2.UpdatedAt = stamp.AddDate(0, 0, 1)
	update(t, s, func(tx storage.Tx) error { return tx.UpdatePool(p2) })
	got, err = getPool(t, s, p.ID)
	if err != nil {
		t.Fatalf("GetPool: %v", err)
	}
	same(t, got, p2, "GetPool after UpdatePool")

	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.UpdatePool(bare(poolID(2))) }),
		storage.ErrNotFound, "UpdatePool of a missing pool")
	_, err = getPool(t, s, poolID(2))
	wantErr(t, err, storage.ErrNotFound, "GetPool of a missing pool")

	update(t, s, func(tx storage.Tx) error { return tx.DeletePool(p.ID) })
	_, err = getPool(t, s, p.ID)
	wantErr(t, err, storage.ErrNotFound, "GetPool after DeletePool")
	wantErr(t, s.Update(ctx(), func(tx storage.Tx) error { return tx.DeletePool(p.ID) }),
		storage.ErrNotFound, "DeletePool of a missing pool")
}

func testPoolNilVersusEmpty(t *testing.T, s storage.Store) {
	unset := bare(poolID(1)) // every map and slice nil, AllowClassicFlow nil
	empty := bare(poolID(2))
	empty.AllowClassicFlow = ptr(false)
	empty.SupportedLoginProviders = map[string]string{}
	empty.OpenIDConnectProviderARNs = []string{}
	empty.CognitoIdentityProviders = []storage.CognitoProvider{}
	empty.SAMLProviderARNs = []string{}
	empty.Tags = map[string]string{}
	empty.Roles = map[string]string{}
	empty.RoleMappings = map[string]storage.RoleMapping{"x": {Type: "Rules", Rules: []storage.MappingRule{}}}
	empty.PrincipalTags = map[string]storage.PrincipalTagMap{"x": {Tags: map[string]string{}}, "y": {}}
	createPools(t, s, unset, empty)
	for _, want := range []*storage.Pool{unset, empty} {
		got, err := getPool(t, s, want.ID)
		if err != nil {
			t.Fatalf("GetPool: %v", err)
		}
		same(t, got, want, "pool round trip")
	}
	got, _ := getPool(t, s, unset.ID)
	if got.AllowClassicFlow != nil || got.Tags != nil || got.OpenIDConnectProviderARNs != nil {
		t.Fatalf("unset fields came back set: %#v", got)
	}
	got, _ = getPool(t, s, empty.ID)
	if got.AllowClassicFlow == nil || *got.AllowClassicFlow || got.Tags == nil || got.OpenIDConnectProviderARNs == nil {
		t.Fatalf("explicit false or empty came back unset: %#v", got)
	}
}

func testListPools(t *testing.T, s storage.Store) {
	// Created out of order, plus pools of another account and region.
	var want []*storage.Pool
	for _, n := range []int{5, 1, 4, 2, 3} {
		p := fullPool(poolID(n))
		createPools(t, s, p)
	}
	for n := 1; n <= 5; n++ {
		want = append(want, fullPool(poolID(n)))
	}
	other := bare("eu-west-1:00000000-0000-4000-8000-000000000000")
	other.Region = "eu-west-1"
	otherAcct := bare(poolID(0))
	otherAcct.AccountID = "111111111111"
	createPools(t, s, other, otherAcct)

	var all, page1, page2, page3 []*storage.Pool
	var count, countOther int
	view(t, s, func(r storage.Reader) error {
		var err error
		if all, err = r.ListPools(account, region, "", 100); err != nil {
			return err
		}
		if page1, err = r.ListPools(account, region, "", 2); err != nil {
			return err
		}
		if page2, err = r.ListPools(account, region, page1[len(page1)-1].ID, 2); err != nil {
			return err
		}
		if page3, err = r.ListPools(account, region, want[4].ID, 2); err != nil {
			return err
		}
		if count, err = r.CountPools(account, region); err != nil {
			return err
		}
		countOther, err = r.CountPools("111111111111", region)
		return err
	})
	same(t, all, want, "ListPools")
	same(t, page1, want[:2], "ListPools first page")
	same(t, page2, want[2:4], "ListPools second page")
	if len(page3) != 0 {
		t.Fatalf("ListPools after the last id: %d pools, want 0", len(page3))
	}
	if count != 5 || countOther != 1 {
		t.Fatalf("CountPools = %d, %d; want 5, 1", count, countOther)
	}
}
