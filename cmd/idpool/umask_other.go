//go:build !unix

package main

// ownerOnly has nothing to do where there is no umask.
func ownerOnly() {}
