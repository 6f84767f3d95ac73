package iam

import (
	"errors"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/storage"
)

func accessDenied(principal, action, resource string) error {
	return apierr.New(awsquery.CodeAccessDenied,
		"User: %s is not authorized to perform: iam:%s on resource: %s because no identity-based policy allows the iam:%s action",
		principal, action, resource, action)
}

func noSuchRole(name string) error {
	return apierr.New(codeNoSuchEntity, "The role with name %s cannot be found.", name)
}

// storeErr turns a storage error for role name into IAM's answer.
func storeErr(err error, name string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotFound):
		return noSuchRole(name)
	case errors.Is(err, storage.ErrAlreadyExists):
		return apierr.New(codeEntityAlreadyExists, "Role with name %s already exists.", name)
	case errors.Is(err, storage.ErrConflict):
		return apierr.New("ConcurrentModification", "The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.").Wrap(err)
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return err
	}
	return (&apierr.Error{Code: "ServiceFailure", Message: "An internal error occurred."}).Wrap(err)
}
