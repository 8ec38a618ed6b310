package generic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
)

func TestDecodeNamesTheField(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, field string }{
		{`[]`, "body"},
		{`{"record_id":"x"}`, "type"},
		{`{"type":"deal.updated"}`, "record_id"},
		{`{"type":"deal.updated","record_id":"x","modified_at":"later"}`, "modified_at"},
		{`{"type":"deal.updated","record_id":"x","fields":{"stage":{"a":1}}}`, "fields.stage"},
	}
	for _, tt := range tests {
		_, err := generic.Decode([]byte(tt.body))
		var fe *crm.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("Decode(%s) = %v, want a field error on %s", tt.body, err, tt.field)
		}
	}
	if p, err := generic.Decode([]byte(`{"type":"contact.created"}`)); err != nil || p.Type != "contact.created" {
		t.Errorf("another event type: %+v, %v", p, err)
	}
}

func TestRecordReadsTheIDAsDecodeDoes(t *testing.T) {
	t.Parallel()
	src := generic.New("secret", nil)
	for body, want := range map[string]string{
		`{"type":"deal.updated","record_id":"opp-42","fields":{"notes":"long"}}`:          "opp-42",
		`{"fields":{"record_id":"inner"},"type":"deal.updated","record_id":"opp-7"}`:      "opp-7",
		`{"type":"deal.updated","modified_at":"2026-11-20T10:00:00Z","record_id":"a\"b"}`: `a"b`,
		`{"type":"deal.updated"}`: "",
		`not json`:                "",
		`["record_id","x"]`:       "",
	} {
		if got := src.Record(ledger.InboxEntry{Body: []byte(body)}); got != want {
			t.Errorf("Record(%s) = %q, want %q", body, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"type":"deal.updated","record_id":"opp-42","modified_at":"2026-11-20T10:00:00Z","fields":{"stage":"proposed","value":60000}}`))
	f.Add([]byte(`{"type":"contact.created"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := generic.Decode(b)
		if err != nil {
			var fe *crm.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("Decode error %v names no field", err)
			}
			return
		}
		if p.Type == "" {
			t.Error("a payload without a type was accepted")
		}
		// What a page reads ahead is the record Apply will apply (a key
		// given twice aside: Decode keeps the last one).
		if strings.HasPrefix(p.Type, "deal.") && bytes.Count(b, []byte(`record_id`)) == 1 {
			if got := generic.New("s", nil).Record(ledger.InboxEntry{Body: b}); got != p.RecordID {
				t.Errorf("Record = %q, Decode's record_id = %q", got, p.RecordID)
			}
		}
	})
}

// FuzzDecodeMatchesEncodingJSON keeps Decode's faster decoder reading
// what encoding/json reads (numbers as json.Number): the same payload for
// a valid document, or an error from both.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"deal.updated","record_id":"opp-42","modified_at":"2026-11-20T10:00:00Z","fields":{"stage":"proposed","value":60000,"close":null}}`,
		`{"TYPE":"deal.updated","Record_ID":"x","fields":{"notes":"\u00e9\ud800","value":-1.5e3}}`,
		"{\"type\":\"deal.updated\",\"record_id\":\"x\",\"fields\":{\"notes\":\"\xff\",\"notes\":\"y\"}}",
		`{"type":"deal.updated","record_id":"x","fields":{"stage":true}}`,
		`{"type":"deal.updated","record_id":"x","fields":null}`,
		`{"type":"deal.updated","record_id":"x","fields":[]}`,
		`{"type":1}`, `[`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := generic.Decode(b)
		if !json.Valid(b) {
			if err == nil {
				t.Fatalf("%q is not JSON, Decode accepted it: %+v", b, got)
			}
			return
		}
		var want generic.Payload
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		errStd := dec.Decode(&want)
		if errStd == nil && strings.HasPrefix(want.Type, "deal.") {
			for _, v := range want.Fields {
				switch v.(type) {
				case string, json.Number, nil:
				default:
					errStd = errors.New("a field is neither a string nor a number")
				}
			}
		}
		if errStd != nil || want.Type == "" {
			if err == nil && errStd != nil {
				t.Fatalf("%q: encoding/json says %v, Decode accepted %+v", b, errStd, got)
			}
			return
		}
		if err != nil && !strings.HasPrefix(want.Type, "deal.") {
			t.Fatalf("%q: encoding/json reads %+v, Decode says %v", b, want, err)
		}
		if !strings.HasPrefix(want.Type, "deal.") {
			// Other events are acknowledged and ignored: only their type matters.
			want = generic.Payload{Type: want.Type, RecordID: want.RecordID, ModifiedAt: want.ModifiedAt, Origin: want.Origin}
			got.Fields = nil
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: encoding/json reads %+v, Decode %+v", b, want, got)
		}
	})
}

// BenchmarkDecode decodes a 2 KB deal update, as cosellload sends it.
func BenchmarkDecode(b *testing.B) {
	body := []byte(`{"type":"deal.updated","record_id":"opp-42","modified_at":"2026-11-20T10:00:00Z","fields":{"name":"Contoso migration","value":60000,"currency":"EUR","stage":"proposed","notes":"` + strings.Repeat("n", 1800) + `"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generic.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceipt is what the receiver does with a 2 KB deal update
// before it is stored: decode it and read it through the mapping, as Apply
// will (a field it cannot read is refused then, not failed later).
func BenchmarkReceipt(b *testing.B) {
	body := []byte(`{"type":"deal.updated","record_id":"opp-42","modified_at":"2026-11-20T10:00:00Z","fields":{"name":"Contoso migration","value":60000,"currency":"EUR","close":"2027-03-01","stage":"proposed","notes":"` + strings.Repeat("n", 1800) + `"}}`)
	src := generic.New("s", nil)
	r := httptest.NewRequest(http.MethodPost, "/webhooks/generic", nil)
	r.Header.Set(crm.HeaderEventID, "e-1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Decode(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStage reads a stage as senders write it: the schema's ids, and the
// names cosellbot's cards and Partner Center show.
func TestStage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"proposed": "proposed", "Proposed": "proposed", "Proposed (60%)": "proposed", " WON ": "won",
		"Collecting data": "collect-data", "collect-data": "collect-data", "Negotiated (80 %)": "negotiated", "declined": "declined",
	} {
		if got, ok := generic.Stage(in); !ok || got != want {
			t.Errorf("Stage(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Closing", "created", "60%", "proposed please"} {
		if got, ok := generic.Stage(in); ok {
			t.Errorf("Stage(%q) = %q, want it refused", in, got)
		}
	}
}

func FuzzStage(f *testing.F) {
	for _, s := range []string{"proposed", "Proposed (60%)", "Collecting data", "won", "x (y)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := generic.Stage(s)
		if !ok {
			return
		}
		// An id read is one the mapping maps, and reads as itself.
		if again, ok := generic.Stage(id); !ok || again != id {
			t.Fatalf("Stage(%q) = %q, which reads as %q, %v", s, id, again, ok)
		}
		if _, mapped := generic.Mapping().Stages[0].Values[id]; !mapped {
			t.Fatalf("Stage(%q) = %q, which the mapping does not map", s, id)
		}
	})
}
