package backends

import (
	"context"
	"errors"

	"github.com/idpool/idpool/internal/storage"
)

// openPostgres opens the PostgreSQL backend.
func openPostgres(ctx context.Context, url string, o Options) (storage.Store, error) {
	return nil, errors.New("storage: the PostgreSQL backend is not built yet (issue 6): use SQLite")
}
