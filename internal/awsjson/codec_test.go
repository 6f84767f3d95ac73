package awsjson

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/model"
	"github.com/idpool/idpool/internal/ops"
)

// TestInvalidJSONIsNamedAsSuch: the validator runs first and json.Valid
// only on its refusals, so a body that is not JSON still gets the codec's
// own message, even where the validator stopped earlier at a wrong type;
// valid bodies get the validator's answer.
func TestInvalidJSONIsNamedAsSuch(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	describe := ops.Operation{Name: "DescribeIdentityPool", Call: func(context.Context, *auth.Caller, []byte) (any, error) { return nil, nil }}
	extension := ops.Operation{Name: "Explain", Call: describe.Call}
	c := New([]ops.Operation{describe}, m, extension)
	const pool = "us-east-1:00000000-0000-0000-0000-000000000000"
	for _, tc := range []struct {
		name, target, body, code, message string
	}{
		{"valid", "AWSCognitoIdentityService.DescribeIdentityPool", `{"IdentityPoolId":"` + pool + `"}`, "", ""},
		{"wrong type, valid JSON", "AWSCognitoIdentityService.DescribeIdentityPool", `{"IdentityPoolId":1.5}`, apierr.Serialization, "NUMBER_VALUE can not be converted to a String"},
		{"wrong type, then not JSON", "AWSCognitoIdentityService.DescribeIdentityPool", `{"IdentityPoolId":1.5,}`, apierr.Serialization, "Request body is not valid JSON."},
		{"not JSON", "AWSCognitoIdentityService.DescribeIdentityPool", `{"IdentityPoolId":"` + pool + `"`, apierr.Serialization, "Request body is not valid JSON."},
		{"too short, valid JSON", "AWSCognitoIdentityService.DescribeIdentityPool", `{"IdentityPoolId":"x"}`, apierr.Validation, "1 validation error detected"},
		{"extension, not JSON", ExtensionPrefix + "Explain", `{"a":`, apierr.Serialization, "Request body is not valid JSON."},
		{"extension, JSON", ExtensionPrefix + "Explain", `{"a":1}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", ContentType)
			r.Header.Set("X-Amz-Target", tc.target)
			call, err := c.Decode(httptest.NewRecorder(), r, 1<<20)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			verr := call.Validate()
			if tc.code == "" {
				if verr != nil {
					t.Fatalf("refused: %v", verr)
				}
				return
			}
			ae := apierr.As(verr)
			if ae == nil || ae.Code != tc.code || !strings.Contains(ae.Message, tc.message) {
				t.Fatalf("got %v, want %s containing %q", verr, tc.code, tc.message)
			}
		})
	}
}
