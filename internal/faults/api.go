package faults

import (
	"context"
	"fmt"

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

// ConfigRule is a rule of the config file's faults section and the
// account whose calls it touches.
type ConfigRule struct {
	Account string
	Rule
}

// Check reports every config rule the injector would refuse, by its index:
// a rule the model does not allow, or more rules for an account than it
// holds.
func Check(rules []ConfigRule) []error {
	var errs []error
	per := map[string]int{}
	for i, r := range rules {
		if err := r.Rule.validate(); err != nil {
			errs = append(errs, fmt.Errorf("faults[%d]: %s", i, err.Message))
		}
		if per[r.Account]++; per[r.Account] == MaxRulesPerAccount+1 {
			errs = append(errs, fmt.Errorf("faults[%d]: an account can hold at most %d fault rules", i, MaxRulesPerAccount))
		}
	}
	return errs
}

// Load adds the config file's rules, checked by Check.
func (in *Injector) Load(rules []ConfigRule) error {
	for i, r := range rules {
		if _, err := in.Add(r.Account, r.Rule); err != nil {
			return fmt.Errorf("faults[%d]: %s", i, err.Message)
		}
	}
	return nil
}
