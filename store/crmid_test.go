package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A CRM record's first event finds its deal by crm_id: exactly that id,
// whatever it contains, and never a deal without one.
func TestDealByCRMID(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		create := func(name, crmID string) *deal.Deal {
			t.Helper()
			d := outbound(name, "loc-1")
			d.CRMID = crmID
			if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", name)); err != nil {
				t.Fatal(err)
			}
			return d
		}
		create("No CRM record", "")
		a := create("Percent", `50%_"quoted"\x`)
		b := create("Plain", "opp-1")
		create("Longer", "opp-10")

		for _, tc := range []struct {
			id   string
			want int64 // 0: not found
		}{
			{"opp-1", b.ID},
			{`50%_"quoted"\x`, a.ID},
			{"opp-%", 0},
			{"OPP-1", 0},
			{"opp-", 0},
			{"", 0},
		} {
			d, err := s.DealByCRMID(ctx, tc.id)
			switch {
			case tc.want == 0 && !errors.Is(err, store.ErrNotFound):
				t.Errorf("DealByCRMID(%q) = %v, %v; want ErrNotFound", tc.id, d, err)
			case tc.want != 0 && (err != nil || d.ID != tc.want):
				t.Errorf("DealByCRMID(%q) = %v, %v; want deal %d", tc.id, d, err, tc.want)
			}
		}

		// A deal's crm_id edited: found by the new id only.
		b.CRMID = "opp-2"
		if err := s.UpdateDeal(ctx, b, at("alice@x.example", "edited", "crm id")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DealByCRMID(ctx, "opp-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old crm_id after the edit: %v, want ErrNotFound", err)
		}
		if d, err := s.DealByCRMID(ctx, "opp-2"); err != nil || d.ID != b.ID || d.CRMID != "opp-2" {
			t.Errorf("new crm_id after the edit = %v, %v; want deal %d", d, err, b.ID)
		}
	})
}

// Migration 00010 fills the indexed column from the bodies of deals stored
// before it: rolled back and applied again, it finds them.
func TestCRMIDMigrationFillsStoredDeals(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := outbound("Stored before 00010", "loc-1")
		d.CRMID = "opp-old"
		other := outbound("Without a CRM record", "loc-1")
		for _, x := range []*deal.Deal{d, other} {
			if err := s.CreateDeal(ctx, x, at("alice@x.example", "created", x.Name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.MigrateDownTo(ctx, s, 9); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Migrate(ctx); err != nil || n != migrationCount(t)-9 {
			t.Fatalf("Migrate after rolling back 00010 and those after = %d, %v; want %d, nil", n, err, migrationCount(t)-9)
		}
		got, err := s.DealByCRMID(ctx, "opp-old")
		if err != nil || got.ID != d.ID {
			t.Fatalf("DealByCRMID after 00010 = %v, %v; want deal %d", got, err, d.ID)
		}
		if _, err := s.DealByCRMID(ctx, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("empty crm_id after 00010: %v, want ErrNotFound", err)
		}
	})
}

// Inside a unit (a page of CRM events), first contacts are found by crm_id
// through the unit: read ahead together, their commits held like those of
// linked records, and a crm_id edited earlier in the unit counts before it
// is written.
func TestUnitFindsFirstContactsByCRMID(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x, y := outbound("Contoso X", "FR"), outbound("Contoso Y", "FR")
		x.CRMID, y.CRMID = "opp-x", "opp-y"
		for _, d := range []*deal.Deal{x, y} {
			if err := s.CreateDeal(ctx, d, at("ana", "create", "made")); err != nil {
				t.Fatal(err)
			}
		}
		fb, through := s.UnitFallbacks(), store.WrittenEarly(s)
		err := s.Unit(ctx, func(ctx context.Context) error {
			if err := s.Prefetch(ctx, "generic", []string{"opp-x", "opp-y", "opp-none"}); err != nil {
				return err
			}
			dx, err := s.DealByCRMID(ctx, "opp-x")
			if err != nil || dx.ID != x.ID {
				return fmt.Errorf("opp-x: %v, %v; want deal %d", dx, err, x.ID)
			}
			dx.Value = 7100
			if err := s.Commit(ctx, &change.Commit{Deal: dx, At: t0,
				Links:   []change.Link{{System: "generic", RecordID: "opp-x", DealID: dx.ID}},
				Entries: []ledger.Entry{{At: t0, Actor: "generic", Action: "edit", Detail: "amount → 7100"}}}); err != nil {
				return err
			}
			dy, err := s.DealByCRMID(ctx, "opp-y")
			if err != nil || dy.ID != y.ID {
				return fmt.Errorf("opp-y: %v, %v; want deal %d", dy, err, y.ID)
			}
			dy.CRMID = "opp-z"
			if err := s.Commit(ctx, &change.Commit{Deal: dy, At: t0,
				Entries: []ledger.Entry{{At: t0, Actor: "ana", Action: "edit", Detail: "crm_id → opp-z"}}}); err != nil {
				return err
			}
			if d, err := s.DealByCRMID(ctx, "opp-y"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("opp-y after its edit in the unit: %v, %v; want ErrNotFound", d, err)
			}
			if d, err := s.DealByCRMID(ctx, "opp-z"); err != nil || d.ID != y.ID {
				return fmt.Errorf("opp-z after the edit in the unit: %v, %v; want deal %d", d, err, y.ID)
			}
			// A read the unit does not hold writes what it holds; the edit
			// still counts after.
			if _, err := s.ListDeals(ctx, store.DealFilter{}); err != nil {
				return err
			}
			if d, err := s.DealByCRMID(ctx, "opp-z"); err != nil || d.ID != y.ID {
				return fmt.Errorf("opp-z after the unit wrote what it held: %v, %v; want deal %d", d, err, y.ID)
			}
			if d, err := s.DealByCRMID(ctx, "opp-y"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("opp-y after the unit wrote what it held: %v, %v; want ErrNotFound", d, err)
			}
			if d, err := s.DealByCRMID(ctx, "opp-none"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("opp-none: %v, %v; want ErrNotFound", d, err)
			}
			if d, err := s.DealByCRMID(ctx, "opp-x"); err != nil || d.Value != 7100 {
				return fmt.Errorf("opp-x again: %v, %v; want the unit's own version", d, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		if n := store.WrittenEarly(s) - through; n != 1 {
			t.Errorf("%d writes before the unit's end; want 1 (the list), the unit holding first contacts' commits", n)
		}
		if d, err := s.DealByCRMID(ctx, "opp-z"); err != nil || d.ID != y.ID {
			t.Errorf("opp-z stored: %v, %v", d, err)
		}
		if d, err := s.GetDeal(ctx, x.ID); err != nil || d.Value != 7100 {
			t.Errorf("deal x stored: %v, %v; want amount 7100", d, err)
		}
		if l, err := s.Link(ctx, "generic", "opp-x"); err != nil || l.DealID != x.ID {
			t.Errorf("link of opp-x: %+v, %v", l, err)
		}
	})
}

// staleFinder is a store whose first look for a CRM ID misses the deal that
// holds it: as if another person's commit landed between the engine's
// check and its own.
type staleFinder struct {
	*store.Store
	committed bool
}

func (f *staleFinder) DealByCRMID(ctx context.Context, id string) (*deal.Deal, error) {
	if !f.committed {
		return nil, fmt.Errorf("deal with crm_id %q: %w", id, ledger.ErrNotFound)
	}
	return f.Store.DealByCRMID(ctx, id)
}

func (f *staleFinder) Commit(ctx context.Context, c *change.Commit) error {
	f.committed = true // the engine's own check is behind it
	return f.Store.Commit(ctx, c)
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return t0 }

// Two people give two deals one CRM ID at the same moment: the engine's
// check passes for both, and the commit's transaction refuses the second
// with the engine's own words, in whichever form the ID was typed. Nothing
// of the refused change is stored.
func TestCRMIDClaimedTwiceAtOnce(t *testing.T) {
	const guid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		first := outbound("First", "loc-1")
		first.CRMID = "{" + strings.ToUpper(guid) + "}"
		if err := change.New(s, fixedClock{}, nil, nil, nil).Create(ctx, first, deal.Event{Action: "created"}, "alice@x.example", nil); err != nil {
			t.Fatal(err)
		}

		second := outbound("Second", "loc-1")
		second.CRMID = guid
		err := change.New(&staleFinder{Store: s}, fixedClock{}, nil, nil, nil).Create(ctx, second, deal.Event{Action: "created"}, "bob@x.example", nil)
		var re *deal.RuleError
		if !errors.As(err, &re) || re.Rule != "crm_id_unique" || !strings.Contains(re.Message, "another deal already has CRM ID "+guid) {
			t.Fatalf("second deal with the same CRM ID: %v; want the crm_id_unique refusal", err)
		}
		if got, _ := s.ListDeals(ctx, store.DealFilter{}); len(got) != 1 {
			t.Errorf("%d deals stored, want the first only", len(got))
		}

		// An edit giving a deal the ID, past a stale check: refused too.
		third := outbound("Third", "loc-1")
		eng := change.New(s, fixedClock{}, nil, nil, nil)
		if err := eng.Create(ctx, third, deal.Event{Action: "created"}, "bob@x.example", nil); err != nil {
			t.Fatal(err)
		}
		id := guid
		_, _, err = change.New(&staleFinder{Store: s}, fixedClock{}, nil, nil, nil).Apply(ctx, third, "bob@x.example", func(d *deal.Deal) (deal.Event, error) {
			return d.Edit(deal.Changes{CRMID: &id}, t0)
		})
		if !errors.As(err, &re) || re.Rule != "crm_id_unique" {
			t.Fatalf("edit to a held CRM ID: %v; want the crm_id_unique refusal", err)
		}
		if got, err := s.GetDeal(ctx, third.ID); err != nil || got.CRMID != "" || got.Version != third.Version {
			t.Errorf("deal after the refused edit = %+v, %v; want it unchanged", got, err)
		}
	})
}

// Many commits claim one CRM ID at once, on every dialect: exactly one
// deal gets it (PostgreSQL: the advisory lock orders them; SQLite: its one
// writer does).
func TestCRMIDClaimedConcurrently(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() {
				d := outbound(fmt.Sprintf("Racer %d", i), "loc-1")
				d.CRMID = "opp-race"
				errs <- s.Commit(ctx, &change.Commit{Deal: d, Entries: []ledger.Entry{{At: t0, Actor: "x", Action: "created"}}, At: t0, ClaimsCRMID: true})
			}()
		}
		won := 0
		for range n {
			switch err := <-errs; {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrCRMIDTaken):
				t.Errorf("a racing commit failed with %v; want ErrCRMIDTaken", err)
			}
		}
		if won != 1 {
			t.Errorf("%d deals got CRM ID opp-race, want 1", won)
		}
	})
}
