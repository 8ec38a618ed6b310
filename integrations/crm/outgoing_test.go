package crm_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
)

// Write tells the syncer what to do with a failure: retry later, retry no
// sooner than Retry-After, or give up.
func TestWriterClassifiesFailures(t *testing.T) {
	d := &deal.Deal{ID: 7, Name: "Lakehouse", Stage: deal.StageProposed, Status: deal.Accepted, Value: 4500000, Currency: "EUR"}
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string
		permanent  bool
		after      time.Duration
	}{
		{"accepted", http.StatusAccepted, "", false, 0},
		{"server error is retried", http.StatusBadGateway, "", false, 0},
		{"timeout is retried", http.StatusRequestTimeout, "", false, 0},
		{"rate limited waits", http.StatusTooManyRequests, "7", false, 7 * time.Second},
		{"refused is final", http.StatusBadRequest, "", true, 0},
		{"gone is final", http.StatusGone, "", true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got crm.Message
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if err := crm.VerifySignature([]byte("s3cret"), r.Header.Get(crm.HeaderTimestamp), r.Header.Get(crm.HeaderSignature), b, fixedClock{}.Now()); err != nil {
					t.Errorf("signature: %v", err)
				}
				_ = json.Unmarshal(b, &got)
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			w := crm.NewWriter(crm.Target{Source: "generic", URL: srv.URL, Secret: []byte("s3cret"), Mapping: generic.Mapping()}, srv.Client(), fixedClock{})
			_, err := w.Write(t.Context(), change.Link{System: "generic", RecordID: "opp-7"}, d, change.Values{change.Stage: "proposed", change.Value: "4500000"})
			if got.RecordID != "opp-7" || got.Fields["stage"] != "proposed" || got.Fields["value"] != "45000.00" || len(got.Fields) != 2 {
				t.Errorf("sent %+v", got)
			}
			if tt.status/100 == 2 {
				if err != nil {
					t.Fatalf("Write = %v", err)
				}
				return
			}
			if err == nil || chat.IsPermanent(err) != tt.permanent {
				t.Fatalf("Write error %v: permanent %v, want %v", err, chat.IsPermanent(err), tt.permanent)
			}
			if d, ok := chat.RetryAfterOf(err); tt.after > 0 && (!ok || d != tt.after) {
				t.Fatalf("retry after %v %v, want %v", d, ok, tt.after)
			}
		})
	}
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }

// A write that cannot reach its URL says why without the URL's credentials
// (a ?code= key), which go to logs and the sync work's last error.
func TestWriterErrorsHideCredentials(t *testing.T) {
	w := crm.NewWriter(crm.Target{Source: "dynamics", URL: "http://127.0.0.1:1/api/flow?code=s3cr3t-key&x=1", Secret: []byte("s"), Mapping: generic.Mapping()}, nil, fixedClock{})
	_, err := w.Write(t.Context(), change.Link{System: "dynamics", RecordID: "r"}, &deal.Deal{ID: 1, Name: "x"}, change.Values{change.Name: "x"})
	if err == nil || strings.Contains(err.Error(), "s3cr3t-key") {
		t.Errorf("Write = %v; want an error without the key", err)
	}
}

// What a write to a CRM holds, given what its record is known to hold (the
// link's shadow). The first case is a HubSpot record whose first event set
// dealstage=qualifiedtobuy on a deal made in chat: its status and lost
// reason were never known, and the write used to carry dealstage
// "appointmentscheduled" (the first value mapped to qualified) and an empty
// closed_lost_reason.
func TestOutgoingLeavesTheCRMsOwnStage(t *testing.T) {
	ms, err := crm.LoadMappings("../../deploy/crm", "hubspot")
	if err != nil {
		t.Fatal(err)
	}
	hs := ms["hubspot"]
	open := &deal.Deal{Name: "HS2", Value: 5000000, Currency: "USD", Status: deal.Created, Stage: deal.StageQualified}
	won := &deal.Deal{Name: "HS2", Value: 5000000, Currency: "USD", Status: deal.Won, Stage: deal.StageWon}
	lostHere := &deal.Deal{Name: "HS2", Value: 5000000, Currency: "USD", Status: deal.Lost, Stage: deal.StageQualified, Reason: "budget"}
	mark := func(v string) change.Mark { return change.Mark{Value: v} }
	tests := []struct {
		name string
		d    *deal.Deal
		v    change.Values
		sh   change.Shadow
		want map[string]string
	}{
		{"stage known, status and reason never: only the other fields", open,
			change.Values{change.Name: "HS2", change.Status: "created", change.Reason: ""},
			change.Shadow{change.Stage: mark("qualified")},
			map[string]string{"dealname": "HS2"}},
		{"the record's stage is older: it is written", open,
			change.Values{change.Stage: "qualified"},
			change.Shadow{change.Stage: mark("accepted")},
			map[string]string{"dealstage": "appointmentscheduled"}},
		{"the record says won already: no echo", won,
			change.Values{change.Stage: "won"},
			change.Shadow{change.Status: mark("won")},
			map[string]string{}},
		{"the record says the deal is open, it was lost here: lost is written", lostHere,
			change.Values{change.Status: "lost", change.Reason: "budget"},
			change.Shadow{change.Stage: mark("qualified"), change.Status: mark("created")},
			map[string]string{"dealstage": "closedlost", "closed_lost_reason": "budget"}},
		{"a reason the record had is cleared", open,
			change.Values{change.Reason: ""},
			change.Shadow{change.Reason: mark("budget")},
			map[string]string{"closed_lost_reason": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := hs.Outgoing(tc.d, tc.v, tc.sh)
			if !maps.Equal(got, tc.want) {
				t.Errorf("Outgoing = %v, want %v", got, tc.want)
			}
		})
	}
}

// A CRM side that refuses a write says why in its answer (a Power Automate
// flow's error, a HubSpot workflow's): the error keeps a bounded excerpt of
// it, on one line and free of control characters (it goes to the log and
// to `cosellbot sync`), with the credentials of any URL in it hidden.
func TestWriterKeepsWhatTheCRMAnswered(t *testing.T) {
	long := strings.Repeat("x", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "{\"error\":{\"code\":\"InvalidTemplate\",\n\t\"message\":\"Unable to process template \x1b[31mlanguage\x1b[0m expressions\",\r\n \"see\":\"https://prod.westeurope.logic.azure.com/workflows/1?sig=s3cr3t-sig\"},\"pad\":\""+long+"\"}")
	}))
	defer srv.Close()
	w := crm.NewWriter(crm.Target{Source: "dynamics", URL: srv.URL, Secret: []byte("s"), Mapping: generic.Mapping()}, srv.Client(), fixedClock{})
	_, err := w.Write(t.Context(), change.Link{System: "dynamics", RecordID: "r"}, &deal.Deal{ID: 1, Name: "x"}, change.Values{change.Name: "x"})
	if err == nil || !chat.IsPermanent(err) {
		t.Fatalf("Write = %v, want a final error", err)
	}
	msg := err.Error()
	want := `crm: webhook to dynamics: 400 Bad Request: {"error":{"code":"InvalidTemplate", "message":"Unable to process template [31mlanguage[0m expressions", "see":"https://prod.westeurope.logic.azure.com/workflows/1?sig=REDACTED`
	if !strings.HasPrefix(msg, want) {
		t.Errorf("error\n%q\nwant it to start with\n%q", msg, want)
	}
	if strings.ContainsAny(msg, "\n\r\t\x1b") || strings.Contains(msg, "s3cr3t") {
		t.Errorf("error %q: want one line, no control characters, no credentials", msg)
	}
	if ex := crm.Excerpt([]byte(long)); len([]rune(ex)) != crm.MaxExcerpt+1 || !strings.HasSuffix(ex, "…") {
		t.Errorf("Excerpt of 1,000 characters: %d characters, want %d and an ellipsis", len([]rune(ex)), crm.MaxExcerpt+1)
	}
	if ex := crm.Excerpt(nil); ex != "" {
		t.Errorf("Excerpt of nothing: %q", ex)
	}
}
