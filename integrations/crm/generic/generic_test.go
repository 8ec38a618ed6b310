package generic_test

import (
	"errors"
	"testing"

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
	})
}
