package server

import "runtime/debug"

// defaultGCPercent is the collector's target (GOGC) when the environment
// sets none. A request allocates a few kilobytes that die with it and the
// live heap is small (pools and identities live in the database, the caches
// are bounded), so Go's default of 100 collects every few thousand requests:
// the background collector was 8% of the server's CPU on a GetId with a
// login. At 400 it is 2%; the heap may grow to five times what is live
// instead of twice (under load the resident set went from 35 to 45 MB for
// signed reads and from 46 to 75 MB for logins; docs/performance.md).
// Operators choose otherwise with GOGC, and bound memory with GOMEMLIMIT.
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless GOGC is set, and reports whether
// it did.
func tuneGC(lookupEnv func(string) (string, bool)) bool {
	if _, set := lookupEnv("GOGC"); set {
		return false
	}
	debug.SetGCPercent(defaultGCPercent)
	return true
}
