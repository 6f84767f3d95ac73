package crash

import (
	"fmt"
	"sync"
)

// ledger records what the server promised: every acknowledged (2xx) write
// and every attempt whose answer was lost to the kill (which may or may not
// have happened, but never in part).
type ledger struct {
	mu sync.Mutex
	// guests are identities GetId acknowledged, with the round they were
	// made in.
	guests map[string]int
	// users are developer users: what GetOpenIdTokenForDeveloperIdentity
	// and merges promised about them.
	users map[string]*userRec
	// merges are MergeDeveloperIdentities calls, acknowledged or not.
	merges []*mergeRec
	// cfg are the pool's counters: name, roles and tag generations.
	cfg map[string]*genRec
	// creates counts calls that may have made an identity (acked or not):
	// an upper bound on the pool's identities.
	creates int
	// ids are the identities acknowledged as made (guests and developer
	// users' identities): each must be in the store.
	ids     map[string]bool
	acked   int
	unacked int
	// apiErrs are errors the server answered during the load: none is
	// expected (the load only sends valid requests).
	apiErrs []string
}

// userRec is one developer user of the pool.
type userRec struct {
	round int
	// mustExist is set once a call that links the user was acknowledged.
	mustExist bool
	// allowed are the identities the user may be on; more than one when
	// an unacknowledged merge may have moved it.
	allowed map[string]bool
}

// mergeRec is a merge of src's identity onto dst's.
type mergeRec struct {
	round    int
	src, dst string // developer user identifiers
	// srcID is src's identity before the merge, "" when src was a user on
	// no identity (the merge then links it to dstID).
	srcID, dstID string
	acked        bool
}

// genRec is a counter written into the pool by one worker: the largest
// generation acknowledged (or seen after a restart) and the largest tried.
type genRec struct{ acked, tried int }

func newLedger() *ledger {
	return &ledger{guests: map[string]int{}, ids: map[string]bool{}, users: map[string]*userRec{}, cfg: map[string]*genRec{
		"name": {}, "roles": {}, "tags": {},
	}}
}

func (l *ledger) guest(round int, id string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.creates++
	if ok {
		l.acked++
		l.guests[id] = round
		l.ids[id] = true
	} else {
		l.unacked++
	}
}

// devUser records a GetOpenIdTokenForDeveloperIdentity for a new user.
func (l *ledger) devUser(round int, user, id string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.creates++
	if !ok {
		l.unacked++
		// It may exist, on an identity we never learnt.
		l.users[user] = &userRec{round: round}
		return
	}
	l.acked++
	l.ids[id] = true
	l.users[user] = &userRec{round: round, mustExist: true, allowed: map[string]bool{id: true}}
}

// merge records MergeDeveloperIdentities(src -> dst).
func (l *ledger) merge(m *mergeRec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.merges = append(l.merges, m)
	u := l.users[m.src]
	if u == nil { // a user on no identity yet: the merge links it
		u = &userRec{round: m.round, allowed: map[string]bool{}}
		l.users[m.src] = u
	}
	if m.acked {
		l.acked++
		u.mustExist = true
		u.allowed = map[string]bool{m.dstID: true}
	} else {
		l.unacked++
		u.allowed[m.dstID] = true
	}
}

// nextGen returns the next generation of counter kind.
func (l *ledger) nextGen(kind string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.cfg[kind]
	g.tried++
	return g.tried
}

func (l *ledger) genDone(kind string, n int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !ok {
		l.unacked++
		return
	}
	l.acked++
	g := l.cfg[kind]
	g.acked = max(g.acked, n)
}

func (l *ledger) apiError(what string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.apiErrs = append(l.apiErrs, fmt.Sprintf("%s: %v", what, err))
}
