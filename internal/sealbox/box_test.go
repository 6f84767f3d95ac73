package sealbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustBox(t *testing.T, key []byte) *Box {
	t.Helper()
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	box := mustBox(t, testKey(1))
	plain := []byte(`{"key":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}`)
	sealed := box.Seal("sts/session-token-key", plain)
	if !IsSealed(sealed) || IsSealed(plain) {
		t.Fatal("IsSealed does not tell sealed from plain")
	}
	if bytes.Contains(sealed, plain[8:20]) {
		t.Fatal("sealed value contains the plaintext")
	}
	if again := box.Seal("sts/session-token-key", plain); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	got, err := box.Open("sts/session-token-key", sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}

	refused := 0
	tries := map[string]func() ([]byte, error){
		"other name": func() ([]byte, error) { return box.Open("pagination/hmac-key", sealed) },
		"other key":  func() ([]byte, error) { return mustBox(t, testKey(2)).Open("sts/session-token-key", sealed) },
		"plaintext":  func() ([]byte, error) { return box.Open("sts/session-token-key", plain) },
		"truncated":  func() ([]byte, error) { return box.Open("sts/session-token-key", sealed[:len(header)+5]) },
	}
	for i := len(header); i < len(sealed); i += 7 {
		flipped := bytes.Clone(sealed)
		flipped[i] ^= 0x40
		tries["bit flip "+string(rune('a'+i%26))+string(rune('0'+i/26%10))] = func() ([]byte, error) { return box.Open("sts/session-token-key", flipped) }
	}
	for name, try := range tries {
		if _, err := try(); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", name, err)
			continue
		}
		refused++
	}
	t.Logf("sealbox: %d tampered opens, %d refused", len(tries), refused)

	future := bytes.Clone(sealed)
	future[len(header)-1] = 2
	if _, err := box.Open("sts/session-token-key", future); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("unknown version: %v", err)
	}
}

func TestKeys(t *testing.T) {
	if _, err := New(testKey(1)[:16]); err == nil {
		t.Error("New accepted a 16-byte key")
	}
	good := base64.StdEncoding.EncodeToString(testKey(7))
	if k, err := ParseKey(good); err != nil || !bytes.Equal(k, testKey(7)) {
		t.Errorf("ParseKey = %x, %v", k, err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(testKey(7)[:31])} {
		_, err := ParseKey(bad)
		if err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("ParseKey error quotes the secret: %v", err)
		}
	}
	// The sealing key is derived, not the configured key itself, so the
	// token package's direct use of the configured key is a separate key.
	box := mustBox(t, testKey(3))
	if _, err := box.Open("x", mustBox(t, testKey(3)).Seal("x", []byte("v"))); err != nil {
		t.Errorf("same key, new Box: %v", err)
	}
}
