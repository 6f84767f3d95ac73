package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// pageFetcher makes one call with params and returns the parsed response.
type pageFetcher func(params *object) (*object, error)

// progressFunc reports the number of items fetched so far.
type progressFunc func(items, pages int)

// nonAggregate names the keys kept from the first page of the listings
// idpool paginates beyond botocore's own configuration.
var nonAggregate = map[string][]string{
	"ListIdentities":          {"IdentityPoolId"},
	"LookupDeveloperIdentity": {"IdentityId"},
}

// encodeToken is botocore's TokenEncoder: base64 of the JSON token dict.
func encodeToken(next any, truncate int, withTruncate bool) string {
	o := newObject()
	o.set("NextToken", next)
	if withTruncate {
		o.set("boto_truncate_amount", int64(truncate))
	}
	return base64.StdEncoding.EncodeToString([]byte(pyCompactJSON(o)))
}

// pyCompactJSON is json.dumps(v) with Python's default separators.
func pyCompactJSON(o *object) string {
	parts := make([]string, 0, o.len())
	for _, k := range o.keys {
		parts = append(parts, pyScalarJSON(k)+": "+pyScalarJSON(o.vals[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// decodeToken reads a --starting-token: botocore's encoded form, else a
// raw service token (botocore's legacy "token___N" form included).
func decodeStartingToken(tok string) (next any, truncate int) {
	if raw, err := base64.StdEncoding.DecodeString(tok); err == nil {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			if n, ok := m["boto_truncate_amount"].(float64); ok {
				truncate = int(n)
			}
			return m["NextToken"], truncate
		}
	}
	if base, n, ok := strings.Cut(tok, "___"); ok {
		if i, err := strconv.Atoi(n); err == nil {
			return base, i
		}
	}
	return tok, 0
}

// applyPageSize sets the limit key from --page-size; when the API requires
// one and none is given, idpool asks for the API's maximum page.
func applyPageSize(op *operation, params *object, pageSize string) error {
	pg := op.Paging
	if pageSize != "" {
		n, err := strconv.ParseInt(pageSize, 10, 64)
		if err != nil {
			return &usageError{fmt.Sprintf("argument --page-size: invalid int value: '%s'", pageSize)}
		}
		params.set(pg.LimitKey, n)
		return nil
	}
	if _, ok := params.get(pg.LimitKey); !ok && op.Input.isRequired(pg.LimitKey) {
		max := int64(60)
		if m := op.Input.member(pg.LimitKey); m != nil && m.Shape.Max != nil {
			max = int64(*m.Shape.Max)
		}
		params.set(pg.LimitKey, max)
	}
	return nil
}

// paginate follows NextToken as botocore's PageIterator does, honouring
// --starting-token, --page-size and --max-items, and builds both the
// per-page view (text output) and the full result.
func paginate(op *operation, params *object, startToken, maxItems string, fetch pageFetcher, progress progressFunc) (*result, error) {
	pg := op.Paging
	max := -1
	if maxItems != "" {
		n, err := strconv.Atoi(maxItems)
		if err != nil {
			return nil, &fatalError{fmt.Sprintf("invalid literal for int() with base 10: '%s'", maxItems)}
		}
		max = n
	}
	var next any
	startTrunc := 0
	if startToken != "" {
		next, startTrunc = decodeStartingToken(startToken)
		if next != nil {
			params.set(pg.InputToken, next)
		}
	}
	r := &result{paginated: true, full: newObject()}
	var all []any
	first := true
	total := 0
	var previous any
	nonAgg := newObject()
	for pages := 1; ; pages++ {
		page, err := fetch(params)
		if err != nil {
			return nil, err
		}
		items, _ := page.vals[pg.ResultKey].([]any)
		if first {
			if startTrunc > 0 && startTrunc <= len(items) {
				items = items[startTrunc:]
			}
			for _, k := range nonAggregate[op.Name] {
				if v, ok := page.get(k); ok {
					nonAgg.set(k, v)
				}
			}
		} else {
			startTrunc = 0
		}
		truncate := 0
		if max >= 0 {
			truncate = total + len(items) - max
		}
		view := newObject()
		if first {
			for _, k := range nonAgg.keys {
				view.set(k, nonAgg.vals[k])
			}
		}
		if truncate > 0 {
			keep := len(items) - truncate
			items = items[:keep]
			view.set(pg.ResultKey, items)
			r.pages = append(r.pages, view)
			all = append(all, items...)
			r.resume = encodeToken(next, keep+startTrunc, true)
			break
		}
		view.set(pg.ResultKey, items)
		r.pages = append(r.pages, view)
		all = append(all, items...)
		total += len(items)
		first = false
		if progress != nil {
			progress(total, pages)
		}
		nt, ok := page.get(pg.OutputToken)
		if !ok || nt == nil || nt == "" {
			break
		}
		if max >= 0 && total == max {
			r.resume = encodeToken(nt, 0, false)
			break
		}
		if previous != nil && previous == nt {
			return nil, &fatalError{fmt.Sprintf("The same next token was received twice: {'%s': '%v'}", pg.OutputToken, nt)}
		}
		params.set(pg.InputToken, nt)
		previous, next = nt, nt
	}
	if all == nil {
		all = []any{}
	}
	r.full.set(pg.ResultKey, all)
	for _, k := range nonAgg.keys {
		r.full.set(k, nonAgg.vals[k])
	}
	if r.resume != "" {
		r.full.set("NextToken", r.resume)
	}
	return r, nil
}
