package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"sort"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/policy"
	"github.com/idpool/idpool/internal/trace"
)

const (
	actionAssume     = "sts:AssumeRoleWithWebIdentity"
	actionTagSession = "sts:TagSession"
)

// checkTrust evaluates the role's trust policy for an idpool token, as STS
// does: Federated principal cognito-identity.amazonaws.com (or idpool's
// issuer host, or an IAM OIDC provider ARN for it), condition keys under
// both prefixes, and sts:TagSession as well when there are session tags.
// When the token's identity pool is of another account than the role, the
// allowing statement must also restrict aud (STS API reference,
// AssumeRoleWithWebIdentity RoleArn: cross-account roles for identity pools
// "must contain the cognito-identity.amazonaws.com:aud condition key"): a
// trust policy stored before IAM refused aud-less ones, or naming idpool's
// issuer host or a wildcard principal, still lets no other account's pool in.
// [inf] Cognito's "security best practices" page says STS also requires an
// amr condition on cross-account basic-flow requests; idpool requires aud
// only, the rule the STS API reference states.
func (s *Service) checkTrust(ctx context.Context, role *iam.Role, wi *webIdentity, tags map[string]string) error {
	c := wi.claims
	var doc *policy.Document
	var err error
	tr := trace.From(ctx)
	if role.AssumeRolePolicyDocument == "" {
		// Only dev-mode stand-ins have none: IAM requires one.
		doc = devTrust()
		if tr.On() {
			tr.Step(trace.PhaseTrust, "policy", trace.Info, "The role is a development-mode stand-in: it trusts idpool tokens of its own account's pools.", "role", role.ARN())
		}
	} else if doc, err = policy.ParseTrust([]byte(role.AssumeRolePolicyDocument)); err != nil {
		return apierr.InternalIn(apierr.Query, err) // IAM validated it when it was stored
	}
	keys := map[string][]string{}
	for _, prefix := range wi.prefixes {
		keys[prefix+":aud"] = []string{c.Audience}
		keys[prefix+":sub"] = []string{c.Subject}
		keys[prefix+":amr"] = c.AMR
	}
	if len(tags) > 0 {
		names := make([]string, 0, len(tags))
		for k, v := range tags {
			keys["aws:RequestTag/"+k] = []string{v}
			names = append(names, k)
		}
		sort.Strings(names)
		keys["aws:TagKeys"] = names
	}
	req := policy.Request{
		PrincipalType: "Federated",
		Principals:    wi.principals,
		Context:       keys,
		Trace:         tr,
	}
	if wi.own && wi.poolAccount != role.AccountID {
		// Another account's trust policy is its own business: the pool's
		// account sees the decision, not the statements.
		req.Trace = nil
		if tr.On() {
			tr.Step(trace.PhaseTrust, "policy", trace.Info, "The role is of another account than the pool: its trust policy's statements are not shown.", "role", role.ARN())
		}
	}
	if wi.own && wi.poolAccount != role.AccountID {
		for _, prefix := range wi.prefixes {
			req.RequireKeys = append(req.RequireKeys, prefix+":aud")
		}
	}
	actions := []string{actionAssume}
	if len(tags) > 0 {
		actions = append(actions, actionTagSession)
	}
	if req.Trace.On() && role.AssumeRolePolicyDocument != "" {
		tr.Step(trace.PhaseTrust, "policy", trace.Info, "The role's trust policy is evaluated for the token.", "role", role.ARN(),
			"principals", strings.Join(wi.principals, ","), "aud", c.Audience, "sub", c.Subject, "amr", strings.Join(c.AMR, ","))
	}
	if !doc.Allows(req, actions...) {
		if tr.On() && req.Trace == nil {
			tr.Step(trace.PhaseTrust, "decision", trace.Fail, "The other account's role does not trust this pool's identities.", "role", role.ARN())
		}
		return notAuthorized()
	}
	return nil
}

// devRole stands in for a role IAM does not know, in development mode: no
// trust document (devTrust applies), AWS's maximum session duration, and a
// role id derived from the ARN so it is the same on every call and node.
func devRole(a iam.RoleARN) *iam.Role {
	sum := sha256.Sum256([]byte(a.AccountID + a.Path + a.Name))
	id := "AROA" + strings.ToUpper(base32.StdEncoding.EncodeToString(sum[:]))[:17]
	return &iam.Role{AccountID: a.AccountID, RoleName: a.Name, RoleID: id, Path: a.Path, MaxSessionDuration: MaxDuration}
}

// devTrust is the trust policy a dev-mode role is treated as having: idpool
// tokens of any pool of the role's own account (Service.role gives it to no
// other), with session tags.
func devTrust() *policy.Document {
	return &policy.Document{Version: "2012-10-17", Statements: []policy.Statement{{
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {identity.CognitoIdentity}},
		Action:    []string{actionAssume, actionTagSession},
	}}}
}
