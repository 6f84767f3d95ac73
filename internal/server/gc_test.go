package server

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: the server's GC target applies only when the environment
// names none; an operator's GOGC (even "100") is left alone.
func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(123)
	defer debug.SetGCPercent(prev)
	if tuneGC(func(k string) (string, bool) { return "100", k == "GOGC" }) {
		t.Error("tuneGC applied its default over GOGC=100")
	}
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("with GOGC set the GC percent became %d", got)
	}
	if !tuneGC(func(string) (string, bool) { return "", false }) {
		t.Error("tuneGC did not apply its default without GOGC")
	}
	if got := debug.SetGCPercent(123); got != defaultGCPercent {
		t.Errorf("without GOGC the GC percent is %d, want %d", got, defaultGCPercent)
	}
}
