package trace

import (
	"encoding/base64"
	"strconv"
	"sync"
)

// DefaultPerAccount is how many traces an account keeps when the
// configuration says nothing.
const DefaultPerAccount = 1000

// Store keeps the latest traces of each account in memory, up to a bound
// per account: past it the oldest is dropped. It is safe for concurrent use.
type Store struct {
	per      int
	mu       sync.Mutex
	accounts map[string]*ring
}

// ring is one account's traces: the n-th one put (counting from 0) is at
// items[n%per] while n >= count-len(items).
type ring struct {
	items []*Trace
	count uint64
	byID  map[string]uint64
}

// NewStore returns a Store keeping per traces per account
// (DefaultPerAccount when per <= 0).
func NewStore(per int) *Store {
	if per <= 0 {
		per = DefaultPerAccount
	}
	return &Store{per: per, accounts: map[string]*ring{}}
}

// Put keeps t for account, dropping the account's oldest beyond the bound.
func (s *Store) Put(account string, t *Trace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.accounts[account]
	if r == nil {
		r = &ring{byID: map[string]uint64{}}
		s.accounts[account] = r
	}
	n := r.count
	r.count++
	if len(r.items) < s.per {
		r.items = append(r.items, t)
	} else {
		i := n % uint64(s.per)
		if old := r.items[i]; r.byID[old.RequestId] == n-uint64(s.per) {
			delete(r.byID, old.RequestId)
		}
		r.items[i] = t
	}
	r.byID[t.RequestId] = n
}

// Len returns how many traces account holds.
func (s *Store) Len(account string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.accounts[account]; r != nil {
		return len(r.items)
	}
	return 0
}

// Get returns account's trace of request id.
func (s *Store) Get(account, id string) (*Trace, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.accounts[account]
	if r == nil {
		return nil, false
	}
	n, ok := r.byID[id]
	if !ok {
		return nil, false
	}
	return r.items[n%uint64(s.per)], true
}

// Filter selects traces for List; empty fields select all.
type Filter struct {
	Operation, IdentityID, PoolID string
}

func (f Filter) match(t *Trace) bool {
	return (f.Operation == "" || f.Operation == t.Operation) &&
		(f.IdentityID == "" || f.IdentityID == t.IdentityId) &&
		(f.PoolID == "" || f.PoolID == t.IdentityPoolId)
}

// List returns up to max of account's traces matching f, newest first,
// from the position next names ("" from the newest), and the position of
// the page that follows ("" when none does). ok is false when next is not
// a position List gave.
func (s *Store) List(account string, f Filter, max int, next string) (out []*Trace, following string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.accounts[account]
	from := uint64(0)
	if r != nil {
		from = r.count
	}
	if next != "" {
		b, err := base64.RawURLEncoding.DecodeString(next)
		if err != nil {
			return nil, "", false
		}
		if from, err = strconv.ParseUint(string(b), 10, 64); err != nil || r == nil || from > r.count {
			return nil, "", false
		}
	}
	if r == nil {
		return nil, "", true
	}
	oldest := r.count - uint64(len(r.items))
	for n := from; n > oldest; n-- {
		t := r.items[(n-1)%uint64(s.per)]
		if !f.match(t) {
			continue
		}
		if len(out) == max {
			return out, base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(n, 10))), true
		}
		out = append(out, t)
	}
	return out, "", true
}
