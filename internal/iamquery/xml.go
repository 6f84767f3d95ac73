package iamquery

import (
	"net/url"
	"strings"

	"github.com/idpool/idpool/internal/iam"
)

// roleXML is IAM's Role shape.
type roleXML struct {
	Path                     string       `xml:"Path"`
	RoleName                 string       `xml:"RoleName"`
	RoleID                   string       `xml:"RoleId"`
	Arn                      string       `xml:"Arn"`
	CreateDate               string       `xml:"CreateDate"`
	AssumeRolePolicyDocument string       `xml:"AssumeRolePolicyDocument"`
	Description              string       `xml:"Description,omitempty"`
	MaxSessionDuration       int          `xml:"MaxSessionDuration"`
	Tags                     []iam.Tag    `xml:"Tags>member,omitempty"`
	PermissionsBoundary      *boundaryXML `xml:"PermissionsBoundary,omitempty"`
}

type boundaryXML struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type roleResult struct {
	Role roleXML `xml:"Role"`
}

type listRolesResult struct {
	Roles       []roleXML `xml:"Roles>member"`
	IsTruncated bool      `xml:"IsTruncated"`
	Marker      string    `xml:"Marker,omitempty"`
}

func toXML(r *iam.Role, withTags bool) roleXML {
	x := roleXML{
		Path: r.Path, RoleName: r.RoleName, RoleID: r.RoleID, Arn: r.ARN(),
		CreateDate:               r.CreateDate.UTC().Format("2006-01-02T15:04:05Z"),
		AssumeRolePolicyDocument: encodePolicy(r.AssumeRolePolicyDocument),
		Description:              r.Description,
		MaxSessionDuration:       r.MaxSessionDuration,
	}
	if withTags {
		x.Tags = r.Tags
	}
	if r.PermissionsBoundary != "" {
		x.PermissionsBoundary = &boundaryXML{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.PermissionsBoundary}
	}
	return x
}

// encodePolicy URL-encodes a policy document as IAM does in responses
// (RFC 3986 escapes, space as %20: botocore decodes with unquote, not
// unquote_plus, and the SDKs hand the encoded text to the caller).
func encodePolicy(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
