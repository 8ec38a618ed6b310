package generic_test

import (
	"bytes"
	"errors"
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
