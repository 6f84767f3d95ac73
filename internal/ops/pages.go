package ops

import (
	"context"
	"errors"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/storage"
)

// maxPage is AWS's "Results from a single list or lookup call: 60".
const maxPage = 60

// pageSize returns the page size for MaxResults (the model bounds it to
// 1..60 where present; absent means the maximum).
func pageSize(max int) int {
	if max <= 0 || max > maxPage {
		return maxPage
	}
	return max
}

// cursor decodes a NextToken for scope; "" starts from the beginning.
func (s *Service) cursor(ctx context.Context, scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	c, err := s.pages.Decode(ctx, scope, token)
	if errors.Is(err, pagination.ErrInvalid) {
		return "", apierr.InvalidParameterf("The pagination token is invalid.")
	}
	if err != nil {
		return "", storeErr(err)
	}
	return c, nil
}

// nextToken issues the NextToken that continues after cursor in scope.
func (s *Service) nextToken(ctx context.Context, scope, cursor string) (string, error) {
	t, err := s.pages.Encode(ctx, scope, cursor)
	return t, storeErr(err)
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
