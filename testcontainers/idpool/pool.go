package idpool

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Pool is an identity pool made by CreatePool.
type Pool struct {
	ID                     string
	AuthenticatedRoleARN   string
	UnauthenticatedRoleARN string
}

// CreatePool creates an identity pool that allows guests and has the
// developer provider "login.NAME", and gives it the default roles
// role/NAME-authenticated and role/NAME-unauthenticated in the account, so
// GetCredentialsForIdentity works at once. edit may change the request.
func (c *Container) CreatePool(ctx context.Context, name string, edit ...func(*cognitoidentity.CreateIdentityPoolInput)) (Pool, error) {
	in := &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String(name),
		AllowUnauthenticatedIdentities: true,
		DeveloperProviderName:          aws.String("login." + name),
	}
	for _, e := range edit {
		e(in)
	}
	client := c.CognitoIdentity()
	out, err := client.CreateIdentityPool(ctx, in)
	if err != nil {
		return Pool{}, fmt.Errorf("idpool: CreateIdentityPool: %w", err)
	}
	account, err := c.accountID(ctx)
	if err != nil {
		return Pool{}, err
	}
	p := Pool{
		ID:                     aws.ToString(out.IdentityPoolId),
		AuthenticatedRoleARN:   fmt.Sprintf("arn:aws:iam::%s:role/%s-authenticated", account, name),
		UnauthenticatedRoleARN: fmt.Sprintf("arn:aws:iam::%s:role/%s-unauthenticated", account, name),
	}
	roles := map[string]string{"authenticated": p.AuthenticatedRoleARN}
	if in.AllowUnauthenticatedIdentities {
		roles["unauthenticated"] = p.UnauthenticatedRoleARN
	}
	if _, err := client.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: out.IdentityPoolId, Roles: roles,
	}); err != nil {
		return p, fmt.Errorf("idpool: SetIdentityPoolRoles: %w", err)
	}
	return p, nil
}

// accountID is the account of the helpers' access key, as STS says.
func (c *Container) accountID(ctx context.Context) (string, error) {
	if c.AccessKeyID == AccessKeyID && c.SecretAccessKey == SecretAccessKey {
		return AccountID, nil
	}
	out, err := sts.NewFromConfig(c.AWSConfig()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("idpool: GetCallerIdentity: %w", err)
	}
	return aws.ToString(out.Account), nil
}
