package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// companions are the files SQLite keeps beside a database in WAL mode
// (and, before WAL is on, the rollback journal).
var companions = []string{"-wal", "-shm", "-journal"}

// makePrivate readies path so that the database and every file SQLite makes
// beside it are owner-only from their first byte: the directory is created
// 0700, the database file is created empty 0600 before SQLite opens it
// (SQLite takes an empty file as a new database and gives its -wal, -shm
// and -journal the database file's mode), and files left readable by
// others, by an older idpool or by hand, are tightened, saying so once.
// An existing directory is the operator's: it is not changed, only
// reported when others may list it.
func makePrivate(path string, log *slog.Logger) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	f.Close()
	var tightened []string
	for _, p := range append([]string{path}, withSuffixes(path)...) {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			tightened = append(tightened, filepath.Base(p))
		}
	}
	if len(tightened) > 0 {
		log.Warn("sqlite: files were readable by other users; made them owner-only (0600)", "dir", dir, "files", tightened)
	}
	if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o077 != 0 {
		log.Warn("sqlite: other users may list the data directory; the files in it are owner-only, but chmod 700 it", "dir", dir, "mode", fmt.Sprintf("%04o", st.Mode().Perm()))
	}
	return nil
}

func withSuffixes(path string) []string {
	out := make([]string, 0, len(companions))
	for _, s := range companions {
		out = append(out, path+s)
	}
	return out
}
