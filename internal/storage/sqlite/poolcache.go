package sqlite

import (
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlstore"
)

// poolCache keeps the pools one read connection has decoded, for as long as
// the database is unchanged: the signed reads and every token call read a
// pool, and its query and JSON document were a third of a
// DescribeIdentityPool's server CPU (docs/performance.md).
//
// The test of "unchanged" is SQLite's PRAGMA data_version, the statement
// that holds each View's snapshot (readConn.run): it moves whenever a connection other than this one
// commits, whether this process's writer or another process on the same
// file, and a reader connection never writes. So a cached pool is exactly
// what the query would return in this snapshot, and several processes on
// one file stay as consistent as without a cache. Any commit empties it:
// a write-heavy load gains nothing (and loses nothing: the PRAGMA replaced
// BEGIN), a read-heavy one skips the pool query. PostgreSQL nodes keep no cache (no
// statement there is cheaper than the read).
type poolCache struct {
	version int64
	pools   map[string]*storage.Pool
	lists   map[listKey][]*storage.Pool
}

type listKey struct {
	account, region, after string
	limit                  int
}

// maxCachedEntries bounds each connection's cache (pools plus pages of
// ListPools); past it the cache starts over.
const maxCachedEntries = 1024

// sync drops the cache when the database has changed since it was filled;
// version is the data_version of the View that is starting.
func (pc *poolCache) sync(version int64) {
	if pc.pools == nil || version != pc.version {
		pc.version = version
		pc.pools = map[string]*storage.Pool{}
		pc.lists = map[listKey][]*storage.Pool{}
	}
}

// makeRoom empties a full cache before an entry is added.
func (pc *poolCache) makeRoom() {
	if len(pc.pools)+len(pc.lists) >= maxCachedEntries {
		clear(pc.pools)
		clear(pc.lists)
	}
}

// cachedReader is the reader a View gets: pools come from its connection's
// cache when the database is unchanged, everything else from the query.
// Callers get clones, never the cached values.
type cachedReader struct {
	sqlstore.Reader
	rc *readConn
}

func (r cachedReader) GetPool(id string) (*storage.Pool, error) {
	pc := &r.rc.cache
	if p, ok := pc.pools[id]; ok {
		return p.Clone(), nil
	}
	p, err := r.Reader.GetPool(id)
	if err != nil {
		return nil, err
	}
	pc.makeRoom()
	pc.pools[id] = p.Clone()
	return p, nil
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
	pc.makeRoom()
	pc.lists[k] = clonePools(ps)
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
