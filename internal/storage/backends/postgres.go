package backends

import (
	"context"

	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/postgres"
)

// openPostgres opens the PostgreSQL backend.
func openPostgres(ctx context.Context, url string, o Options) (storage.Store, error) {
	return postgres.Open(ctx, url, postgres.Options{Logger: o.Logger, SkipMigrations: o.SkipMigrations})
}
