package bench

import "testing"

func TestErrorTypeClassification(t *testing.T) {
	cases := []struct {
		header, body, want string
	}{
		{"NotAuthorizedException:", `{}`, "NotAuthorizedException"},
		{"", `{"__type":"com.amazonaws.cognito.identity#ResourceNotFoundException","message":"x"}`, "ResourceNotFoundException"},
		{"", `{"code":"TooManyRequestsException"}`, "TooManyRequestsException"},
		{"", `not json`, ""},
	}
	for _, c := range cases {
		if got := errorType(c.header, []byte(c.body)); got != c.want {
			t.Errorf("errorType(%q, %q) = %q, want %q", c.header, c.body, got, c.want)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	if err := checkLoopback("http://127.0.0.1:9350", false); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
	if err := checkLoopback("http://[::1]:9350", false); err != nil {
		t.Errorf("ipv6 loopback refused: %v", err)
	}
	if err := checkLoopback("http://192.0.2.1:9350", false); err == nil {
		t.Error("non-loopback address accepted without --allow-remote")
	}
	if err := checkLoopback("http://192.0.2.1:9350", true); err != nil {
		t.Errorf("--allow-remote ignored: %v", err)
	}
	if err := checkLoopback("::bad", false); err == nil {
		t.Error("bad endpoint accepted")
	}
}
