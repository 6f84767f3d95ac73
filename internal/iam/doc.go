// Package iam is idpool's minimal IAM: roles and their trust policies
// (CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy) over
// the Query protocol, signed with an account's long-term keys. Each account
// sees only its own roles. Roles are storage.Resources of kind "iam-role".
//
// It owns the role record and IAM's wire shapes; evaluating trust policies
// is package policy's, assuming roles package sts's. Other packages add IAM
// actions (OIDC and SAML providers) through Config.Extra.
package iam
