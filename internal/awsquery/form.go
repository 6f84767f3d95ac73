package awsquery

import (
	"net/url"
	"strconv"
)

// maxMembers bounds how far Members and Tags read a member list, so a request
// cannot make an action loop for long on a huge index.
const maxMembers = 1000

// Members returns the values of a Query list: prefix.member.1, .2, ... up to
// the first missing index (AWS ignores members after a gap). PolicyArns
// lists take a suffix: Members(form, "PolicyArns", "arn").
func Members(form url.Values, prefix string, suffix ...string) []string {
	var out []string
	for i := 1; i <= maxMembers; i++ {
		key := prefix + ".member." + strconv.Itoa(i)
		for _, s := range suffix {
			key += "." + s
		}
		v, ok := form[key]
		if !ok {
			break
		}
		out = append(out, v[len(v)-1])
	}
	return out
}

// Tag is one key/value pair of a Query tag list.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Tags returns prefix.member.N.Key / .Value pairs, in order, up to the first
// index with neither a key nor a value.
func Tags(form url.Values, prefix string) []Tag {
	var out []Tag
	for i := 1; i <= maxMembers; i++ {
		base := prefix + ".member." + strconv.Itoa(i)
		k, hasK := form[base+".Key"]
		v, hasV := form[base+".Value"]
		if !hasK && !hasV {
			break
		}
		t := Tag{}
		if hasK {
			t.Key = k[len(k)-1]
		}
		if hasV {
			t.Value = v[len(v)-1]
		}
		out = append(out, t)
	}
	return out
}

// Get returns the value of name and whether it was sent at all. A
// parameter sent twice has its last value, the rule of the JSON front end
// for a repeated member: [inf] AWS's JSON services parse with Jackson,
// which keeps the last of duplicate keys, and no AWS text says what its
// Query services do with a repeated parameter.
func Get(form url.Values, name string) (string, bool) {
	v, ok := form[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}
