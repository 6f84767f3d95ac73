package ops

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// Causes kept on refusals of linkTx (logged only; the client's answer is
// unchanged), so the trace can name them.
var (
	errIdentityDisabled = errors.New("ops: the identity is disabled")
	errNotProved        = errors.New("ops: no login of the authenticated identity was presented")
	errGuestsOff        = errors.New("ops: the pool does not allow unauthenticated identities")
)

// tracePool records the pool a call resolved to and its login providers.
func tracePool(tr *trace.Recorder, pool *storage.Pool) {
	if !tr.On() {
		return
	}
	tr.Pool(pool.ID, pool.AccountID)
	providers := make([]string, 0, len(pool.SupportedLoginProviders))
	for k := range pool.SupportedLoginProviders {
		providers = append(providers, k)
	}
	sort.Strings(providers)
	var userPools []string
	for _, cp := range pool.CognitoIdentityProviders {
		userPools = append(userPools, cp.ProviderName+":"+cp.ClientID)
	}
	mappings := make([]string, 0, len(pool.RoleMappings))
	for k, m := range pool.RoleMappings {
		mappings = append(mappings, k+"="+m.Type)
	}
	sort.Strings(mappings)
	tr.Step(trace.PhasePool, "pool", trace.Info, "The call is for pool "+pool.ID+" ("+pool.Name+").",
		"identityPoolId", pool.ID, "allowUnauthenticated", strconv.FormatBool(pool.AllowUnauthenticated),
		"supportedLoginProviders", strings.Join(providers, ","), "developerProviderName", pool.DeveloperProviderName,
		"openIdConnectProviderArns", strings.Join(pool.OpenIDConnectProviderARNs, ","), "samlProviderArns", strings.Join(pool.SAMLProviderARNs, ","),
		"cognitoIdentityProviders", strings.Join(userPools, ","),
		"authenticatedRole", pool.Roles["authenticated"], "unauthenticatedRole", pool.Roles["unauthenticated"],
		"roleMappings", strings.Join(mappings, ","))
}

// traceResolved records the identity a call resolved to, or why it was refused.
func traceResolved(tr *trace.Recorder, target string, out *resolved, err error) {
	if !tr.On() {
		return
	}
	if err == nil {
		id := out.identity
		tr.Identity(id.ID)
		what, detail := "found", "The identity exists"
		switch {
		case out.created:
			what, detail = "created", "A new identity is created"
		case len(out.merged) > 0:
			what, detail = "merged", "The logins belong to several identities: they are merged into the oldest, the others disabled"
		case out.linked:
			what, detail = "linked", "The identity gets the presented logins linked"
		}
		kind := "unauthenticated (guest)"
		if id.Authenticated {
			kind = "authenticated"
		}
		tr.Step(trace.PhaseIdentity, what, trace.Pass, detail+"; it is "+kind+".",
			"identityId", id.ID, "authenticated", strconv.FormatBool(id.Authenticated), "logins", strconv.Itoa(len(id.Logins)),
			"merged", strings.Join(out.merged, ","))
		return
	}
	if target != "" {
		tr.Identity(target)
	}
	switch {
	case errors.Is(err, errIdentityDisabled):
		tr.Step(trace.PhaseIdentity, "disabled", trace.Fail, "The identity is disabled (a merge gave its logins to another identity).", "identityId", target)
	case errors.Is(err, errNotProved):
		tr.Step(trace.PhaseIdentity, "logins", trace.Fail, "The identity is authenticated and the call presented none of its logins.", "identityId", target)
	case errors.Is(err, errGuestsOff):
		tr.Step(trace.PhaseIdentity, "unauthenticated", trace.Fail, "The pool does not allow unauthenticated identities and the call presented no login.")
	default:
		ae := apierr.As(err)
		if ae.Code == apierr.ResourceNotFound {
			phase := trace.PhasePool
			if strings.HasPrefix(ae.Message, "Identity ") {
				phase = trace.PhaseIdentity
			}
			tr.Step(phase, "exists", trace.Fail, ae.Message)
		}
	}
}

// traceSTS records the STS's answer to the credentials' AssumeRoleWithWebIdentity.
func traceSTS(tr *trace.Recorder, role string, err error) {
	if !tr.On() {
		return
	}
	switch {
	case err == nil:
		tr.Step(trace.PhaseSTS, "assume", trace.Pass, "The STS vends credentials for "+role+".", "roleArn", role)
	case errors.Is(err, identity.ErrSTSUnavailable):
		tr.Step(trace.PhaseSTS, "assume", trace.Fail, "The STS gave no usable answer (unreachable, timed out or failing); the client may retry.",
			"roleArn", role, "cause", err.Error())
	default:
		ae := &apierr.Error{Code: "Error", Message: err.Error()}
		_ = errors.As(err, &ae) // the STS's own code (Query vocabulary) and message
		tr.Step(trace.PhaseSTS, "assume", trace.Fail, "The STS refused AssumeRoleWithWebIdentity: "+ae.Code+": "+ae.Message,
			"roleArn", role, "code", ae.Code, "message", ae.Message)
	}
}
