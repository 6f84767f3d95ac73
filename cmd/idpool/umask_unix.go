//go:build unix

package main

import "syscall"

// ownerOnly makes every file the process creates owner-only whatever the
// caller's umask, so nothing the store writes (SQLite's temporary files
// included) is readable by other local users. The store also creates its
// files 0600 itself; this covers what it does not name.
func ownerOnly() { syscall.Umask(0o077) }
