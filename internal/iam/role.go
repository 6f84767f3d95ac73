package iam

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

// KindRole is the storage.Resource kind of roles.
const KindRole = "iam-role"

// DefaultMaxSessionDuration is a role's MaxSessionDuration when unset (seconds).
const DefaultMaxSessionDuration = 3600

// Role is an IAM role as stored (Resource.Doc is its JSON).
type Role struct {
	AccountID          string    `json:"account"`
	RoleName           string    `json:"name"`
	RoleID             string    `json:"id"`
	Path               string    `json:"path"`
	Description        string    `json:"description,omitempty"`
	MaxSessionDuration int       `json:"maxSessionDuration"`
	Tags               []Tag     `json:"tags,omitempty"`
	CreateDate         time.Time `json:"created"`
	// AssumeRolePolicyDocument is the trust policy as the client sent it
	// (decoded JSON text; IAM URL-encodes it only in responses).
	AssumeRolePolicyDocument string `json:"trustPolicy"`
	// InlinePolicies are the role's permission policies by name
	// (PutRolePolicy), as sent. idpool stores them for the clients that
	// manage roles (terraform, CloudFormation); its STS does not evaluate
	// permissions, only trust.
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
	// AttachedPolicies are the managed policy ARNs attached
	// (AttachRolePolicy), in attach order.
	AttachedPolicies []string `json:"attachedPolicies,omitempty"`
	// PermissionsBoundary is the boundary policy's ARN, "" when none.
	PermissionsBoundary string `json:"permissionsBoundary,omitempty"`
}

// ARN is arn:aws:iam::ACCOUNT:role/PATH/NAME (PATH begins and ends with /).
func (r *Role) ARN() string {
	return "arn:aws:iam::" + r.AccountID + ":role" + r.Path + r.RoleName
}

// key is the Resource name: IAM role names are unique without regard to
// case ("you cannot create roles named both PRODROLE and prodrole"), so the
// storage key is the lower-cased name; the Doc keeps the name as written.
func key(name string) string { return strings.ToLower(name) }

// RoleKey is the storage name of a role: its name lower-cased.
func RoleKey(name string) string { return key(name) }

// RoleARN is a parsed role ARN.
type RoleARN struct {
	Partition, AccountID, Path, Name string
}

// ParseRoleARN parses arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
func ParseRoleARN(arn string) (RoleARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" ||
		!isDigits(parts[4], 12) || !strings.HasPrefix(parts[5], "role/") {
		return RoleARN{}, fmt.Errorf("iam: not a role ARN: %q", arn)
	}
	res := strings.TrimPrefix(parts[5], "role")
	i := strings.LastIndex(res, "/")
	a := RoleARN{Partition: parts[1], AccountID: parts[4], Path: res[:i+1], Name: res[i+1:]}
	if a.Name == "" {
		return RoleARN{}, fmt.Errorf("iam: role ARN without a name: %q", arn)
	}
	return a, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// RoleByARN reads the role an ARN names: storage.ErrNotFound when the
// account has no role by that name or its path differs from the ARN's.
func RoleByARN(r storage.Reader, arn string) (*Role, error) {
	a, err := ParseRoleARN(arn)
	if err != nil {
		return nil, storage.ErrNotFound
	}
	role, err := GetRole(r, a.AccountID, a.Name)
	if err != nil {
		return nil, err
	}
	if role.Path != a.Path {
		return nil, storage.ErrNotFound
	}
	return role, nil
}

// GetRole reads account's role name (names are case-insensitive).
func GetRole(r storage.Reader, account, name string) (*Role, error) {
	res, err := r.GetResource(account, KindRole, key(name))
	if err != nil {
		return nil, err
	}
	return DecodeRole(res)
}

// DecodeRole decodes a stored role.
func DecodeRole(res *storage.Resource) (*Role, error) {
	var role Role
	if err := json.Unmarshal(res.Doc, &role); err != nil {
		return nil, fmt.Errorf("iam: role %s/%s: %w", res.AccountID, res.Name, err)
	}
	return &role, nil
}

// Resource is the role's storage record.
func (r *Role) Resource() (*storage.Resource, error) {
	doc, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return &storage.Resource{AccountID: r.AccountID, Kind: KindRole, Name: key(r.RoleName), Doc: doc, CreatedAt: r.CreateDate}, nil
}

// uniqueIDAlphabet is what IAM unique ids (AROA..., ASIA...) are made of.
const uniqueIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// UniqueID returns prefix followed by random upper-case base32 characters,
// length characters in all: IAM's unique ids ("AROA" + 17 for roles,
// "ASIA" + 16 for temporary access keys).
func UniqueID(prefix string, length int) string {
	b := make([]byte, length-len(prefix))
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	for i := range b {
		b[i] = uniqueIDAlphabet[int(b[i])%len(uniqueIDAlphabet)]
	}
	return prefix + string(b)
}
