// Package apimodel embeds AWS's published API models (botocore JSON, copied
// unchanged from shared/reference). They are data, not code: the server's
// validator and the CLI's help both read them, so there is one copy.
package apimodel

import _ "embed"

// CognitoIdentity is botocore's cognito-identity 2014-06-30 service-2.json.
//
//go:embed cognito-identity.json
var CognitoIdentity []byte

// CognitoIdentityPaginators is botocore's paginators-1.json for cognito-identity.
//
//go:embed cognito-identity.paginators.json
var CognitoIdentityPaginators []byte

// STS is botocore's sts 2011-06-15 service-2.json.
//
//go:embed sts.json
var STS []byte
