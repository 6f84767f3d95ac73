package model

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/idpool/idpool/internal/apierr"
)

var header = regexp.MustCompile(`^(1 validation error|([2-9]|10) validation errors) detected: Value`)

// FuzzValidate: any body, for any operation, gets nil, a SerializationException
// or a well-formed ValidationException, never a panic or another code; and
// only JSON objects (or an empty body) pass.
func FuzzValidate(f *testing.F) {
	m := mustLoad(f)
	ops := m.Operations()
	f.Add(uint8(6), []byte(`{"IdentityPoolId":"`+pool+`","Logins":{"accounts.google.com":"t"}}`))
	f.Add(uint8(16), []byte(`{"IdentityPoolId":"x","Roles":{"a":"b"},"RoleMappings":{"p":{"Type":"Rules","RulesConfiguration":{"Rules":[{"Claim":" "}]}}}}`))
	f.Add(uint8(0), []byte(`{"IdentityPoolName":"a","AllowUnauthenticatedIdentities":1}`))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := ops[int(op)%len(ops)]
		err := m.Validate(name, body)
		if err == nil {
			if len(bytes.TrimSpace(body)) > 0 && (!json.Valid(body) || bytes.TrimSpace(body)[0] != '{') {
				t.Fatalf("%s accepted a non-object body %q", name, body)
			}
			return
		}
		switch err.Code {
		case apierr.Serialization:
		case apierr.Validation:
			if !header.MatchString(err.Message) {
				t.Fatalf("malformed message %q", err.Message)
			}
			if !json.Valid(body) && len(bytes.TrimSpace(body)) > 0 {
				t.Fatalf("validation error for invalid JSON %q", body)
			}
		default:
			t.Fatalf("%s: code %s", name, err.Code)
		}
	})
}
