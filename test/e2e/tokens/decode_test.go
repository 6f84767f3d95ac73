package tokens

import (
	"encoding/base64"
	"errors"
	"strings"
)

// jsonPart returns the decoded payload of a compact JWS.
func jsonPart(tok string) ([]byte, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	return base64.RawURLEncoding.DecodeString(parts[1])
}
