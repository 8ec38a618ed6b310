package store_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
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
// "linked to no deal"), and the ID stays one deal's: neither binary can
// give it to a second deal.
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

		// This binary refuses the old binary's ID to a new deal, and the
		// database refuses it to the old binary's.
		z := outbound("Second with opp-y", "loc-1")
		z.CRMID = "opp-y"
		err = change.New(s, fixedClock{}, nil, nil, nil).Create(ctx, z, deal.Event{Action: "created"}, "bob@x.example", nil)
		var re *deal.RuleError
		if !errors.As(err, &re) || re.Rule != "crm_id_unique" {
			t.Errorf("a new deal with the old binary's CRM ID: %v; want the crm_id_unique refusal", err)
		}
		if _, err := old.copyOf(x.ID, "opp-y"); err == nil {
			t.Errorf("the old binary made a second deal with CRM ID opp-y")
		}
		if err := old.rekey(x.ID, "opp-y"); err == nil {
			t.Errorf("the old binary gave a second deal CRM ID opp-y")
		}
	})
}

// Migrations 00013 and 00014 on a database that an older binary, or the
// replicas' race, left with CRM IDs in bodies alone and CRM IDs held by
// two deals: the column is repaired from the body, and each CRM ID stays
// on one deal (the one a CRM record is linked to, else the oldest). The
// others are kept, without it, their history saying which deal holds it
// and what to do, and are listed until closed or given an ID.
func TestCRMIDMigrationsRepairAndDeduplicate(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if err := store.MigrateDownTo(ctx, s, 12); err != nil {
			t.Fatal(err)
		}
		create := func(name, crmID string) *deal.Deal {
			t.Helper()
			d := outbound(name, "loc-1")
			d.CRMID = crmID
			if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", name)); err != nil {
				t.Fatal(err)
			}
			return d
		}
		bodyOnly := create("Keyed in its body only", "")
		if err := (oldBinary{t, s}).rekey(bodyOnly.ID, "opp-body"); err != nil {
			t.Fatal(err)
		}
		twin1, twin2 := create("Twin made first", "opp-twin"), create("Twin linked", "opp-twin")
		if err := s.Commit(ctx, &change.Commit{At: t0, Links: []change.Link{{System: "generic", RecordID: "opp-twin", DealID: twin2.ID}}}); err != nil {
			t.Fatal(err)
		}
		older, newer := create("Older", "opp-old"), create("Newer", "opp-old")
		closed := create("Closed", "opp-old")
		closed.Status = deal.Lost
		if err := s.UpdateDeal(ctx, closed, at("alice@x.example", "lost", "")); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Migrate(ctx); err != nil || n != migrationCount(t)-12 {
			t.Fatalf("Migrate = %d, %v; want 00013 and those after", n, err)
		}

		for _, tc := range []struct {
			crmID string
			want  int64
		}{
			{"opp-body", bodyOnly.ID},
			{"opp-twin", twin2.ID}, // its record's events went there
			{"opp-old", older.ID},
		} {
			if got, err := s.DealByCRMID(ctx, tc.crmID); err != nil || got.ID != tc.want {
				t.Errorf("CRM ID %s: %v, %v; want deal %d", tc.crmID, got, err, tc.want)
			}
		}
		for _, tc := range []struct {
			d      *deal.Deal
			holder int64
		}{{twin1, twin2.ID}, {newer, older.ID}, {closed, older.ID}} {
			got, err := s.GetDeal(ctx, tc.d.ID)
			if err != nil || got.CRMID != "" || got.Version != tc.d.Version+1 {
				t.Errorf("deal %d after the migration: %+v, %v; want no CRM ID, version %d", tc.d.ID, got, err, tc.d.Version+1)
				continue
			}
			hist, err := s.History(ctx, tc.d.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := hist[len(hist)-1]
			id := strconv.FormatInt(tc.d.ID, 10)
			if last.Action != store.ActionCRMIDTakenOff || !strings.Contains(last.Detail, "deal #"+strconv.FormatInt(tc.holder, 10)+" holds it too") ||
				!strings.Contains(last.Detail, "deal error "+id+" reason=") || !strings.Contains(last.Detail, "deal edit "+id+" crm_id=") {
				t.Errorf("deal %d's history ends %+v; want why its CRM ID was taken off and what to do", tc.d.ID, last)
			}
		}
		taken, err := s.CRMIDsTakenOff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, d := range taken {
			ids = append(ids, d.DealID)
		}
		if len(ids) != 2 || ids[0] != twin1.ID || ids[1] != newer.ID {
			t.Errorf("deals listed as having lost their CRM ID: %v; want the open ones, %d and %d", ids, twin1.ID, newer.ID)
		}

		// From now on the database refuses a second deal with a CRM ID,
		// whoever writes it.
		again := outbound("Third twin", "loc-1")
		again.CRMID = "opp-twin"
		if err := s.CreateDeal(ctx, again, at("alice@x.example", "created", "")); !errors.Is(err, store.ErrCRMIDTaken) {
			t.Errorf("a second deal with CRM ID opp-twin: %v; want ErrCRMIDTaken", err)
		}
		twin1.CRMID, twin1.Version = "opp-twin", twin1.Version+1
		if err := s.UpdateDeal(ctx, twin1, at("alice@x.example", "edited", "")); !errors.Is(err, store.ErrCRMIDTaken) {
			t.Errorf("giving deal %d CRM ID opp-twin again: %v; want ErrCRMIDTaken", twin1.ID, err)
		}
	})
}
