package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

type sdkMethod[I, O any] func(*cognitoidentity.Client, context.Context, *I, ...func(*cognitoidentity.Options)) (*O, error)

// invoker calls one operation with a JSON-encoded input.
type invoker func(ctx context.Context, c *cognitoidentity.Client, input []byte, opts ...func(*cognitoidentity.Options)) error

// adapt turns an SDK method into an invoker: the input JSON (model member
// names) decodes into the SDK's input struct, whose fields carry the same
// names.
func adapt[I, O any](m sdkMethod[I, O]) invoker {
	return func(ctx context.Context, c *cognitoidentity.Client, input []byte, opts ...func(*cognitoidentity.Options)) error {
		in := new(I)
		if err := json.Unmarshal(input, in); err != nil {
			return &fatalError{err.Error()}
		}
		_, err := m(c, ctx, in, opts...)
		return err
	}
}

// invokers has one entry per operation of the model.
func invokers() map[string]invoker {
	type C = cognitoidentity.Client
	return map[string]invoker{
		"CreateIdentityPool":                 adapt((*C).CreateIdentityPool),
		"DeleteIdentities":                   adapt((*C).DeleteIdentities),
		"DeleteIdentityPool":                 adapt((*C).DeleteIdentityPool),
		"DescribeIdentity":                   adapt((*C).DescribeIdentity),
		"DescribeIdentityPool":               adapt((*C).DescribeIdentityPool),
		"GetCredentialsForIdentity":          adapt((*C).GetCredentialsForIdentity),
		"GetId":                              adapt((*C).GetId),
		"GetIdentityPoolRoles":               adapt((*C).GetIdentityPoolRoles),
		"GetOpenIdToken":                     adapt((*C).GetOpenIdToken),
		"GetOpenIdTokenForDeveloperIdentity": adapt((*C).GetOpenIdTokenForDeveloperIdentity),
		"GetPrincipalTagAttributeMap":        adapt((*C).GetPrincipalTagAttributeMap),
		"ListIdentities":                     adapt((*C).ListIdentities),
		"ListIdentityPools":                  adapt((*C).ListIdentityPools),
		"ListTagsForResource":                adapt((*C).ListTagsForResource),
		"LookupDeveloperIdentity":            adapt((*C).LookupDeveloperIdentity),
		"MergeDeveloperIdentities":           adapt((*C).MergeDeveloperIdentities),
		"SetIdentityPoolRoles":               adapt((*C).SetIdentityPoolRoles),
		"SetPrincipalTagAttributeMap":        adapt((*C).SetPrincipalTagAttributeMap),
		"TagResource":                        adapt((*C).TagResource),
		"UnlinkDeveloperIdentity":            adapt((*C).UnlinkDeveloperIdentity),
		"UnlinkIdentity":                     adapt((*C).UnlinkIdentity),
		"UntagResource":                      adapt((*C).UntagResource),
		"UpdateIdentityPool":                 adapt((*C).UpdateIdentityPool),
	}
}

// captureBody counts attempts and keeps the raw response body of the last one, so output
// is built from the wire JSON in model order as botocore does, rather
// than from the SDK's structs.
func captureBody(dst *[]byte, attempts, status *int) func(*cognitoidentity.Options) {
	return func(o *cognitoidentity.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("idpoolCaptureBody",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					*attempts++
					out, md, err := next.HandleDeserialize(ctx, in)
					if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil && resp.Body != nil {
						*status = resp.StatusCode
						body, rerr := io.ReadAll(resp.Body)
						resp.Body.Close()
						if rerr == nil {
							*dst = body
						}
						resp.Body = io.NopCloser(bytes.NewReader(body))
					}
					return out, md, err
				}), middleware.After)
		})
	}
}
