// Package storecmd implements the storage subcommands of the idpool binary:
// "idpool migrate" and "idpool backup". They open the store the same way
// the server does (package backends), so --store and --data-dir mean the
// same thing everywhere.
package storecmd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/idpool/idpool/internal/storage/backends"
	"github.com/idpool/idpool/internal/storage/sqlite"
)

// storeFlags are the flags both commands share with "idpool serve".
func storeFlags(fs *flag.FlagSet) *backends.Options {
	o := &backends.Options{}
	fs.StringVar(&o.Spec, "store", os.Getenv("IDPOOL_STORE"), "storage: a SQLite file path, sqlite:///path or postgres://... (default: SQLite in --data-dir)")
	fs.StringVar(&o.DataDir, "data-dir", "./data", "directory of the default SQLite database")
	return o
}

// versioned is a store that knows its schema version.
type versioned interface {
	Version(ctx context.Context) (current, latest int, err error)
}

// Migrate runs "idpool migrate [--store SPEC] [--data-dir DIR] apply|status".
func Migrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("idpool migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := storeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: idpool migrate [--store SPEC] [--data-dir DIR] apply|status")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "apply" && fs.Arg(0) != "status") {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	o.SkipMigrations = fs.Arg(0) == "status"
	s, err := backends.Open(ctx, *o)
	if err != nil {
		fmt.Fprintf(stderr, "idpool migrate: %v\n", err)
		return 1
	}
	defer s.Close()
	v, ok := s.(versioned)
	if !ok {
		fmt.Fprintln(stderr, "idpool migrate: this store has no schema version")
		return 1
	}
	current, latest, err := v.Version(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "idpool migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "schema version %d (this idpool writes %d)\n", current, latest)
	switch {
	case current > latest:
		fmt.Fprintln(stdout, "the database is newer than this idpool: upgrade idpool")
		return 1
	case current < latest:
		fmt.Fprintf(stdout, "%d migration(s) pending: run \"idpool migrate apply\" (or start the server)\n", latest-current)
		return 3
	}
	fmt.Fprintln(stdout, "up to date")
	return 0
}

// Backup runs "idpool backup [--store SPEC] [--data-dir DIR] --out FILE".
func Backup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("idpool backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := storeFlags(fs)
	out := fs.String("out", "", "file to write the backup to (must not exist)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: idpool backup [--store SPEC] [--data-dir DIR] --out FILE")
		return 2
	}
	kind, path, err := backends.Resolve(*o)
	if err != nil {
		fmt.Fprintf(stderr, "idpool backup: %v\n", err)
		return 1
	}
	if kind != backends.SQLite {
		fmt.Fprintln(stderr, "idpool backup: for PostgreSQL use pg_dump --format=custom (see docs/storage.md)")
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := sqlite.Backup(ctx, path, *out); err != nil {
		fmt.Fprintf(stderr, "idpool backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", path, *out)
	return 0
}
