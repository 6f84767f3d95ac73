// Package testlog captures what a server writes from its own goroutines
// (a process's output, a handler's log) for tests to read and wait on.
package testlog

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// Buffer is a bytes.Buffer that writers and readers may share.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Wait waits up to d for the buffer to contain substr and reports whether
// it did: a line is often written after the answer its test is waiting for.
func (b *Buffer) Wait(substr string, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(10 * time.Millisecond) {
		if strings.Contains(b.String(), substr) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
