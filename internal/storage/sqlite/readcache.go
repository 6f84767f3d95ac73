package sqlite

import (
	"bytes"
	"errors"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// readCache keeps the pools, resources and identities one read connection
// has read, for as long as the database is unchanged: the signed reads and
// every token call read a pool, and its query and JSON document were a
// third of a DescribeIdentityPool's server CPU; a login reads its IAM OIDC
// or SAML provider and the credential path its role, a tenth of a GetId on
// a login; and the login calls read the identity behind a login or an id,
// another tenth (docs/performance.md). Amplify and the SDKs repeat the same
// calls for the same user, so between two commits they mostly hit.
//
// The test of "unchanged" is SQLite's PRAGMA data_version, the statement
// that holds each View's snapshot (readConn.run): it moves whenever a
// connection other than this one commits, whether this process's writer or
// another process on the same file, and a reader connection never writes.
// So a cached entry is exactly what the query would return in this
// snapshot, and several processes on one file stay as consistent as without
// a cache. Any commit empties it: a write-heavy load gains nothing and pays
// a clone per miss (BenchmarkGetPool measured no difference: the PRAGMA
// replaced BEGIN and ROLLBACK), a read-heavy one skips the queries.
// PostgreSQL nodes keep no cache (no statement there is cheaper than the
// read).
//
// Misses are kept too, as nil (logins: as ""): a pool naming a deleted
// provider, or a caller repeating an unknown id, must not cost a query per
// call either.
type readCache struct {
	version    int64
	used       int // the weight of everything held
	pools      map[string]*storage.Pool
	lists      map[listKey][]*storage.Pool
	resources  map[resourceKey]*storage.Resource
	identities map[string]*storage.Identity
	logins     map[loginKey]string // a login's identity id
}

type loginKey struct{ pool, provider, subject string }

type resourceKey struct{ account, kind, name string }

type listKey struct {
	account, region, after string
	limit                  int
}

// cacheBudget bounds what each read connection keeps, in bytes of the
// entries' strings (poolSize and the like); past it the cache starts over. A pool the
// model allows can reach hundreds of kilobytes (ten Rules mappings of 25
// rules with 2,048-character role ARNs), so entries are weighed rather
// than counted: pools of a few kilobytes leave room for hundreds, and the
// 2*GOMAXPROCS connections hold at most a MiB each.
const cacheBudget = 1 << 20

// entryCost is what any entry is charged beyond its strings: map slot,
// headers, the clone's allocations.
const entryCost = 256

// valueCost is charged for each value inside an entry (a map entry, a slice
// element): its headers.
const valueCost = 32

// sync drops the cache when the database has changed since it was filled;
// version is the data_version of the View that is starting.
func (pc *readCache) sync(version int64) {
	if pc.pools == nil || version != pc.version {
		pc.version = version
		pc.reset()
	}
}

// reset empties the cache, keeping its maps: under a write-heavy load
// every View starts with a reset.
func (pc *readCache) reset() {
	pc.used = 0
	if pc.pools == nil {
		pc.pools = map[string]*storage.Pool{}
		pc.lists = map[listKey][]*storage.Pool{}
		pc.resources = map[resourceKey]*storage.Resource{}
		pc.identities = map[string]*storage.Identity{}
		pc.logins = map[loginKey]string{}
	}
	clear(pc.pools)
	clear(pc.lists)
	clear(pc.resources)
	clear(pc.identities)
	clear(pc.logins)
}

// admit makes room for size bytes, starting over when the budget is spent;
// it refuses an entry bigger than a quarter of the budget.
func (pc *readCache) admit(size int) bool {
	if size > cacheBudget/4 {
		return false
	}
	if pc.used+size > cacheBudget {
		pc.reset()
	}
	pc.used += size
	return true
}

// poolSize estimates the memory a pool holds: its strings, entryCost, and a
// fixed cost per value for headers and map entries (an estimate: Go's map
// overhead can make the real figure up to about twice it).
func poolSize(p *storage.Pool) int {
	const per = valueCost
	n := entryCost + len(p.ID) + len(p.AccountID) + len(p.Region) + len(p.Name) + len(p.DeveloperProviderName)
	for k, v := range p.SupportedLoginProviders {
		n += per + len(k) + len(v)
	}
	for _, a := range p.OpenIDConnectProviderARNs {
		n += per + len(a)
	}
	for _, c := range p.CognitoIdentityProviders {
		n += per + len(c.ProviderName) + len(c.ClientID)
	}
	for _, a := range p.SAMLProviderARNs {
		n += per + len(a)
	}
	for k, v := range p.Tags {
		n += per + len(k) + len(v)
	}
	for k, v := range p.Roles {
		n += per + len(k) + len(v)
	}
	for k, m := range p.RoleMappings {
		n += per + len(k) + len(m.Type) + len(m.AmbiguousRoleResolution)
		for _, r := range m.Rules {
			n += per + len(r.Claim) + len(r.MatchType) + len(r.Value) + len(r.RoleARN)
		}
	}
	for k, t := range p.PrincipalTags {
		n += per + len(k)
		for tk, tv := range t.Tags {
			n += per + len(tk) + len(tv)
		}
	}
	return n
}

// cachedReader is the reader a View gets: pools, resources and identities
// come from its connection's cache when the database is unchanged, everything else
// from the query. Callers get clones, never the cached values.
type cachedReader struct {
	sqlstore.Reader
	rc *readConn
}

// lookup answers k from m (a clone, or ErrNotFound for a kept miss), else
// reads it and keeps a clone of the answer, a miss too, when its weight
// (weigh, given nil for a miss) fits.
func lookup[K comparable, V any](pc *readCache, m map[K]*V, k K, read func() (*V, error),
	clone func(*V) *V, weigh func(*V) int) (*V, error) {
	if v, ok := m[k]; ok {
		if v == nil {
			return nil, storage.ErrNotFound
		}
		return clone(v), nil
	}
	v, err := read()
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	keep(pc, m, k, v, clone, weigh)
	return v, err
}

// keep stores a clone of v (nil: a miss) under k when its weight fits.
func keep[K comparable, V any](pc *readCache, m map[K]*V, k K, v *V, clone func(*V) *V, weigh func(*V) int) {
	w := weigh(v)
	if v != nil {
		v = clone(v)
	}
	if pc.admit(w) {
		m[k] = v
	}
}

func (r cachedReader) GetPool(id string) (*storage.Pool, error) {
	return lookup(&r.rc.cache, r.rc.cache.pools, id, func() (*storage.Pool, error) { return r.Reader.GetPool(id) },
		(*storage.Pool).Clone, func(p *storage.Pool) int {
			if p == nil {
				return entryCost + len(id)
			}
			return len(id) + poolSize(p) // poolSize includes entryCost
		})
}

func (r cachedReader) ListPools(account, region, afterID string, limit int) ([]*storage.Pool, error) {
	pc := &r.rc.cache
	k := listKey{account, region, afterID, limit}
	if ps, ok := pc.lists[k]; ok {
		return clonePools(ps), nil
	}
	ps, err := r.Reader.ListPools(account, region, afterID, limit)
	if err != nil {
		return nil, err
	}
	// The key is weighed too, and every entry costs at least entryCost:
	// empty pages under caller-chosen regions and offsets must not pile up
	// for free until the next commit.
	size := entryCost + len(account) + len(region) + len(afterID)
	for _, p := range ps {
		size += poolSize(p)
	}
	if pc.admit(size) {
		pc.lists[k] = clonePools(ps)
	}
	return ps, nil
}

func clonePools(ps []*storage.Pool) []*storage.Pool {
	if ps == nil {
		return nil
	}
	out := make([]*storage.Pool, len(ps))
	for i, p := range ps {
		out[i] = p.Clone()
	}
	return out
}

func (r cachedReader) GetResource(account, kind, name string) (*storage.Resource, error) {
	return lookup(&r.rc.cache, r.rc.cache.resources, resourceKey{account, kind, name},
		func() (*storage.Resource, error) { return r.Reader.GetResource(account, kind, name) },
		cloneResource, func(res *storage.Resource) int {
			n := entryCost + len(account) + len(kind) + len(name)
			if res != nil {
				n += len(res.AccountID) + len(res.Kind) + len(res.Name) + len(res.Doc)
			}
			return n
		})
}

func cloneResource(r *storage.Resource) *storage.Resource {
	c := *r
	c.Doc = bytes.Clone(r.Doc)
	return &c
}

func (r cachedReader) GetIdentity(id string) (*storage.Identity, error) {
	return lookup(&r.rc.cache, r.rc.cache.identities, id, func() (*storage.Identity, error) { return r.Reader.GetIdentity(id) },
		(*storage.Identity).Clone, identityWeigher(id))
}

func (r cachedReader) LoginIdentity(poolID, provider, subject string) (*storage.Identity, error) {
	pc := &r.rc.cache
	k := loginKey{poolID, provider, subject}
	if id, ok := pc.logins[k]; ok {
		if id == "" {
			return nil, storage.ErrNotFound
		}
		if ident := pc.identities[id]; ident != nil {
			return ident.Clone(), nil
		}
	}
	ident, err := r.Reader.LoginIdentity(poolID, provider, subject)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	id := ""
	if ident != nil {
		id = ident.ID
	}
	if pc.admit(entryCost + len(poolID) + len(provider) + len(subject) + len(id)) {
		pc.logins[k] = id
	}
	if ident != nil {
		keep(pc, pc.identities, id, ident, (*storage.Identity).Clone, identityWeigher(id))
	}
	return ident, err
}

// identityWeigher weighs the identities entry of id.
func identityWeigher(id string) func(*storage.Identity) int {
	return func(ident *storage.Identity) int {
		n := entryCost + len(id)
		if ident != nil {
			n += len(ident.ID) + len(ident.PoolID)
			for _, l := range ident.Logins {
				n += valueCost + len(l.Provider) + len(l.Subject)
			}
		}
		return n
	}
}
