// Package licenses checks the licences of idpool's dependencies with
// github.com/google/go-licenses and keeps THIRD_PARTY_LICENSES.md, the list
// shipped with every binary and image, generated from what the code imports.
//
//	go test ./test/licenses                  # what make test runs
//	go test ./test/licenses -run List -update # regenerate THIRD_PARTY_LICENSES.md (make licenses)
package licenses

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/idpool/idpool/test/harness"
)

var update = flag.Bool("update", false, "rewrite THIRD_PARTY_LICENSES.md")

// goLicenses is the tool, pinned: `go run` fetches it from the module proxy
// once and builds it from the build cache afterwards.
const goLicenses = "github.com/google/go-licenses@v1.6.0"

// allowed are the licences a dependency may carry: permissive ones only.
// Everything else fails the check: GPL, LGPL and AGPL (copyleft), SSPL and
// BUSL (not open source; go-licenses reports them as unknown) and any licence
// the classifier does not recognise.
var allowed = []string{"Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "MIT", "ISC"}

// reviewed are modules whose licence go-licenses v1.6.0 cannot classify
// although it is an allowed one; each is checked here by a phrase of its
// licence file instead. modernc.org/mathutil's LICENSE is BSD-3-Clause with
// "the names of the authors" where the template says "the name of the
// copyright holder", which is below the classifier's confidence threshold.
var reviewed = map[string]struct{ licence, file, phrase string }{
	"modernc.org/mathutil": {"BSD-3-Clause", "LICENSE", "Neither the names of the authors nor the names of the\ncontributors may be used to endorse or promote products derived from\nthis software without specific prior written permission."},
}

func run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", goLicenses}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

func checkArgs(pkgs ...string) []string {
	args := append([]string{"check"}, pkgs...)
	args = append(args, "--allowed_licenses="+strings.Join(allowed, ","))
	for mod := range reviewed {
		args = append(args, "--ignore="+mod)
	}
	return args
}

// TestDependencyLicences fails when any package the module builds (the
// binary, the tests' helpers) comes under a licence outside allowed.
func TestDependencyLicences(t *testing.T) {
	t.Parallel()
	if out, err := run(t, harness.Root(), checkArgs("./...")...); err != nil {
		t.Fatalf("go-licenses check: %v\n%s", err, lastLines(out, 20))
	}
	for mod, r := range reviewed {
		dir := moduleDir(t, mod)
		if dir == "" {
			continue // no longer a dependency
		}
		text, err := os.ReadFile(filepath.Join(dir, r.file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), r.phrase) {
			t.Errorf("%s/%s no longer reads as the %s reviewed by hand: review it again", mod, r.file, r.licence)
		}
	}
}

// TestCheckRefusesCopyleft proves the check can fail: a module depending on
// a GPL-3.0 package, and one on a BUSL package, are both refused.
func TestCheckRefusesCopyleft(t *testing.T) {
	t.Parallel()
	gpl, err := os.ReadFile("/usr/share/common-licenses/GPL-3")
	if err != nil {
		t.Skipf("no GPL-3 text to build the fixture from (Debian's base-files has it): %v", err)
	}
	busl := []byte("Business Source License 1.1\n\nParameters\n\nLicensor: Example\nLicensed Work: dep\nChange Date: 2030-01-01\nChange License: Apache License, Version 2.0\n\n" +
		"The Licensor hereby grants you the right to copy, modify, create derivative works, redistribute, and make non-production use of the Licensed Work.\n")
	for name, text := range map[string][]byte{"GPL-3.0": gpl, "BUSL-1.1": busl} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, filepath.Join(dir, "go.mod"), "module example.com/app\n\ngo 1.22\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ./dep\n")
			write(t, filepath.Join(dir, "LICENSE"), string(mustRead(t, filepath.Join(harness.Root(), "LICENSE"))))
			write(t, filepath.Join(dir, "main.go"), "package main\n\nimport \"example.com/dep\"\n\nfunc main() { dep.F() }\n")
			write(t, filepath.Join(dir, "dep", "go.mod"), "module example.com/dep\n\ngo 1.22\n")
			write(t, filepath.Join(dir, "dep", "dep.go"), "package dep\n\nfunc F() {}\n")
			write(t, filepath.Join(dir, "dep", "LICENSE"), string(text))
			out, err := run(t, dir, checkArgs("./...")...)
			if err == nil {
				t.Fatalf("go-licenses check passed a %s dependency:\n%s", name, out)
			}
			if !strings.Contains(out, "example.com/dep") {
				t.Fatalf("go-licenses check failed, but not on example.com/dep: %v\n%s", err, lastLines(out, 20))
			}
		})
	}
}

// TestThirdPartyLicenseList fails when THIRD_PARTY_LICENSES.md is not what
// the binary's dependencies say now; -update rewrites it.
func TestThirdPartyLicenseList(t *testing.T) {
	t.Parallel()
	root := harness.Root()
	tmpl := filepath.Join(t.TempDir(), "report.tmpl")
	write(t, tmpl, "{{range .}}{{.Name}}\t{{.Version}}\t{{.LicenseName}}\t{{.LicensePath}}\n{{end}}")
	out, err := run(t, root, "report", "./cmd/idpool", "--template="+tmpl)
	if err != nil {
		t.Fatalf("go-licenses report: %v\n%s", err, lastLines(out, 20))
	}
	got := render(t, out)
	path := filepath.Join(root, "THIRD_PARTY_LICENSES.md")
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Fatalf("THIRD_PARTY_LICENSES.md is out of date with the dependencies: run `make licenses` and commit it")
	}
}

type pkg struct{ name, version, licence, path string }

// render turns go-licenses' report into the shipped document: a table of
// packages, each licence text once, then the NOTICE files of the modules
// (Apache-2.0 section 4(d) asks that they travel with a redistribution).
func render(t *testing.T, report string) string {
	modcache := strings.TrimSpace(goEnv(t, "GOMODCACHE")) + string(filepath.Separator)
	var pkgs []pkg
	for _, line := range strings.Split(strings.TrimSpace(report), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("report line %q: want 4 fields", line)
		}
		p := pkg{f[0], f[1], f[2], f[3]}
		if strings.HasPrefix(p.name, "github.com/idpool/idpool") {
			continue
		}
		for mod, r := range reviewed {
			if p.path == "" && (p.name == mod || strings.HasPrefix(p.name, mod+"/")) {
				p.licence, p.path = r.licence, filepath.Join(moduleDir(t, mod), r.file)
			}
		}
		if p.path == "" {
			t.Fatalf("no licence file for %s", p.name)
		}
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].name < pkgs[j].name })

	var b strings.Builder
	b.WriteString("# Third-party licences\n\n")
	b.WriteString("The packages compiled into the `idpool` binary that are not idpool's own, with their\n")
	b.WriteString("licences and NOTICE files. Generated by `make licenses` (go-licenses " + strings.TrimPrefix(goLicenses, "github.com/google/go-licenses@") + ");\n")
	b.WriteString("`make test` fails when it is out of date. Do not edit by hand.\n\n")
	b.WriteString("| package | version | licence |\n|---|---|---|\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", p.name, p.version, p.licence)
	}
	var files []string
	for _, p := range pkgs {
		files = append(files, p.path)
	}
	texts(&b, modcache, files)
	texts(&b, modcache, notices(t))
	return b.String()
}

// texts writes each distinct text once, under the files that carry it.
func texts(b *strings.Builder, modcache string, files []string) {
	var order []string
	where := map[string][]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		text := strings.TrimRight(string(raw), "\n")
		name := strings.TrimPrefix(f, modcache)
		if len(where[text]) == 0 {
			order = append(order, text)
		}
		if !slices.Contains(where[text], name) {
			where[text] = append(where[text], name)
		}
	}
	for _, text := range order {
		fmt.Fprintf(b, "\n## %s\n\n```\n%s\n```\n", strings.Join(where[text], ", "), text)
	}
}

// notices lists the NOTICE files of the modules the binary is built from.
func notices(t *testing.T) []string {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Dir}}{{end}}{{end}}", "./cmd/idpool")
	cmd.Dir = harness.Root()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var files []string
	seen := map[string]bool{}
	for _, dir := range strings.Fields(string(out)) {
		if seen[dir] {
			continue
		}
		seen[dir] = true
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() && strings.HasPrefix(strings.ToUpper(e.Name()), "NOTICE") {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(files)
	return files
}

func moduleDir(t *testing.T, mod string) string {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod)
	cmd.Dir = harness.Root()
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
