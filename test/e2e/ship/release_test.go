package ship

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

// copyTree copies the files git knows (tracked and untracked, not ignored)
// into a new directory, without .git, as a release builder's checkout.
func copyTree(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	list := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	list.Dir = harness.Root()
	files, err := list.Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(harness.Root(), f))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(filepath.Join(harness.Root(), f))
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), b, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

var stamps = []string{"VERSION=v9.8.7-test", "COMMIT=0123456789abcdef0123456789abcdef01234567", "DATE=2026-12-07T01:02:03Z"}

// build runs scripts/build.sh in src for target and returns the binary's bytes.
func build(t *testing.T, src, target, out string) []byte {
	t.Helper()
	cmd := exec.Command("bash", "scripts/build.sh", target, out)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), stamps...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build.sh %s: %v\n%s", target, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The release build is reproducible: two checkouts at different paths give
// the same bytes, which name neither path, and the binary says its stamps.
func TestReleaseBuildReproducible(t *testing.T) {
	t.Parallel()
	target := "linux/" + runtime.GOARCH
	a, b := copyTree(t), copyTree(t)
	binA := build(t, a, target, filepath.Join(t.TempDir(), "idpool"))
	out := filepath.Join(t.TempDir(), "idpool")
	binB := build(t, b, target, out)
	if !bytes.Equal(binA, binB) {
		t.Fatalf("two builds of the same source differ (%d and %d bytes)", len(binA), len(binB))
	}
	home, _ := os.UserHomeDir()
	for _, p := range []string{a, b, harness.Root(), filepath.Join(home, "go", "pkg", "mod")} {
		if bytes.Contains(binA, []byte(p)) {
			t.Errorf("the binary names the build path %s", p)
		}
	}
	if runtime.GOOS != "linux" {
		return
	}
	v, err := exec.Command(out, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("idpool version: %v\n%s", err, v)
	}
	for _, s := range stamps {
		if want := s[strings.Index(s, "=")+1:]; !strings.Contains(string(v), want) {
			t.Errorf("idpool version does not say %s:\n%s", want, v)
		}
	}
}

// Every release OS builds; windows is the one whose system calls differ most.
func TestReleaseBuildWindows(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "idpool.exe")
	bin := build(t, harness.Root(), "windows/amd64", out)
	if !bytes.HasPrefix(bin, []byte("MZ")) {
		t.Errorf("windows/amd64 build is not a PE file")
	}
}
