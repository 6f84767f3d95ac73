package awsquery

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/idpool/idpool/internal/apierr"
)

// responder writes one answer and remembers its status and code for the log.
type responder struct {
	w         http.ResponseWriter
	requestID string
	ns        string
	status    int
	code      string
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// ok writes <ActionResponse xmlns=NS><ActionResult>result</ActionResult>
// <ResponseMetadata>...</ResponseMetadata></ActionResponse>; a nil result
// leaves the Result element out, as AWS does for DeleteRole.
func (rw *responder) ok(action string, result any) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: rw.ns}}}
	err := enc.EncodeToken(root)
	if err == nil && result != nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{RequestID: rw.requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(root.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		rw.fail(apierr.InternalIn(apierr.Query, err))
		return
	}
	rw.write(http.StatusOK, buf.Bytes())
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

// fail writes AWS's Query error document for err.
func (rw *responder) fail(err error) {
	ae := apierr.AsIn(apierr.Query, err)
	if ae.Code == apierr.QueryInternalFailure {
		ae = apierr.InternalIn(apierr.Query, nil) // the generic text, whatever the cause
	}
	code, msg, status := ae.Code, ae.Message, ae.Status()
	rw.code = code
	body, merr := xml.Marshal(errorBody{Xmlns: rw.ns, Error: errorXML{Type: faultOf(status), Code: code, Message: msg}, RequestID: rw.requestID})
	if merr != nil {
		body = []byte("<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code></Error></ErrorResponse>")
	}
	rw.write(status, body)
}

func (rw *responder) write(status int, body []byte) {
	rw.status = status
	h := rw.w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", rw.requestID)
	rw.w.WriteHeader(status)
	rw.w.Write(body)
}
