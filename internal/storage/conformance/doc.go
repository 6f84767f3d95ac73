// Package conformance states the storage contract as tests. Every backend
// runs the same suite from its own tests:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) storage.Store { ... },
//			conformance.WithReopen(func(t *testing.T, s storage.Store) storage.Store { ... }))
//	}
//
// open must return a new, empty store for each call; the suite closes it.
// Beyond storage.go's comments, the suite pins down what callers may rely on:
// an Identity's Logins are ordered by (Provider, Subject) and nil when it has
// none; times come back in UTC with at least millisecond precision; a nil map
// or slice in a Pool comes back nil and an empty one empty; Delete* of a
// missing record is ErrNotFound; PutBlob does not modify its argument.
package conformance
