package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// unitDeal stores a deal linked to generic record rec.
func unitDeal(t *testing.T, s *store.Store, rec string) *deal.Deal {
	t.Helper()
	ctx := context.Background()
	d := outbound("Contoso "+rec, "FR")
	if err := s.CreateDeal(ctx, d, at("ana", "create", "made")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLink(ctx, change.Link{System: "generic", RecordID: rec, DealID: d.ID}); err != nil {
		t.Fatal(err)
	}
	return d
}

// setAmount commits an amount change of deal id as the change path does:
// read, change, commit with an audit line and the record's link.
func setAmount(ctx context.Context, s *store.Store, id int64, rec string, amount deal.Money) error {
	d, err := s.GetDeal(ctx, id)
	if err != nil {
		return err
	}
	links, err := s.LinksOfRecord(ctx, "generic", rec)
	if err != nil {
		return err
	}
	var l change.Link
	for _, x := range links {
		if x.System == "generic" && x.RecordID == rec && x.DealID == id {
			l = x
		}
	}
	if l.DealID == 0 {
		return fmt.Errorf("links of %s: %+v", rec, links)
	}
	l.Shadow = change.Shadow{"amount": {Value: fmt.Sprint(int64(amount)), At: t0}}
	d.Value = amount
	return s.Commit(ctx, &change.Commit{Deal: d, Links: []change.Link{l}, At: t0,
		Entries: []ledger.Entry{{At: t0, Actor: "generic", Action: "edit", Detail: fmt.Sprintf("amount → %d", amount)}}})
}

// noFallback fails the test when a unit ran again as a plain batch: the
// bulk path must have done the work.
func noFallback(t *testing.T, s *store.Store, before int64) {
	t.Helper()
	if n := s.UnitFallbacks() - before; n != 0 {
		t.Errorf("%d units ran again as plain batches; want the unit to hold the page", n)
	}
}

func history(t *testing.T, s *store.Store, id int64) []string {
	t.Helper()
	h, err := s.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range h {
		out = append(out, a.Detail)
	}
	return out
}

func TestUnitWritesTheDealOnceAtItsLastVersion(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := unitDeal(t, s, "r1")
		fb := s.UnitFallbacks()
		err := s.Unit(ctx, func(ctx context.Context) error {
			for _, amount := range []deal.Money{1000, 2000, 3000} {
				if err := setAmount(ctx, s, d.ID, "r1", amount); err != nil {
					return err
				}
			}
			got, err := s.GetDeal(ctx, d.ID) // the unit's own, newer than the database's
			if err != nil || got.Value != 3000 || got.Version != d.Version+3 {
				return fmt.Errorf("inside the unit: %v, %v", got, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		got, err := s.GetDeal(ctx, d.ID)
		if err != nil || got.Value != 3000 || got.Version != d.Version+3 {
			t.Fatalf("stored: amount %d version %d (%v), want 3000 at %d", got.Value, got.Version, err, d.Version+3)
		}
		if h := history(t, s, d.ID); len(h) != 4 || h[3] != "amount → 3000" {
			t.Errorf("history %q, want the creation and three edits", h)
		}
		l, err := s.Link(ctx, "generic", "r1")
		if err != nil || l.Shadow["amount"].Value != "3000" {
			t.Errorf("link shadow %+v (%v), want amount 3000", l.Shadow, err)
		}
	})
}

func TestUnitSavepointUndoesOnlyTheFailedEvent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := unitDeal(t, s, "ra"), unitDeal(t, s, "rb")
		bad := errors.New("refused")
		var errs []error
		fb := s.UnitFallbacks()
		err := s.Unit(ctx, func(ctx context.Context) error {
			errs = errs[:0]
			for _, ev := range []struct {
				id   int64
				rec  string
				amt  deal.Money
				fail bool
			}{{a.ID, "ra", 10, false}, {b.ID, "rb", 20, true}, {a.ID, "ra", 30, true}, {b.ID, "rb", 40, false}} {
				errs = append(errs, s.Savepoint(ctx, func(ctx context.Context) error {
					if err := setAmount(ctx, s, ev.id, ev.rec, ev.amt); err != nil {
						return err
					}
					if ev.fail {
						return bad // after its change was made: it must be undone
					}
					return nil
				}))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		if !errors.Is(errs[1], bad) || !errors.Is(errs[2], bad) || errs[0] != nil || errs[3] != nil {
			t.Fatalf("event errors %v", errs)
		}
		for _, c := range []struct {
			d    *deal.Deal
			want deal.Money
		}{{a, 10}, {b, 40}} {
			got, err := s.GetDeal(ctx, c.d.ID)
			if err != nil || got.Value != c.want || got.Version != c.d.Version+1 {
				t.Errorf("deal %d: amount %d version %d (%v), want %d at %d", c.d.ID, got.Value, got.Version, err, c.want, c.d.Version+1)
			}
			if h := history(t, s, c.d.ID); len(h) != 2 {
				t.Errorf("deal %d history %q: the failed events left lines", c.d.ID, h)
			}
		}
	})
}

func TestUnitRunsAgainPlainlyWhenAnEventReachesTheDatabaseAfterChangingMemory(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := unitDeal(t, s, "r1")
		runs := 0
		err := s.Unit(ctx, func(ctx context.Context) error {
			runs++
			return s.Savepoint(ctx, func(ctx context.Context) error {
				if err := setAmount(ctx, s, d.ID, "r1", 500); err != nil {
					return err
				}
				// An operation the unit does not hold, after a change it
				// holds: the database cannot be rolled back to before it.
				_, err := s.ListDeals(ctx, store.DealFilter{})
				return err
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if runs != 2 {
			t.Errorf("fn ran %d times, want 2 (the unit, then a plain batch)", runs)
		}
		got, _ := s.GetDeal(ctx, d.ID)
		if got.Value != 500 || got.Version != d.Version+1 {
			t.Errorf("amount %d version %d, want 500 at %d: applied once", got.Value, got.Version, d.Version+1)
		}
		if h := history(t, s, d.ID); len(h) != 2 {
			t.Errorf("history %q, want one edit", h)
		}
	})
}

func TestUnitWritesWhatItHoldsBeforeAnOperationItDoesNotKnow(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := unitDeal(t, s, "r1")
		fb := s.UnitFallbacks()
		err := s.Unit(ctx, func(ctx context.Context) error {
			if err := s.Savepoint(ctx, func(ctx context.Context) error { return setAmount(ctx, s, d.ID, "r1", 700) }); err != nil {
				return err
			}
			// The next event reads through a query the unit does not hold:
			// it must see the first event's change.
			return s.Savepoint(ctx, func(ctx context.Context) error {
				ds, err := s.ListDeals(ctx, store.DealFilter{})
				if err != nil {
					return err
				}
				for _, x := range ds {
					if x.ID == d.ID && x.Value != 700 {
						return fmt.Errorf("the database has amount %d, not the unit's 700", x.Value)
					}
				}
				return setAmount(ctx, s, d.ID, "r1", 800)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		got, _ := s.GetDeal(ctx, d.ID)
		if got.Value != 800 || got.Version != d.Version+2 {
			t.Errorf("amount %d version %d, want 800 at %d", got.Value, got.Version, d.Version+2)
		}
	})
}

func TestUnitSavepointAfterWritingThroughRollsBackTheDatabaseToo(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := unitDeal(t, s, "r1")
		fb := s.UnitFallbacks()
		err := s.Unit(ctx, func(ctx context.Context) error {
			if err := s.Savepoint(ctx, func(ctx context.Context) error { return setAmount(ctx, s, d.ID, "r1", 100) }); err != nil {
				return err
			}
			err := s.Savepoint(ctx, func(ctx context.Context) error {
				if _, err := s.ListDeals(ctx, store.DealFilter{}); err != nil { // opens the savepoint
					return err
				}
				if err := setAmount(ctx, s, d.ID, "r1", 200); err != nil {
					return err
				}
				if _, err := s.ListDeals(ctx, store.DealFilter{}); err != nil { // writes 200 through
					return err
				}
				return errors.New("refused")
			})
			if err == nil {
				return errors.New("the failing event succeeded")
			}
			return s.Savepoint(ctx, func(ctx context.Context) error { return setAmount(ctx, s, d.ID, "r1", 300) })
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		got, _ := s.GetDeal(ctx, d.ID)
		if got.Value != 300 || got.Version != d.Version+2 {
			t.Errorf("amount %d version %d, want 300 at %d (the refused event undone)", got.Value, got.Version, d.Version+2)
		}
		if h := history(t, s, d.ID); len(h) != 3 {
			t.Errorf("history %q, want the creation and two edits", h)
		}
	})
}

func TestUnitMarksInboxRowsTogether(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var entries []store.InboxEntry
		for i := range 3 {
			entries = append(entries, store.InboxEntry{Source: "generic", Key: fmt.Sprint("k", i), Body: []byte(`{}`), ReceivedAt: t0})
		}
		added, err := s.AddInbox(ctx, entries)
		if err != nil {
			t.Fatal(err)
		}
		statuses := []store.InboxStatus{store.InboxProcessed, store.InboxIgnored, store.InboxFailed}
		fb := s.UnitFallbacks()
		err = s.Unit(ctx, func(ctx context.Context) error {
			for i, a := range added {
				if err := s.MarkInbox(ctx, a.ID, statuses[i], fmt.Sprint("note ", i), t0.Add(time.Duration(i)*time.Second)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		for i, a := range added {
			e, err := s.InboxEntry(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if e.Status != statuses[i] || e.Error != fmt.Sprint("note ", i) || e.Attempts != 1 || !e.ProcessedAt.Equal(t0.Add(time.Duration(i)*time.Second)) {
				t.Errorf("row %d: %s %q attempts %d at %s", i, e.Status, e.Error, e.Attempts, e.ProcessedAt)
			}
		}
		err = s.Unit(ctx, func(ctx context.Context) error {
			return s.MarkInbox(ctx, 1<<40, store.InboxProcessed, "", t0)
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking a missing row: %v, want ErrNotFound", err)
		}
	})
}

func TestUnitFallsBackWhenTheDealChangedMeanwhile(t *testing.T) {
	s := storetest.OpenPostgres(t) // SQLite's one writer is the unit's until it ends
	ctx := context.Background()
	d := unitDeal(t, s, "r1")
	runs := 0
	err := s.Unit(ctx, func(uctx context.Context) error {
		runs++
		if err := setAmount(uctx, s, d.ID, "r1", 900); err != nil {
			return err
		}
		if runs == 1 { // a person edits the deal while the page is applied
			cur, err := s.GetDeal(ctx, d.ID)
			if err != nil {
				return err
			}
			cur.Name = "Renamed by a person"
			return s.UpdateDeal(ctx, cur, at("ana", "edit", "renamed"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetDeal(ctx, d.ID)
	if got.Value != 900 || got.Name != "Renamed by a person" || got.Version != d.Version+2 {
		t.Errorf("deal %+v: both changes must be kept", got)
	}
	if runs != 2 {
		t.Errorf("runs %d, want 2", runs)
	}
}

func TestPrefetchReadsAPagesRecordsTogetherAndKeepsTheUnitsOwn(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := unitDeal(t, s, "ra"), unitDeal(t, s, "rb")
		if err := s.SaveLink(ctx, change.Link{System: "salesforce", RecordID: "006A", DealID: a.ID}); err != nil {
			t.Fatal(err)
		}
		fb := s.UnitFallbacks()
		err := s.Unit(ctx, func(ctx context.Context) error {
			if err := setAmount(ctx, s, a.ID, "ra", 4200); err != nil { // the unit's own, before the prefetch
				return err
			}
			if err := s.Prefetch(ctx, "generic", []string{"ra", "rb", "nowhere", "rb"}); err != nil {
				return err
			}
			la, err := s.LinksOfRecord(ctx, "generic", "ra")
			if err != nil {
				return err
			}
			if len(la) != 2 || la[0].System != "generic" || la[0].Shadow["amount"].Value != "4200" || la[1].System != "salesforce" {
				return fmt.Errorf("links of ra %+v: want the unit's generic link and the salesforce one", la)
			}
			da, err := s.GetDeal(ctx, a.ID)
			if err != nil || da.Value != 4200 {
				return fmt.Errorf("deal a %v, %v: the unit's change must survive the prefetch", da, err)
			}
			lb, err := s.LinksOfRecord(ctx, "generic", "rb")
			if err != nil || len(lb) != 1 || lb[0].DealID != b.ID {
				return fmt.Errorf("links of rb %+v, %v", lb, err)
			}
			if db, err := s.GetDeal(ctx, b.ID); err != nil || db.Version != b.Version {
				return fmt.Errorf("deal b %v, %v", db, err)
			}
			if ln, err := s.LinksOfRecord(ctx, "generic", "nowhere"); err != nil || len(ln) != 0 {
				return fmt.Errorf("an unlinked record: %+v, %v", ln, err)
			}
			if _, err := s.Link(ctx, "generic", "nowhere"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("Link of an unlinked record: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		noFallback(t, s, fb)
		if got, _ := s.GetDeal(ctx, a.ID); got.Value != 4200 {
			t.Errorf("stored amount %d", got.Value)
		}
	})
}

// GetDeal reads with a plain query outside a transaction and through GORM
// inside one: both readings of every field are the same.
func TestReadDealMatchesGORM(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := fullDeal()
		if err := s.CreateDeal(ctx, d, at("ana", "create", "made")); err != nil {
			t.Fatal(err)
		}
		plain, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var viaGORM *deal.Deal
		if err := s.Batch(ctx, func(ctx context.Context) error {
			viaGORM, err = s.GetDeal(ctx, d.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		assertDeal(t, viaGORM, plain)
		assertDeal(t, d, plain)
		if _, err := s.GetDeal(ctx, d.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing deal: %v, want ErrNotFound", err)
		}
	})
}
