package isolation

import (
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestMarkersStayInAccount: IAM's ListRoles markers are checked as strictly
// as Cognito's NextTokens. A marker this server did not issue (garbage, or
// the cursor of the old unsigned form), or one issued to another account,
// gets ValidationError "Invalid Marker."; where it used to answer 200 with
// an empty page, or page through from a forged cursor.
func TestMarkersStayInAccount(t *testing.T) {
	_, a, b, w := start(t)
	ctx := t.Context()
	for _, name := range []string{"RoleA2", "RoleA3"} {
		_, err := a.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust(w.poolA))})
		fatalIf(t, "A CreateRole "+name, err)
	}
	page, err := a.iam.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(1)})
	fatalIf(t, "A ListRoles", err)
	if !page.IsTruncated || aws.ToString(page.Marker) == "" {
		t.Fatalf("A's first page of one role is not truncated: %+v", page)
	}
	seen := len(page.Roles)
	for marker := page.Marker; marker != nil; {
		next, err := a.iam.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(1), Marker: marker})
		fatalIf(t, "A ListRoles with its own marker", err)
		seen += len(next.Roles)
		marker = next.Marker
	}
	if seen != 3 {
		t.Fatalf("A paged through %d roles, want 3", seen)
	}

	c := &tally{t: t}
	const invalid = "ValidationError"
	for name, m := range map[string]string{
		"garbage":                           "garbage",
		"an unsigned cursor (the old form)": base64.RawURLEncoding.EncodeToString([]byte("role/RoleA2")),
		"a marker with its MAC cut":         aws.ToString(page.Marker)[:len(aws.ToString(page.Marker))-2],
	} {
		_, err := a.iam.ListRoles(ctx, &awsiam.ListRolesInput{Marker: aws.String(m)})
		c.want("ListRoles with "+name, invalid, err)
	}
	_, err = b.iam.ListRoles(ctx, &awsiam.ListRolesInput{Marker: page.Marker})
	c.want("B ListRoles with A's marker", invalid, err)
	t.Logf("isolation: %d marker attempts, %d refused", c.attempts, c.refusals)
}
