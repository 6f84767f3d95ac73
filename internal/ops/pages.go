package ops

import (
	"errors"

	"github.com/idpool/idpool/internal/apierr"
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
func (s *Service) cursor(scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	c, err := s.pages.Decode(scope, token)
	if err != nil {
		return "", apierr.InvalidParameterf("The pagination token is invalid.")
	}
	return c, nil
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
