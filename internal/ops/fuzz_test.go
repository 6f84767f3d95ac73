package ops

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/idpool/idpool/internal/model"
)

const decodePool = "us-east-1:00000000-0000-0000-0000-000000000000"

// decodeBodies are valid inputs of several operations, with what a decoder
// can get wrong: key case, duplicates, escapes, nulls, unknown members.
var decodeBodies = []string{
	``,
	` {} `,
	`{"IdentityPoolId":"` + decodePool + `"}`,
	`{"identitypoolid":"` + decodePool + `"}`,
	`{"IDENTITYPOOLID":"` + decodePool + `","IdentityPoolId":"us-east-1:11111111-0000-0000-0000-000000000000"}`,
	`{"IdentityPoolId":"` + decodePool + `","Logins":{"accounts.google.com":"a.b.c","graph.facebook.com":"t\u00e9\ud83d\ude00\/\"x\\"}}`,
	`{"IdentityPoolId":"` + decodePool + `","Logins":{"k":"1","k":"2"},"Logins":{"j":"3"}}`,
	`{"IdentityPoolId":"` + decodePool + `","Logins":null,"AccountId":null}`,
	`{"IdentityPoolId":"` + decodePool + `","Logins":{}}`,
	`{"IdentityId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"a":"\u0000"},"CustomRoleArn":"arn:aws:iam::123456789012:role/r","Unknown":{"x":[1,2.5e3,true,null]}}`,
	`{"IdentityPoolId":"` + decodePool + `","MaxResults":60,"NextToken":"abc","HideDisabled":true}`,
	`{"MaxResults":1,"NextToken":null}`,
	`{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":false,"AllowClassicFlow":true,"SupportedLoginProviders":{"graph.facebook.com":"123"},"DeveloperProviderName":"dev","OpenIdConnectProviderARNs":["arn:aws:iam::123456789012:oidc-provider/x"],"CognitoIdentityProviders":[{"ProviderName":"cognito-idp.us-east-1.amazonaws.com/us-east-1_a","ClientId":"c","ServerSideTokenCheck":true}],"SamlProviderARNs":[],"IdentityPoolTags":{"a":"b"}}`,
	`{"IdentityPoolId":"` + decodePool + `","Roles":{"authenticated":"arn:aws:iam::123456789012:role/a"},"RoleMappings":{"p":{"Type":"Rules","AmbiguousRoleResolution":"Deny","RulesConfiguration":{"Rules":[{"Claim":"c","MatchType":"Equals","Value":"v","RoleARN":"arn:aws:iam::123456789012:role/b"}]}}}}`,
	`{"IdentityPoolId":"` + decodePool + `","IdentityProviderName":"p","UseDefaults":false,"PrincipalTags":{"t":"c"}}`,
	`{"ResourceArn":"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/` + decodePool + `","Tags":{"k":"v"},"TagKeys":["k","l"]}`,
	`{"IdentityIdsToDelete":["us-east-1:00000000-0000-0000-0000-000000000000"]}`,
	`{"IdentityPoolId":"` + decodePool + `","IdentityId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"dev":"u"},"PrincipalTags":{"a":"b"},"TokenDuration":86400}`,
	`{"SourceUserIdentifier":"a","DestinationUserIdentifier":"b","DeveloperProviderName":"d","IdentityPoolId":"` + decodePool + `","DeveloperUserIdentifier":"u","MaxResults":-0}`,
	"{\"IdentityPoolId\" : \"" + decodePool + "\" ,\n\t\"Logins\" : { \"a\" : \"b\" } }",
}

// TestFastDecodeIsStd: for every operation, whatever the model accepts
// decodes to the same input with go-json as with encoding/json.
func TestFastDecodeIsStd(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, op := range (&Service{}).Operations() {
		for _, body := range decodeBodies {
			if m.Validate(op.Name, []byte(body)) != nil {
				continue
			}
			compared++
			if err := sameDecode(op, []byte(body)); err != nil {
				t.Errorf("%s %s: %v", op.Name, body, err)
			}
		}
	}
	if compared < 30 {
		t.Fatalf("only %d bodies passed the model: the corpus no longer reaches the decoders", compared)
	}
}

func FuzzFastDecodeIsStd(f *testing.F) {
	m, err := model.Load()
	if err != nil {
		f.Fatal(err)
	}
	table := (&Service{}).Operations()
	for i := range table {
		for _, b := range decodeBodies {
			f.Add(uint8(i), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, body []byte) {
		op := table[int(i)%len(table)]
		if m.Validate(op.Name, body) != nil {
			return
		}
		if err := sameDecode(op, body); err != nil {
			t.Fatalf("%s %q: %v", op.Name, body, err)
		}
	})
}

func sameDecode(op Operation, body []byte) error {
	fast, ferr := op.decode(body, false)
	std, serr := op.decode(body, true)
	if (ferr == nil) != (serr == nil) {
		return fmt.Errorf("go-json error %v, encoding/json error %v", ferr, serr)
	}
	if !reflect.DeepEqual(fast, std) {
		return fmt.Errorf("go-json %+v, encoding/json %+v", fast, std)
	}
	return nil
}
