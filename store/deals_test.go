package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// mapTimes applies f to every time of a deal, nested ones included.
func mapTimes(d *deal.Deal, f func(time.Time) time.Time) *deal.Deal {
	c := d.Clone()
	for _, p := range []*time.Time{&c.CloseDate, &c.InvitedAt, &c.DecisionDue, &c.ReceivedAt, &c.ExpiresAt, &c.CreatedAt, &c.UpdatedAt, &c.WonAt} {
		if !p.IsZero() {
			*p = f(*p)
		}
	}
	for i := range c.Partners {
		c.Partners[i].CloseDate = f(c.Partners[i].CloseDate)
		c.Partners[i].InvitedAt = f(c.Partners[i].InvitedAt)
	}
	return c
}

func TestDealRoundTrip(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		in   func() *deal.Deal
		want func(in *deal.Deal) *deal.Deal // what comes back, before ID and Version
	}{
		{"every field set", fullDeal, (*deal.Deal).Clone},
		{"received referral, most fields empty", func() *deal.Deal { return received("referral", "loc-se") }, (*deal.Deal).Clone},
		{"times in another zone come back in UTC", func() *deal.Deal {
			d := mapTimes(fullDeal(), func(t time.Time) time.Time { return t.In(cet) })
			d.CloseDate = day(2026, 9, 30) // a date is 00:00 UTC by contract
			return d
		}, func(in *deal.Deal) *deal.Deal {
			return mapTimes(in, func(t time.Time) time.Time { return t.UTC() })
		}},
		{"nanoseconds are dropped to the microsecond", func() *deal.Deal {
			d := mapTimes(fullDeal(), func(t time.Time) time.Time { return t.Add(789 * time.Nanosecond) })
			d.CloseDate = day(2026, 9, 30)
			return d
		}, func(in *deal.Deal) *deal.Deal {
			return mapTimes(in, func(t time.Time) time.Time { return t.Truncate(time.Microsecond) })
		}},
		{"a close date keeps only its day", func() *deal.Deal {
			d := outbound("close date with a time", "loc-1")
			d.CloseDate = time.Date(2026, 10, 1, 17, 45, 0, 0, time.UTC)
			return d
		}, func(in *deal.Deal) *deal.Deal {
			c := in.Clone()
			c.CloseDate = day(2026, 10, 1)
			return c
		}},
		{"empty lists come back nil", func() *deal.Deal {
			d := outbound("empty lists", "loc-1")
			d.Team, d.Solutions, d.Marked, d.Partners = []deal.Person{}, []deal.Solution{}, []deal.Stage{}, []deal.Invitation{}
			return d
		}, func(in *deal.Deal) *deal.Deal {
			c := in.Clone()
			c.Team, c.Solutions, c.Marked, c.Partners = nil, nil, nil, nil
			return c
		}},
	}
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				d := tt.in()
				if d.ExternalID != "" { // unique across the cases
					d.ExternalID = fmt.Sprintf("%s-%d", d.ExternalID, i)
				}
				if d.CRMID != "" { // one deal's (00014)
					d.CRMID = fmt.Sprintf("%s-%d", d.CRMID, i)
				}
				want := tt.want(d)
				if err := s.CreateDeal(ctx, d, at("alice@partner.example", "created", "created it")); err != nil {
					t.Fatal(err)
				}
				if d.ID == 0 || d.Version != 1 {
					t.Fatalf("CreateDeal set id %d, version %d; want an id and version 1", d.ID, d.Version)
				}
				want.ID, want.Version = d.ID, 1
				got, err := s.GetDeal(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				assertDeal(t, want, got)
				listed, err := s.ListDeals(ctx, store.DealFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range listed {
					if l.ID == d.ID {
						assertDeal(t, want, l)
					}
				}
			})
		}
	})
}

func TestUpdateDealBumpsVersionAndWritesHistory(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := outbound("staged", "loc-1")
		if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", "created staged")); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			actor string
			at    time.Time
			apply func(d *deal.Deal, now time.Time) (deal.Event, error)
		}{
			{"bob@x.example", t0.Add(time.Hour), func(d *deal.Deal, now time.Time) (deal.Event, error) {
				return d.MarkStage(deal.StageQualified, now)
			}},
			{"carol@x.example", t0.Add(2 * time.Hour), func(d *deal.Deal, now time.Time) (deal.Event, error) {
				return d.MarkStage(deal.StageProposed, now)
			}},
			{"sweep", t0.Add(3 * time.Hour), func(d *deal.Deal, now time.Time) (deal.Event, error) {
				return d.Win(now)
			}},
		}
		wantHistory := []store.Audit{at("alice@x.example", "created", "created staged")}
		for i, step := range steps {
			cur, err := s.GetDeal(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := step.apply(cur, step.at)
			if err != nil {
				t.Fatal(err)
			}
			a := store.AuditOf(step.at, step.actor, ev)
			if err := s.UpdateDeal(ctx, cur, a); err != nil {
				t.Fatal(err)
			}
			if want := int64(i + 2); cur.Version != want {
				t.Errorf("after update %d the deal's version is %d, want %d", i+1, cur.Version, want)
			}
			wantHistory = append(wantHistory, a)
			got, err := s.GetDeal(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertDeal(t, cur, got)
		}
		final, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.Status != deal.Won || final.Stage != deal.StageWon || !final.WonAt.Equal(t0.Add(3*time.Hour)) ||
			!reflect.DeepEqual(final.Marked, []deal.Stage{deal.StageQualified, deal.StageProposed}) || !final.CreatedAt.Equal(t0) {
			t.Errorf("final deal: status %s stage %s won %s marked %v created %s", final.Status, final.Stage, final.WonAt, final.Marked, final.CreatedAt)
		}
		history, err := s.History(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(history, wantHistory) {
			t.Errorf("history:\n got %+v\nwant %+v", history, wantHistory)
		}
	})
}

func TestMissingDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ghost := outbound("ghost", "loc-1")
		ghost.ID, ghost.Version = 4242, 1
		tests := []struct {
			name string
			call func() error
		}{
			{"get", func() error { _, err := s.GetDeal(ctx, 4242); return err }},
			{"history", func() error { _, err := s.History(ctx, 4242); return err }},
			{"update", func() error { return s.UpdateDeal(ctx, ghost, at("a@x.example", "edited", "")) }},
		}
		for _, tt := range tests {
			err := tt.call()
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", tt.name, err)
			} else if !strings.Contains(err.Error(), "deal 4242") {
				t.Errorf("%s: error %q does not name the deal", tt.name, err)
			}
		}
		if err := s.UpdateDeal(ctx, outbound("no id", "loc-1"), at("a@x.example", "edited", "")); err == nil {
			t.Error("UpdateDeal of a deal without id succeeded")
		}
		d := outbound("has id", "loc-1")
		d.ID = 7
		if err := s.CreateDeal(ctx, d, at("a@x.example", "created", "")); err == nil {
			t.Error("CreateDeal of a deal with an id succeeded")
		}
	})
}

func TestUpdateConflict(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := outbound("contended", "loc-1")
		if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", "")); err != nil {
			t.Fatal(err)
		}
		first, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		first.Notes = "first writer"
		if err := s.UpdateDeal(ctx, first, at("alice@x.example", "edited", "changed notes")); err != nil {
			t.Fatal(err)
		}
		second.Notes = "second writer"
		err = s.UpdateDeal(ctx, second, at("bob@x.example", "edited", "changed notes"))
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second writer: got %v, want ErrConflict", err)
		}
		want := fmt.Sprintf("deal %d was changed by someone else (version 2); reload and try again", d.ID)
		if err.Error() != want {
			t.Errorf("conflict message %q, want %q", err, want)
		}
		if second.Version != 1 {
			t.Errorf("a refused update changed the caller's version to %d", second.Version)
		}
		got, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Notes != "first writer" || got.Version != 2 {
			t.Errorf("stored notes %q version %d, want the first writer's at version 2", got.Notes, got.Version)
		}
		history, err := s.History(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 2 || history[1].Actor != "alice@x.example" {
			t.Errorf("history %+v, want created + alice's edit only", history)
		}
	})
}

// Two writers load the same deal and store their change at the same moment:
// exactly one wins, the other is told, and the winner's change is intact.
func TestConcurrentWritersOneWins(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := outbound("race", "loc-1")
		if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", "")); err != nil {
			t.Fatal(err)
		}
		writers := []string{"alice@x.example", "bob@x.example"}
		copies := make([]*deal.Deal, len(writers))
		for i := range copies {
			c, err := s.GetDeal(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.Notes = "notes by " + writers[i]
			copies[i] = c
		}
		start := make(chan struct{})
		errs := make([]error, len(writers))
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				errs[i] = s.UpdateDeal(ctx, copies[i], at(writers[i], "edited", "changed notes"))
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("both writers succeeded")
				}
				winner = i
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("writer %d: %v, want nil or ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no writer succeeded: %v", errs)
		}
		got, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertDeal(t, copies[winner], got)
		history, err := s.History(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 2 || history[1].Actor != writers[winner] {
			t.Errorf("history %+v, want created + one edit by %s", history, writers[winner])
		}
	})
}

// Many writers that retry on conflict lose nothing: every increment lands,
// and every increment has its audit event.
func TestConcurrentWritersRetry(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		const writers, increments = 8, 10
		d := outbound("counter", "loc-1")
		d.Value = 1
		if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", "")); err != nil {
			t.Fatal(err)
		}
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			conflicts int
			errs      []error
		)
		for w := range writers {
			wg.Go(func() {
				for i := range increments {
					for {
						cur, err := s.GetDeal(ctx, d.ID)
						if err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
							return
						}
						cur.Value++
						cur.UpdatedAt = t0.Add(time.Duration(w*increments+i) * time.Second)
						err = s.UpdateDeal(ctx, cur, at(fmt.Sprintf("w%d@x.example", w), "edited", fmt.Sprintf("increment %d", i)))
						if errors.Is(err, store.ErrConflict) {
							mu.Lock()
							conflicts++
							mu.Unlock()
							continue
						}
						if err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
							return
						}
						break
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := deal.Money(1 + writers*increments); got.Value != want {
			t.Errorf("value %d, want %d: increments were lost", got.Value, want)
		}
		if want := int64(1 + writers*increments); got.Version != want {
			t.Errorf("version %d, want %d", got.Version, want)
		}
		history, err := s.History(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 + writers*increments; len(history) != want {
			t.Errorf("%d history events, want %d", len(history), want)
		}
		t.Logf("%d conflicts retried", conflicts)
	})
}

func TestListDeals(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	soon := t0.Add(3 * 24 * time.Hour)
	seed := func() []*deal.Deal {
		inFR := received("in-fr", "loc-fr")
		inSE := received("in-se", "loc-se")
		inSE.ExpiresAt = t0.Add(2 * 24 * time.Hour)
		gone := received("in-se-expired", "loc-se")
		gone.Status, gone.ExpiresAt = deal.Expired, t0.Add(-24*time.Hour)
		exact := received("in-exact", "loc-se")
		exact.ExpiresAt = soon
		later := received("in-half-second-later", "loc-se")
		later.ExpiresAt = soon.Add(500 * time.Millisecond)
		outFR := outbound("out-fr", "loc-fr")
		fav := outbound("out-fr-fav", "loc-fr")
		fav.Kind, fav.Status, fav.Stage, fav.Favorite = deal.IPCoSell, deal.Accepted, deal.StageQualified, true
		won := outbound("out-us-won", "loc-us")
		won.Kind, won.Status, won.Stage, won.WonAt = deal.SolutionAssessment, deal.Won, deal.StageWon, t0
		return []*deal.Deal{inFR, inSE, gone, exact, later, outFR, fav, won}
	}
	tests := []struct {
		name   string
		filter store.DealFilter
		want   []string
	}{
		{"everything", store.DealFilter{}, []string{"in-fr", "in-se", "in-se-expired", "in-exact", "in-half-second-later", "out-fr", "out-fr-fav", "out-us-won"}},
		{"inbound", store.DealFilter{Direction: deal.Inbound}, []string{"in-fr", "in-se", "in-se-expired", "in-exact", "in-half-second-later"}},
		{"outbound", store.DealFilter{Direction: deal.Outbound}, []string{"out-fr", "out-fr-fav", "out-us-won"}},
		{"one status", store.DealFilter{Statuses: []deal.Status{deal.Accepted}}, []string{"out-fr-fav"}},
		{"closed statuses", store.DealFilter{Statuses: []deal.Status{deal.Won, deal.Lost, deal.Expired}}, []string{"in-se-expired", "out-us-won"}},
		{"one location", store.DealFilter{Locations: []string{"loc-se"}}, []string{"in-se", "in-se-expired", "in-exact", "in-half-second-later"}},
		{"two locations", store.DealFilter{Locations: []string{"loc-fr", "loc-us"}}, []string{"in-fr", "out-fr", "out-fr-fav", "out-us-won"}},
		{"kind", store.DealFilter{Kind: deal.IPCoSell}, []string{"out-fr-fav"}},
		{"stage", store.DealFilter{Stage: deal.StageQualified}, []string{"out-fr-fav"}},
		{"favorites", store.DealFilter{Favorite: true}, []string{"out-fr-fav"}},
		{"expiring before, to the sub-second", store.DealFilter{ExpiringBefore: soon.Add(250 * time.Millisecond)}, []string{"in-se", "in-se-expired", "in-exact"}},
		{"expiring before, given in another zone", store.DealFilter{ExpiringBefore: soon.Add(250 * time.Millisecond).In(cet)}, []string{"in-se", "in-se-expired", "in-exact"}},
		{"expiring before is strict", store.DealFilter{ExpiringBefore: soon}, []string{"in-se", "in-se-expired"}},
		{"expiring and still waiting", store.DealFilter{Statuses: []deal.Status{deal.Received}, ExpiringBefore: soon.Add(time.Second)}, []string{"in-se", "in-exact", "in-half-second-later"}},
		{"direction and location", store.DealFilter{Direction: deal.Outbound, Locations: []string{"loc-fr"}}, []string{"out-fr", "out-fr-fav"}},
		{"limit", store.DealFilter{Limit: 2}, []string{"in-fr", "in-se"}},
		{"limit with a filter", store.DealFilter{Direction: deal.Outbound, Limit: 1}, []string{"out-fr"}},
		{"nothing matches", store.DealFilter{Kind: deal.P2P}, nil},
	}
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		for _, d := range seed() {
			if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", d.Name)); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.ListDeals(t.Context(), tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for i, d := range got {
					names = append(names, d.Name)
					if i > 0 && got[i-1].ID >= d.ID {
						t.Errorf("not ordered by id: %d before %d", got[i-1].ID, d.ID)
					}
				}
				if !reflect.DeepEqual(names, tt.want) {
					t.Errorf("got %q, want %q", names, tt.want)
				}
			})
		}
	})
}

func TestExternalIDUnique(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		// Deals without an external id do not collide.
		var ids []int64
		for _, name := range []string{"a", "b"} {
			d := outbound(name, "loc-1")
			if err := s.CreateDeal(ctx, d, at("x@x.example", "created", "")); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		first := received("first", "loc-1")
		first.ExternalID = "pc-123"
		if err := s.CreateDeal(ctx, first, at("partnercenter", "received", "")); err != nil {
			t.Fatal(err)
		}
		dup := received("dup", "loc-1")
		dup.ExternalID = "pc-123"
		if err := s.CreateDeal(ctx, dup, at("partnercenter", "received", "")); !errors.Is(err, store.ErrExists) {
			t.Errorf("second deal with external id pc-123: got %v, want ErrExists", err)
		}
		other, err := s.GetDeal(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		other.ExternalID = "pc-123"
		if err := s.UpdateDeal(ctx, other, at("x@x.example", "edited", "")); !errors.Is(err, store.ErrExists) {
			t.Errorf("update to a taken external id: got %v, want ErrExists", err)
		}
		all, err := s.ListDeals(ctx, store.DealFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 {
			t.Errorf("%d deals stored, want 3", len(all))
		}
	})
}

// A change whose audit event the database refuses leaves nothing behind: the
// deal row and the event are one transaction.
func TestFailedChangeLeavesNothing(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		badAudits := []struct {
			name string
			a    store.Audit
		}{
			{"no actor (refused by the database)", store.Audit{At: t0, Action: "created"}},
			{"no action (refused by the database)", store.Audit{At: t0, Actor: "alice@x.example"}},
			{"no time", store.Audit{Actor: "alice@x.example", Action: "created"}},
		}
		for _, bad := range badAudits {
			d := outbound("doomed", "loc-1")
			if err := s.CreateDeal(ctx, d, bad.a); err == nil {
				t.Errorf("create with %s: succeeded", bad.name)
			}
			if d.ID != 0 || d.Version != 0 {
				t.Errorf("create with %s: the deal got id %d version %d", bad.name, d.ID, d.Version)
			}
		}
		all, err := s.ListDeals(ctx, store.DealFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 0 {
			t.Fatalf("failed creates left %d deals behind", len(all))
		}
		for id := int64(1); id <= int64(len(badAudits)); id++ {
			if events, err := store.EventsOf(ctx, s, "deal", fmt.Sprint(id)); err != nil || len(events) != 0 {
				t.Errorf("deal %d: %d audit events left behind (%v)", id, len(events), err)
			}
		}

		d := outbound("kept", "loc-1")
		if err := s.CreateDeal(ctx, d, at("alice@x.example", "created", "")); err != nil {
			t.Fatal(err)
		}
		before, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range badAudits {
			cur, err := s.GetDeal(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			cur.Notes, cur.UpdatedAt = "must not stick", t0.Add(time.Hour)
			if err := s.UpdateDeal(ctx, cur, bad.a); err == nil {
				t.Errorf("update with %s: succeeded", bad.name)
			}
			if cur.Version != before.Version {
				t.Errorf("update with %s: the caller's version moved to %d", bad.name, cur.Version)
			}
		}
		after, err := s.GetDeal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertDeal(t, before, after)
		if history, err := s.History(ctx, d.ID); err != nil || len(history) != 1 {
			t.Errorf("history after failed updates: %+v, %v; want the creation only", history, err)
		}
	})
}
