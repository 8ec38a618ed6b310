package salesforce

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
)

// maxBody fits an outbound message of 100 notifications (Salesforce's
// most per message), each with several long text fields of up to 32 KB.
const maxBody = 16 << 20

// MaxBody is the largest outbound message accepted.
func (s *Source) MaxBody() int64 { return maxBody }

// Faults makes the receiver's refusals SOAP faults, which Salesforce shows in
// its outbound message queue ("Delivery Failure Reason") as they are.
func (s *Source) Faults(w http.ResponseWriter) http.ResponseWriter {
	return &faultWriter{ResponseWriter: w}
}

// faultWriter turns an error answer (a status over 299 with the receiver's
// JSON {"error": {"code", "message"}}) into a SOAP 1.1 fault; a success
// (the <Ack>) passes through.
type faultWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (f *faultWriter) WriteHeader(status int) {
	if status < 300 {
		f.ResponseWriter.WriteHeader(status)
		return
	}
	f.status = status
}

func (f *faultWriter) Write(b []byte) (int, error) {
	if f.status == 0 {
		return f.ResponseWriter.Write(b)
	}
	f.buf.Write(b)
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(f.buf.Bytes(), &e) != nil {
		return len(b), nil // not whole yet
	}
	code := "soapenv:Client"
	if f.status >= 500 {
		code = "soapenv:Server"
	}
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.Error.Code+": "+e.Error.Message))
	f.ResponseWriter.Header().Set("Content-Type", "text/xml; charset=utf-8")
	f.ResponseWriter.WriteHeader(f.status)
	fmt.Fprintf(f.ResponseWriter, `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <soapenv:Fault>
   <faultcode>%s</faultcode>
   <faultstring>%s</faultstring>
  </soapenv:Fault>
 </soapenv:Body>
</soapenv:Envelope>
`, code, msg.String())
	f.buf.Reset()
	f.status = -1 // written
	return len(b), nil
}
