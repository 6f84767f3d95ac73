package apierr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEcho(t *testing.T) {
	if got := Echo("short"); got != "short" {
		t.Errorf("Echo(short) = %q", got)
	}
	exact := strings.Repeat("é", MaxEcho)
	if got := Echo(exact); got != exact {
		t.Errorf("a value of MaxEcho characters was cut")
	}
	long := strings.Repeat("é", 100000)
	got := Echo(long)
	if utf8.RuneCountInString(got) != MaxEcho+len(cut) || !strings.HasSuffix(got, cut) || !utf8.ValidString(got) {
		t.Errorf("Echo(long): %d characters, %q...", utf8.RuneCountInString(got), got[:20])
	}
}

func TestClip(t *testing.T) {
	for _, s := range []string{strings.Repeat("a", 10000), strings.Repeat("€", 5000), "x" + strings.Repeat("😀", 4000)} {
		got := Clip(s, MaxHeaderMessage)
		if len(got) > MaxHeaderMessage || !utf8.ValidString(got) || !strings.HasSuffix(got, cut) {
			t.Errorf("Clip: %d bytes, valid %v", len(got), utf8.ValidString(got))
		}
	}
	if Clip("fits", 10) != "fits" {
		t.Error("Clip cut a short message")
	}
}
