package faults

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/ops"
)

// Names of the extension operations (X-Amz-Target IdpoolService.<Name>).
const (
	AddFaultName    = "AddFault"
	ListFaultsName  = "ListFaults"
	ClearFaultsName = "ClearFaults"
)

// Extensions returns the signed, account-scoped operations that manage the
// caller's own rules: a rule only ever touches its account's calls.
func (in *Injector) Extensions() []ops.Operation {
	return []ops.Operation{
		ops.Extension(AddFaultName, in.addFault),
		ops.Extension(ListFaultsName, in.listFaults),
		ops.Extension(ClearFaultsName, in.clearFaults),
	}
}

type addFaultOutput struct {
	Fault Fault `json:"Fault"`
}

func (in *Injector) addFault(_ context.Context, c *auth.Caller, r *Rule) (*addFaultOutput, error) {
	f, err := in.Add(c.Account(), *r)
	if err != nil {
		return nil, err
	}
	return &addFaultOutput{Fault: f}, nil
}

type listFaultsInput struct{}

type listFaultsOutput struct {
	Faults []Fault `json:"Faults"`
}

func (in *Injector) listFaults(_ context.Context, c *auth.Caller, _ *listFaultsInput) (*listFaultsOutput, error) {
	return &listFaultsOutput{Faults: in.List(c.Account())}, nil
}

type clearFaultsInput struct {
	// FaultId clears one rule; absent: all of the caller's rules.
	FaultId string `json:"FaultId,omitempty"`
}

type clearFaultsOutput struct {
	Cleared int `json:"Cleared"`
}

func (in *Injector) clearFaults(_ context.Context, c *auth.Caller, r *clearFaultsInput) (*clearFaultsOutput, error) {
	n := in.Clear(c.Account(), r.FaultId)
	if r.FaultId != "" && n == 0 {
		return nil, apierr.NotFoundf("Fault '%s' not found.", cut(r.FaultId))
	}
	return &clearFaultsOutput{Cleared: n}, nil
}

// ConfigRule is one entry of the config file's faults section: a Rule and
// the account whose calls it touches (optional when the file configures
// exactly one account).
type ConfigRule struct {
	Account string `json:"account,omitempty"`
	Rule
}

// Load adds the config file's rules; accounts are the configured account
// ids. It reports every bad rule, by its index.
func (in *Injector) Load(rules []ConfigRule, accounts []string) error {
	var errs []error
	for i, r := range rules {
		acct := r.Account
		if acct == "" && len(accounts) == 1 {
			acct = accounts[0]
		}
		if !slices.Contains(accounts, acct) {
			errs = append(errs, fmt.Errorf("faults[%d].account %q: want one of the configured accounts", i, cut(acct)))
			continue
		}
		if _, err := in.Add(acct, r.Rule); err != nil {
			errs = append(errs, fmt.Errorf("faults[%d]: %s", i, err.Message))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}
