// Package layers holds no code: its test checks the import rule of
// docs/architecture.md with `go list`, so the layering cannot drift.
package layers
