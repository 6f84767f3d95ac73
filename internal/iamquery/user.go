package iamquery

import (
	"context"
	"net/url"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
)

type userXML struct {
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type getUserResult struct {
	User userXML `xml:"User"`
}

// accountCreated is the CreateDate GetUser gives an account's root user.
// [inf] idpool's accounts come from its config and have no creation time;
// a fixed one keeps the answer the same on every call and every node.
var accountCreated = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// getUser answers as IAM does for an account's root credentials (idpool's
// account keys): without UserName, the root user (its UserId is the
// account id, and it has no name); IAM users do not exist here. Terraform
// asks this at start-up to learn the account id.
func (s *Service) getUser(_ context.Context, account string, form url.Values) (any, error) {
	if name, ok := awsquery.Get(form, "UserName"); ok {
		var v awsquery.Validation
		v.Length("userName", name, 1, 128, false)
		if err := v.Err(); err != nil {
			return nil, err
		}
		return nil, apierr.Queryf(iam.CodeNoSuchEntity, "The user with name %s cannot be found.", apierr.Echo(name))
	}
	return getUserResult{User: userXML{UserID: account, Arn: "arn:aws:iam::" + account + ":root", CreateDate: iamDate(accountCreated)}}, nil
}
