package cli

import (
	"bytes"
	"testing"
)

// sample is a response shaped to exercise each formatter's rules: nested
// lists, maps, empty lists, wide and East Asian text.
const sample = `{"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","IdentityPoolName":"日本語の名前 with a rather long description to overflow the terminal width","AllowUnauthenticatedIdentities":true,"Tags":{"k":"v"},"List":[["a","b"],["c","d"]],"Empty":[],"Scalars":["x","y"]}`

func sampleValue(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Expected outputs were produced by awscli 2.9.19's own formatters.
func TestTableOutput(t *testing.T) {
	var b bytes.Buffer
	if err := writeTable(&b, "TestOp", sampleValue(t, sample), 80, false); err != nil {
		t.Fatal(err)
	}
	want := "------------------------------------------------------------------------------------------------------------------\n|                                                     TestOp                                                     |\n+---------------------------------+------------------------------------------------------------------------------+\n|  AllowUnauthenticatedIdentities |  True                                                                        |\n|  IdentityPoolId                 |  us-east-1:11111111-2222-3333-4444-555555555555                              |\n|  IdentityPoolName               |  日本語の名前 with a rather long description to overflow the terminal width  |\n+---------------------------------+------------------------------------------------------------------------------+\n||                                                     List                                                     ||\n|+------------------------------------------------------+-------------------------------------------------------+|\n||  a                                                   |  b                                                    ||\n||  c                                                   |  d                                                    ||\n|+------------------------------------------------------+-------------------------------------------------------+|\n||                                                    Scalars                                                   ||\n|+--------------------------------------------------------------------------------------------------------------+|\n||  x                                                                                                           ||\n||  y                                                                                                           ||\n|+--------------------------------------------------------------------------------------------------------------+|\n||                                                     Tags                                                     ||\n|+------------------------------------------------------+-------------------------------------------------------+|\n||  k                                                   |  v                                                    ||\n|+------------------------------------------------------+-------------------------------------------------------+|\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTextOutput(t *testing.T) {
	var b bytes.Buffer
	if err := writeText(&b, sampleValue(t, sample)); err != nil {
		t.Fatal(err)
	}
	want := "True\tus-east-1:11111111-2222-3333-4444-555555555555\t日本語の名前 with a rather long description to overflow the terminal width\nLIST\ta\nLIST\tb\nLIST\tc\nLIST\td\nSCALARS\tx\nSCALARS\ty\nTAGS\tv\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestYAMLOutput(t *testing.T) {
	in := `{"IdentityPoolId":"us-east-1:11111111-2222-3333-4444-555555555555","IdentityPoolName":"Nihongo no namae with a rather long description to overflow the terminal width","AllowUnauthenticatedIdentities":true,"Tags":{"k":"v", "n":"123"},"List":[["a","b"],["c","d"]],"Empty":[],"Scalars":["x","y"],"Objs":[{"b":1,"a":"x: y"},{}],"Multi":"line one\nline two","Float":1.5}`
	var b bytes.Buffer
	if err := writeYAML(&b, sampleValue(t, in)); err != nil {
		t.Fatal(err)
	}
	want := "AllowUnauthenticatedIdentities: true\nEmpty: []\nFloat: 1.5\nIdentityPoolId: us-east-1:11111111-2222-3333-4444-555555555555\nIdentityPoolName: Nihongo no namae with a rather long description to overflow the\n  terminal width\nList:\n- - a\n  - b\n- - c\n  - d\nMulti: 'line one\n\n  line two'\nObjs:\n- a: 'x: y'\n  b: 1\n- {}\nScalars:\n- x\n- y\nTags:\n  k: v\n  n: '123'\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestJSONOutputIsPythonStyle(t *testing.T) {
	var b bytes.Buffer
	writeJSON(&b, sampleValue(t, `{"b":[],"a":{},"c":"ü\u0001\"","d":1.0,"e":1795328114.691,"f":1e-7}`))
	want := "{\n    \"b\": [],\n    \"a\": {},\n    \"c\": \"ü\\u0001\\\"\",\n    \"d\": 1.0,\n    \"e\": 1795328114.691,\n    \"f\": 1e-07\n}\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestQueryKeepsOrder(t *testing.T) {
	v := sampleValue(t, `{"IdentityPools":[{"IdentityPoolId":"id1","IdentityPoolName":"n1"},{"IdentityPoolId":"id2","IdentityPoolName":"n2"}]}`)
	for expr, want := range map[string]string{
		"IdentityPools[0]": `{ "IdentityPoolId": "id1", "IdentityPoolName": "n1" }`,
		"IdentityPools[].{Name:IdentityPoolName,Id:IdentityPoolId}": `[ { "Name": "n1", "Id": "id1" }, { "Name": "n2", "Id": "id2" } ]`,
		"IdentityPools[?IdentityPoolName==`n2`].IdentityPoolId":     `[ "id2" ]`,
		"length(IdentityPools)":                                     `2`,
	} {
		q, err := compileQuery(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		got, err := applyQuery(q, expr, v)
		if err != nil {
			t.Fatal(err)
		}
		if g := jsonOf(t, got); g != want {
			t.Errorf("%s: got %s, want %s", expr, g, want)
		}
	}
	if _, err := compileQuery("["); err == nil || err.Error() != "Bad value for --query [: Invalid jmespath expression: Incomplete expression:\n\"[\"\n  ^" {
		t.Errorf("bad query error: %v", err)
	}
}
