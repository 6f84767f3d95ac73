package iamquery

import (
	"net/url"
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
)

// listParams reads a list action's MaxItems (1..1000, default 100) and
// Marker. A marker is accepted only as this server issued it for scope
// (the action, the account and the listed object), as ListRoles'.
func (s *Service) listParams(v *awsquery.Validation, form url.Values, scope string) (maxItems int, after string, err error) {
	n := int64(100)
	if m, ok := awsquery.Get(form, "MaxItems"); ok {
		n, _ = v.Int("maxItems", m, 1, 1000)
	}
	if m, ok := awsquery.Get(form, "Marker"); ok {
		cursor, derr := s.pages.Decode(scope, m)
		if derr != nil || cursor == "" {
			return 0, "", apierr.Queryf(apierr.QueryValidation, "Invalid Marker.")
		}
		after = cursor
	}
	return int(n), after, nil
}

// page is one page of items (sorted by key) after the cursor, and the
// marker of the next one ("" on the last page).
func page[T any](s *Service, scope string, items []T, key func(T) string, after string, maxItems int) ([]T, string) {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	i, _ := slices.BinarySearchFunc(items, after, func(t T, k string) int { return strings.Compare(key(t), k) })
	if i < len(items) && after != "" && key(items[i]) == after {
		i++
	}
	items = items[i:]
	if len(items) <= maxItems {
		return items, ""
	}
	items = items[:maxItems]
	return items, s.pages.Encode(scope, key(items[len(items)-1]))
}
