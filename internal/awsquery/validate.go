package awsquery

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/idpool/idpool/internal/apierr"
)

// Validation collects constraint violations in AWS's wording and reports
// them all at once, as AWS does: "2 validation errors detected: Value null at
// 'roleArn' failed to satisfy constraint: Member must not be null; ...".
type Validation struct {
	errs []string
}

func (v *Validation) add(value *string, member, constraint string) {
	shown := "null"
	if value != nil {
		shown = "'" + apierr.Echo(*value) + "'"
	}
	v.errs = append(v.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member %s", shown, member, constraint))
}

// Required records a missing member; it returns whether the value was present.
func (v *Validation) Required(member string, present bool) bool {
	if !present {
		v.add(nil, member, "must not be null")
	}
	return present
}

// Length checks a string's length in characters; sensitive values are not
// echoed back.
func (v *Validation) Length(member, value string, minLen, maxLen int, sensitive bool) {
	n := utf8.RuneCountInString(value)
	shown := &value
	if sensitive {
		masked := "***"
		shown = &masked
	}
	switch {
	case n < minLen:
		v.add(shown, member, "must have length greater than or equal to "+strconv.Itoa(minLen))
	case maxLen > 0 && n > maxLen:
		v.add(shown, member, "must have length less than or equal to "+strconv.Itoa(maxLen))
	}
}

// MaxItems checks the number of members of a list.
func (v *Validation) MaxItems(member string, n, maxN int) {
	if n > maxN {
		shown := "[" + strconv.Itoa(n) + " members]"
		v.add(&shown, member, "must have length less than or equal to "+strconv.Itoa(maxN))
	}
}

// Pattern checks value against re, whose source is quoted in the message as
// AWS quotes the model's pattern.
func (v *Validation) Pattern(member, value string, re *regexp.Regexp, modelPattern string) {
	if !re.MatchString(value) {
		v.add(&value, member, "must satisfy regular expression pattern: "+modelPattern)
	}
}

// Int parses an integer member within [minV, maxV]; ok is false (and the
// violation recorded) when it is not a number or out of range.
func (v *Validation) Int(member, value string, minV, maxV int64) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	switch {
	case err != nil:
		// [inf] AWS's Query front end answers a non-number with this wording.
		v.add(&value, member, "must be a number")
		return 0, false
	case n < minV:
		v.add(&value, member, "must have value greater than or equal to "+strconv.FormatInt(minV, 10))
		return 0, false
	case n > maxV:
		v.add(&value, member, "must have value less than or equal to "+strconv.FormatInt(maxV, 10))
		return 0, false
	}
	return n, true
}

// Err returns the ValidationError for what was collected, or nil.
func (v *Validation) Err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return apierr.Queryf(apierr.QueryValidation, "1 validation error detected: %s", v.errs[0])
	}
	return apierr.Queryf(apierr.QueryValidation, "%d validation errors detected: %s", len(v.errs), strings.Join(v.errs, "; "))
}
