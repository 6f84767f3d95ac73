package ops

import (
	"strings"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/storage"
)

// newPoolID returns REGION:uuid with a random (v4) uuid, as AWS pool ids look.
func newPoolID(region string) string {
	return region + ":" + uuid.NewString()
}

// newIdentityID returns REGION:uuid with a time-ordered (v7) uuid: identities
// are listed in id order, so new ones land at the end of a B-tree and at the
// end of a listing that is being paged (never before an issued cursor).
func newIdentityID(region string) (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return region + ":" + u.String(), nil
}

// regionOf returns the REGION part of a REGION:uuid id.
func regionOf(id string) string {
	region, _, _ := strings.Cut(id, ":")
	return region
}

// poolARN is the identity pool's ARN.
func poolARN(p *storage.Pool) string {
	return "arn:aws:cognito-identity:" + p.Region + ":" + p.AccountID + ":identitypool/" + p.ID
}

// parsePoolARN splits arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/ID.
// Any partition is accepted (aws, aws-cn, aws-us-gov).
func parsePoolARN(arn string) (region, account, poolID string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "cognito-identity" {
		return "", "", "", false
	}
	id, found := strings.CutPrefix(parts[5], "identitypool/")
	if !found || parts[3] == "" || parts[4] == "" || id == "" || regionOf(id) != parts[3] {
		return "", "", "", false
	}
	return parts[3], parts[4], id, true
}

// isAccountID reports whether s is a 12-digit account id.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
