package wire

import (
	"net/http"
	"strings"
)

// exposedHeaders are the response headers browsers may read, as AWS sends them.
const exposedHeaders = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"

// allowedHeaders are the request headers the AWS SDKs for JavaScript and
// Amplify send; a preflight that names others gets those echoed as well.
const allowedHeaders = "authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request,x-amz-api-version,x-amz-checksum-crc32"

// setCORS adds the headers every response carries.
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", exposedHeaders)
}

// preflight answers a CORS preflight for any origin.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	allow := allowedHeaders
	if req := strings.TrimSpace(r.Header.Get("Access-Control-Request-Headers")); req != "" {
		allow = allowedHeaders + "," + req
	}
	h.Set("Access-Control-Allow-Headers", allow)
	h.Set("Access-Control-Max-Age", "172800")
	h.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusOK)
}
