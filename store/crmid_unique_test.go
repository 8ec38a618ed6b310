package store_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// oldBinary writes deals as a binary from before migration 00010 (0.8.0
// and older) does: the CRM ID in the body, the crm_id column left as it
// was (an update) or at its default (an insert).
type oldBinary struct {
	t *testing.T
	s *store.Store
}

// body is deal id's body with its crm_id set to crmID ("": none).
func (o oldBinary) body(id int64, crmID string) string {
	o.t.Helper()
	var text string
	if err := store.GormDB(o.s).Raw("SELECT body FROM deals WHERE id = ?", id).Scan(&text).Error; err != nil {
		o.t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(text), &body); err != nil {
		o.t.Fatal(err)
	}
	delete(body, "crm_id")
	if crmID != "" {
		body["crm_id"] = crmID
	}
	b, err := json.Marshal(body)
	if err != nil {
		o.t.Fatal(err)
	}
	return string(b)
}

// rekey gives deal id the CRM ID crmID.
func (o oldBinary) rekey(id int64, crmID string) error {
	return store.GormDB(o.s).Exec("UPDATE deals SET body = ?, version = version + 1 WHERE id = ?", o.body(id, crmID), id).Error
}

// copyOf inserts a copy of deal id with the CRM ID crmID, and returns its id.
func (o oldBinary) copyOf(id int64, crmID string) (int64, error) {
	const cols = "version, name, direction, kind, sale_type, status, stage, location, value, currency, close_date, " +
		"customer_name, customer_location, favorite, expires_at, decision_due, created_at, updated_at, won_at"
	db := store.GormDB(o.s)
	if err := db.Exec("INSERT INTO deals ("+cols+", body) SELECT "+cols+", ? FROM deals WHERE id = ?", o.body(id, crmID), id).Error; err != nil {
		return 0, err
	}
	var newID int64
	err := db.Raw("SELECT max(id) FROM deals").Scan(&newID).Error
	return newID, err
}

// A binary from before 00010 serving beside this one (a rolling upgrade:
// the migrations applied first, its pods replaced after) writes a deal's
// CRM ID in its body alone. Its deals are found by their CRM ID all the
// same (a CRM record's first event finds its deal so; a tester's were
// "linked to no deal").
func TestOldBinaryWritesKeepTheCRMIDColumn(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		old := oldBinary{t, s}
		x := outbound("Keyed by the old binary", "loc-1")
		if err := s.CreateDeal(ctx, x, at("alice@x.example", "created", x.Name)); err != nil {
			t.Fatal(err)
		}
		if err := old.rekey(x.ID, "opp-x"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.DealByCRMID(ctx, "opp-x"); err != nil || got.ID != x.ID {
			t.Errorf("a CRM ID the old binary gave: %v, %v; want deal %d", got, err, x.ID)
		}
		y, err := old.copyOf(x.ID, "opp-y")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.DealByCRMID(ctx, "opp-y"); err != nil || got.ID != y {
			t.Errorf("a deal the old binary made: %v, %v; want deal %d", got, err, y)
		}
		if err := old.rekey(x.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got, err := s.DealByCRMID(ctx, "opp-x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a CRM ID the old binary cleared: %v, %v; want ErrNotFound", got, err)
		}

		// A body PostgreSQL cannot parse (a NUL in the notes: jsonb refuses
		// \u0000) is stored as before, its column as written.
		nul := outbound("NUL in its notes", "loc-1")
		nul.Notes, nul.CRMID = "before\x00after", "opp-nul"
		if err := s.CreateDeal(ctx, nul, at("alice@x.example", "created", nul.Name)); err != nil {
			t.Errorf("a deal with a NUL in its notes: %v", err)
		} else if got, err := s.DealByCRMID(ctx, "opp-nul"); err != nil || got.ID != nul.ID || got.Notes != nul.Notes {
			t.Errorf("the deal with a NUL in its notes: %+v, %v", got, err)
		}
	})
}
