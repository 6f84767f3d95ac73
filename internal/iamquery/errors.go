package iamquery

import (
	"errors"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

func accessDenied(principal, action, resource string) error {
	return apierr.Queryf(apierr.QueryAccessDenied,
		"User: %s is not authorized to perform: iam:%s on resource: %s because no identity-based policy allows the iam:%s action",
		principal, action, resource, action)
}

func noSuchRole(name string) error {
	return apierr.Queryf(iam.CodeNoSuchEntity, "The role with name %s cannot be found.", apierr.Echo(name))
}

// roleErr turns a storage error for role name into IAM's answer.
func roleErr(err error, name string) error {
	name = apierr.Echo(name)
	return storeErr(err, "The role with name "+name+" cannot be found.", "Role with name "+name+" already exists.")
}

// storeErr maps storage errors to IAM's answers; notFound and exists are
// the NoSuchEntity and EntityAlreadyExists texts.
func storeErr(err error, notFound, exists string) error {
	var ae *apierr.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotFound):
		return apierr.Queryf(iam.CodeNoSuchEntity, "%s", notFound)
	case errors.Is(err, storage.ErrAlreadyExists):
		return apierr.Queryf(iam.CodeEntityAlreadyExists, "%s", exists)
	case errors.Is(err, storage.ErrConflict):
		return apierr.Queryf("ConcurrentModification", "The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.").Wrap(err)
	case errors.As(err, &ae):
		return err
	case storage.WriteCondition(err) != "":
		return apierr.CannotStore(apierr.Query, "ServiceFailure", err)
	}
	return apierr.Queryf("ServiceFailure", "An internal error occurred.").Wrap(err)
}
