package awsquery

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/protocol"
)

// DefaultMaxBodyBytes bounds a Query request body. [inf] AWS does not
// document STS's or IAM's cap; 1 MiB holds the largest legal request (a
// 128 KiB policy, URL-encoded) many times over.
const DefaultMaxBodyBytes = 1 << 20

// Codec is the Query codec over its services: it parses the form, routes
// Action (and Version, when services share an action name) to a service,
// and writes AWS's XML answers and errors. It never answers a 500 for a
// client's mistake.
type Codec struct {
	services []Service
}

var _ protocol.Codec = (*Codec)(nil)

// New returns the codec for services.
func New(services ...Service) *Codec { return &Codec{services: services} }

// Protocol implements protocol.Codec.
func (*Codec) Protocol() apierr.Protocol { return apierr.Query }

// IsQuery reports a Query-protocol request (STS, IAM): a form POST, or a
// GET of / naming an Action (STS answers GETs too: presigned
// GetCallerIdentity URLs are how EKS tokens and Vault's AWS auth prove an
// identity).
func IsQuery(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost:
		return isForm(r.Header.Get("Content-Type"))
	case http.MethodGet:
		return r.URL.Path == "/" && r.URL.Query().Has("Action")
	}
	return false
}

// formType is the media type of Query-protocol bodies.
const formType = "application/x-www-form-urlencoded"

// isForm reports the form media type, with or without parameters. It runs
// on every POST, so it compares in place rather than through
// mime.ParseMediaType, which allocates.
func isForm(contentType string) bool {
	if len(contentType) < len(formType) || !strings.EqualFold(contentType[:len(formType)], formType) {
		return false
	}
	rest := strings.TrimLeft(contentType[len(formType):], " \t")
	return rest == "" || rest[0] == ';'
}

// state is what WriteResult and WriteError need of a call.
type state struct {
	action string
	ns     string
}

// Decode implements protocol.Codec.
func (c *Codec) Decode(w http.ResponseWriter, r *http.Request, maxBody int64) (*protocol.Call, error) {
	body, form, err := readForm(w, r, maxBody)
	if err != nil {
		return nil, err
	}
	action, _ := Get(form, "Action")
	svc, act, found := c.route(form, action, func() string { return scopeService(r) })
	call := &protocol.Call{
		Service:   svc.SigningName(),
		Operation: action,
		Unsigned:  act.Unsigned,
		Body:      body,
		Input:     form,
		State:     &state{action: action, ns: svc.XMLNamespace()},
	}
	if !found {
		call.Operation, call.AnyService, call.Unsigned = "", true, true
		call.Deferred = unknownAction(action, form)
		return call, nil
	}
	call.Invoke = func(ctx context.Context, caller *auth.Caller) (any, error) {
		return act.Call(ctx, caller, form)
	}
	return call, nil
}

// readForm reads and parses the form: the body of a POST, the query string
// of a GET (AWS's Query services accept both).
func readForm(w http.ResponseWriter, r *http.Request, maxBody int64) ([]byte, url.Values, error) {
	if r.Method == http.MethodGet {
		form, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, nil, apierr.Queryf(apierr.QueryMalformedQueryString, "The query string is malformed.")
		}
		return nil, form, nil
	}
	if r.Method != http.MethodPost {
		return nil, nil, apierr.Queryf(apierr.QueryInvalidAction, "Only GET and POST requests are supported.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, apierr.Queryf(apierr.QueryRequestEntityTooLarge, "Request body must be less than %d bytes.", maxBody)
		}
		return nil, nil, apierr.Queryf(apierr.QueryMalformedQueryString, "The request body could not be read.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, apierr.Queryf(apierr.QueryMalformedQueryString, "The request body is not a valid form.")
	}
	// Parameters in the URL of a POST count too (SDKs never send them, curl
	// users do); the body wins for a name sent in both, as if it came
	// after the URL (the last value wins, Get).
	if r.URL.RawQuery != "" {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
			for k, v := range q {
				if _, dup := form[k]; !dup && k != "X-Amz-Signature" {
					form[k] = v
				}
			}
		}
	}
	return body, form, nil
}

// route finds the service that has the action. When several do, the one
// whose API version the request names wins. A request for an unknown action
// still gets a service, for its namespace and signing name: the one it is
// signed for (signedFor gives the credential scope's service), as that
// service's own endpoint would answer, else the one its Version names.
func (c *Codec) route(form url.Values, action string, signedFor func() string) (Service, Action, bool) {
	version, _ := Get(form, "Version")
	var firstSvc Service
	var firstAct Action
	found := false
	for _, s := range c.services {
		a, ok := s.Action(action)
		if !ok {
			continue
		}
		if !found {
			firstSvc, firstAct, found = s, a, true
		}
		if v, ok := s.(versioned); ok && v.APIVersion() == version {
			return s, a, true
		}
	}
	if found {
		return firstSvc, firstAct, true
	}
	scoped := signedFor()
	for _, s := range c.services {
		if scoped != "" && s.SigningName() == scoped {
			return s, Action{}, false
		}
	}
	for _, s := range c.services {
		if v, ok := s.(versioned); ok && v.APIVersion() == version {
			return s, Action{}, false
		}
	}
	if len(c.services) > 0 {
		return c.services[0], Action{}, false
	}
	return noService{}, Action{}, false
}

// versioned services name their API version (2011-06-15 for STS), which
// breaks ties between services that share an action name.
type versioned interface{ APIVersion() string }

func unknownAction(action string, form url.Values) error {
	if action == "" {
		// [inf] STS answers a form without Action like an unknown one.
		return apierr.Queryf(apierr.QueryMissingAction, "Missing Action")
	}
	version, _ := Get(form, "Version")
	return apierr.Queryf(apierr.QueryInvalidAction, "Could not find operation %s for version %s", apierr.Echo(action), apierr.Echo(version))
}

type noService struct{}

func (noService) SigningName() string          { return "" }
func (noService) XMLNamespace() string         { return "" }
func (noService) Action(string) (Action, bool) { return Action{}, false }

func (c *Codec) stateOf(call *protocol.Call) *state {
	if call != nil {
		if st, ok := call.State.(*state); ok {
			return st
		}
	}
	ns := ""
	if len(c.services) > 0 {
		ns = c.services[0].XMLNamespace()
	}
	return &state{ns: ns}
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// WriteResult implements protocol.Codec: <ActionResponse xmlns=NS>
// <ActionResult>result</ActionResult><ResponseMetadata>...</ResponseMetadata>
// </ActionResponse>; a nil result leaves the Result element out, as AWS
// does for DeleteRole.
func (c *Codec) WriteResult(w http.ResponseWriter, call *protocol.Call, requestID string, result any) {
	st := c.stateOf(call)
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: st.action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: st.ns}}}
	err := enc.EncodeToken(root)
	if err == nil && result != nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: st.action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{RequestID: requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(root.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		c.WriteError(w, call, requestID, apierr.InternalIn(apierr.Query, err))
		return
	}
	write(w, http.StatusOK, buf.Bytes())
}

type errorBody struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     errorXML `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

type errorXML struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// WriteError implements protocol.Codec: AWS's Query error document. An
// internal failure is written with the generic text, whatever its cause.
func (c *Codec) WriteError(w http.ResponseWriter, call *protocol.Call, requestID string, e *apierr.Error) {
	if e.Code == apierr.QueryInternalFailure {
		e = apierr.InternalIn(apierr.Query, nil)
	}
	status := e.Status()
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver" // the service's own failures
	}
	body, err := xml.Marshal(errorBody{Xmlns: c.stateOf(call).ns, Error: errorXML{Type: fault, Code: e.Code, Message: apierr.Clip(e.Message, apierr.MaxMessage)}, RequestID: requestID})
	if err != nil {
		body = []byte("<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code></Error></ErrorResponse>")
	}
	write(w, status, body)
}

// Throttled implements protocol.Codec. A refusal for the server's load is
// 503 ServiceUnavailable rather than a Throttling 400: it is about the
// server, not the caller's quota, and 503 is what load balancers and every
// SDK's retryer treat as transient.
func (*Codec) Throttled(busy bool) *apierr.Error {
	if busy {
		return apierr.Queryf(apierr.QueryServiceUnavailable, "Service is too busy; try again.")
	}
	return apierr.Queryf(apierr.QueryThrottling, "Rate exceeded")
}

func write(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// scopeService is the service named in a request's credential scope
// (Credential=KEY/DATE/REGION/SERVICE/aws4_request, in the Authorization
// header or a presigned URL), or "". The signature is verified later; this
// only picks the namespace an unknown action is answered in.
func scopeService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if a := r.Header.Get("Authorization"); a != "" {
		_, rest, ok := strings.Cut(a, "Credential=")
		if !ok {
			return ""
		}
		cred, _, _ = strings.Cut(rest, ",")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}
