package apierr

import "unicode/utf8"

// Bounds on what an error quotes back. AWS's messages quote the value that
// failed ("Value '...' at 'x' failed to satisfy constraint: ..."); a value
// of a megabyte quoted whole made answers of megabytes and, in the
// X-Amzn-ErrorMessage header, a line longer than HTTP clients accept
// (Python's http.client refuses lines over 64 KiB, so boto3 and the aws CLI
// saw a closed connection instead of the error). [inf] AWS's own bound is
// not documented.
const (
	// MaxEcho is how many characters of one client value a message quotes.
	MaxEcho = 1024
	// MaxMessage bounds a whole message in an error body, in bytes.
	MaxMessage = 16 << 10
	// MaxHeaderMessage bounds the message in the X-Amzn-ErrorMessage header,
	// in bytes: far below any client's header line limit.
	MaxHeaderMessage = 512
)

// cut marks a quoted value or message that was cut short.
const cut = "..."

// Echo returns a client's value as a message may quote it: whole when it
// has at most MaxEcho characters, else its first MaxEcho characters and
// "...".
func Echo(s string) string {
	if len(s) <= MaxEcho {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxEcho {
			return s[:i] + cut
		}
		n++
	}
	return s
}

// Clip bounds s to max bytes, cut at a character boundary and marked with
// "..." when it was longer.
func Clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	end := limit - len(cut)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + cut
}
