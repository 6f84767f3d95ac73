package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestResolveEndpoint(t *testing.T) {
	all := map[string]string{
		"IDPOOL_ENDPOINT_URL":               "http://idpool",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY": "http://service",
		"AWS_ENDPOINT_URL":                  "http://global",
	}
	without := func(drop ...string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			m[k] = v
		}
		for _, d := range drop {
			delete(m, d)
		}
		return m
	}
	cases := []struct {
		name      string
		flag      string
		env       map[string]string
		url, from string
	}{
		{"flag wins", "http://flag", all, "http://flag", "--endpoint-url"},
		{"IDPOOL_ENDPOINT_URL first", "", all, "http://idpool", "IDPOOL_ENDPOINT_URL"},
		{"service-specific over global", "", without("IDPOOL_ENDPOINT_URL"), "http://service", "AWS_ENDPOINT_URL_COGNITO_IDENTITY"},
		{"global", "", without("IDPOOL_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY"), "http://global", "AWS_ENDPOINT_URL"},
		{"none: the SDK decides", "", map[string]string{}, "", ""},
		{"ignore flag drops the AWS_ ones", "", map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "http://global"}, "", ""},
		{"ignore flag keeps IDPOOL_ENDPOINT_URL", "", map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE", "IDPOOL_ENDPOINT_URL": "http://idpool", "AWS_ENDPOINT_URL": "http://global"}, "http://idpool", "IDPOOL_ENDPOINT_URL"},
	}
	for _, c := range cases {
		got := resolveEndpoint(c.flag, func(k string) string { return c.env[k] })
		if got.url != c.url || got.from != c.from {
			t.Errorf("%s: got %+v, want {%s %s}", c.name, got, c.url, c.from)
		}
	}
}

// Each variable really chooses where the call goes, in the documented order.
func TestEndpointVariablesLive(t *testing.T) {
	isolate(t)
	hits := map[string]int{}
	server := func(name string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[name]++
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write([]byte(`{"IdentityId":"us-east-1:` + name + `"}`))
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	global, service, own, flag := server("global"), server("service"), server("own"), server("flag")
	steps := []struct {
		set, value, want string
		args             []string
	}{
		{"AWS_ENDPOINT_URL", global, "global", nil},
		{"AWS_ENDPOINT_URL_COGNITO_IDENTITY", service, "service", nil},
		{"IDPOOL_ENDPOINT_URL", own, "own", nil},
		{"", "", "flag", []string{"--endpoint-url", flag}},
	}
	for _, s := range steps {
		if s.set != "" {
			t.Setenv(s.set, s.value)
		}
		out, errOut, code := runMain(append([]string{"get-id", "--identity-pool-id", "us-east-1:p", "--output", "text"}, s.args...)...)
		if code != 0 || out != "us-east-1:"+s.want+"\n" {
			t.Errorf("after %s: exit %d, out %q, err %q (want %s)", s.set, code, out, errOut, s.want)
		}
	}
}

// A refused connection names the endpoint tried, where it came from, and
// how to reach a local server.
func TestConnectionErrorText(t *testing.T) {
	isolate(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	t.Setenv("IDPOOL_ENDPOINT_URL", closed.URL)
	_, errOut, code := runMain("describe-identity-pool", "--identity-pool-id", "us-east-1:p")
	want := "\nCould not connect to the endpoint URL: \"" + closed.URL + "/\"\n" +
		"The endpoint came from IDPOOL_ENDPOINT_URL. To use a local server (idpool serve), pass\n" +
		"--endpoint-url http://127.0.0.1:9350 or export IDPOOL_ENDPOINT_URL=http://127.0.0.1:9350.\n"
	if code != 255 || errOut != want {
		t.Errorf("exit %d, stderr %q\nwant %q", code, errOut, want)
	}
	t.Setenv("IDPOOL_ENDPOINT_URL", "")
	_, errOut, _ = runMain("describe-identity-pool", "--identity-pool-id", "us-east-1:p", "--endpoint-url", closed.URL)
	if !strings.Contains(errOut, "The endpoint came from --endpoint-url.") {
		t.Errorf("--endpoint-url: %q", errOut)
	}
}

// Every Cognito subcommand has a one-line purpose on the top-level screen.
func TestTopHelpCoversModel(t *testing.T) {
	m, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	if len(purposes) != len(m.Operations)+4 {
		t.Errorf("purposes has %d entries for %d operations (+ decode-token, login mint, explain, explain-credentials)", len(purposes), len(m.Operations))
	}
	help, err := TopHelp([]Command{{"serve", "run the server"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range m.Operations {
		p := purposes[op.CLI]
		if p == "" || !strings.Contains(help, "  "+op.CLI+" ") || !strings.Contains(help, p) {
			t.Errorf("%s: no purpose on the screen", op.CLI)
		}
	}
	for _, own := range []string{"decode-token", "login mint", "explain", "explain-credentials"} {
		if !strings.Contains(help, "  "+own+" ") || !strings.Contains(help, purposes[own]) {
			t.Errorf("%s: no purpose on the screen", own)
		}
	}
	if !strings.Contains(help, "  serve ") || !strings.Contains(help, "run the server") {
		t.Errorf("server command missing:\n%s", help)
	}
}
