package awsquery_test

import (
	"net/url"
	"testing"

	"github.com/idpool/idpool/internal/awsquery"
)

func TestFormHelpers(t *testing.T) {
	f, _ := url.ParseQuery("Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.3.Value=orphan&PolicyArns.member.1.arn=x")
	tags := awsquery.Tags(f, "Tags")
	if len(tags) != 3 || tags[0] != (awsquery.Tag{Key: "a", Value: "1"}) || tags[1] != (awsquery.Tag{Key: "b"}) || tags[2].Value != "orphan" {
		t.Fatalf("Tags = %+v", tags)
	}
	if got := awsquery.Members(f, "PolicyArns", "arn"); len(got) != 1 || got[0] != "x" {
		t.Fatalf("Members = %v", got)
	}
	var v awsquery.Validation
	v.Required("roleArn", false)
	v.Length("webIdentityToken", "ab", 4, 10, true)
	if err := v.Err(); err == nil || err.Error() != "ValidationError: 2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "+
		"Value '***' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4" {
		t.Fatalf("Validation = %v", err)
	}
}
