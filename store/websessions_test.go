package store_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestWebLinksAndSessions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		// A link opens a session only for a user (see TestWebAccessEndsWithTheUser).
		for _, id := range []string{"ana@partner.example", "bo@partner.example"} {
			if err := s.PutUser(ctx, access.User{ID: id, Roles: []access.Role{access.ReferralsUser}, Global: true}, at("admin@partner.example", "granted", id)); err != nil {
				t.Fatal(err)
			}
		}
		at := func(d time.Duration) store.Audit {
			return store.Audit{At: now.Add(d), Actor: "ana@partner.example", Action: "web", Detail: "test"}
		}

		k1, err := s.WebKey(ctx, "signin", now)
		if err != nil || len(k1) != 32 {
			t.Fatalf("key: %x %v", k1, err)
		}
		if k2, err := s.WebKey(ctx, "signin", now.Add(time.Hour)); err != nil || !bytes.Equal(k1, k2) {
			t.Fatalf("a second call made another key: %x %v", k2, err)
		}

		if err := s.CreateWebLink(ctx, "link1", "ana@partner.example", now.Add(10*time.Minute), at(0)); err != nil {
			t.Fatal(err)
		}
		if u, err := s.WebLinkUser(ctx, "link1", now); err != nil || u != "ana@partner.example" {
			t.Fatalf("link user: %q %v", u, err)
		}
		if _, err := s.WebLinkUser(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown link: %v", err)
		}

		// Two uses race: exactly one opens a session.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = s.UseWebLink(ctx, "link1", "sess"+string(rune('a'+i)), now.Add(12*time.Hour), at(time.Minute))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrLinkUsed) || !errors.Is(err, store.ErrConflict):
				t.Errorf("a losing use: %v, want ErrLinkUsed", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d uses of one link succeeded, want 1 (%v)", ok, errs)
		}
		if _, err := s.WebLinkUser(ctx, "link1", now); !errors.Is(err, store.ErrLinkUsed) {
			t.Errorf("a used link: %v", err)
		}

		// Expired, unused.
		if err := s.CreateWebLink(ctx, "link2", "ana@partner.example", now.Add(10*time.Minute), at(0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseWebLink(ctx, "link2", "sessx", now.Add(22*time.Hour), at(10*time.Minute)); !errors.Is(err, store.ErrLinkExpired) {
			t.Errorf("an expired link: %v", err)
		}
		if _, _, err := s.WebSession(ctx, "sessx", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused link opened a session: %v", err)
		}

		// The session that won lives 12 hours, then ends; or ends on sign-out.
		var sess string
		for i, err := range errs {
			if err == nil {
				sess = "sess" + string(rune('a'+i))
			}
		}
		u, until, err := s.WebSession(ctx, sess, now.Add(11*time.Hour))
		if err != nil || u != "ana@partner.example" || !until.Equal(now.Add(12*time.Hour)) {
			t.Fatalf("session: %q %s %v", u, until, err)
		}
		if _, _, err := s.WebSession(ctx, sess, now.Add(12*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a session past its time: %v", err)
		}
		if err := s.EndWebSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.WebSession(ctx, sess, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an ended session: %v", err)
		}
		// Old links and sessions are swept when new links are made.
		if err := s.CreateWebLink(ctx, "link3", "bo@partner.example", now.Add(48*time.Hour), at(47*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.WebLinkUser(ctx, "link2", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an old link survived: %v", err)
		}
		// Every link made and used is in the user's history.
		hist, err := s.UserHistory(ctx, "ana@partner.example")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 4 { // granted, two links made, one used
			t.Errorf("ana's history: %v", hist)
		}
	})
}

// TestWebAccessEndsWithTheUser: a removed user keeps no way into the
// pipeline page. Removal ends every session of theirs, also one opened from
// a link made before; a link spent after the removal is refused and opens
// none; and adding the address again brings back neither (vis #6, #10).
func TestWebAccessEndsWithTheUser(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		gus := access.User{ID: "gus@partner.example", Roles: []access.Role{access.ReferralsUser}, Global: true}
		by := func(action string, d time.Duration) store.Audit {
			return store.Audit{At: now.Add(d), Actor: "admin@partner.example", Action: action, Detail: "test"}
		}
		if err := s.PutUser(ctx, gus, by("granted", 0)); err != nil {
			t.Fatal(err)
		}
		for _, l := range []string{"l1", "l2", "l3"} {
			if err := s.CreateWebLink(ctx, l, gus.ID, now.Add(10*time.Minute), by("web-link", 0)); err != nil {
				t.Fatal(err)
			}
		}
		for _, l := range []string{"l1", "l2"} {
			if _, err := s.UseWebLink(ctx, l, "sess-"+l, now.Add(12*time.Hour), by("signed-in", time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RemoveUser(ctx, gus.ID, by("removed", 2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		for _, sess := range []string{"sess-l1", "sess-l2"} {
			if u, _, err := s.WebSession(ctx, sess, now.Add(3*time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("session %s outlived user remove: %q %v", sess, u, err)
			}
		}
		// The link made before the removal: still whose it is, refused, no session.
		if u, err := s.WebLinkUser(ctx, "l3", now.Add(3*time.Minute)); err != nil || u != gus.ID {
			t.Errorf("link of a removed user: %q %v, want its user told", u, err)
		}
		u, err := s.UseWebLink(ctx, "l3", "sess-l3", now.Add(12*time.Hour), by("signed-in", 3*time.Minute))
		if !errors.Is(err, store.ErrLinkNoUser) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("spending a removed user's link: %q %v, want ErrLinkNoUser", u, err)
		}
		if _, _, err := s.WebSession(ctx, "sess-l3", now.Add(4*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused link opened a session: %v", err)
		}
		// Added again: the old link opens nothing, and no session is back.
		if err := s.PutUser(ctx, gus, by("granted", 5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseWebLink(ctx, "l3", "sess-l3b", now.Add(12*time.Hour), by("signed-in", 6*time.Minute)); err == nil {
			t.Error("a link made before the removal opened a session after the user was added again")
		}
		for _, sess := range []string{"sess-l1", "sess-l2", "sess-l3", "sess-l3b"} {
			if _, _, err := s.WebSession(ctx, sess, now.Add(7*time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("session %s is back after adding the user again: %v", sess, err)
			}
		}
		// A fresh link works, and a change of roles keeps the session.
		if err := s.CreateWebLink(ctx, "l4", gus.ID, now.Add(20*time.Minute), by("web-link", 8*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseWebLink(ctx, "l4", "sess-l4", now.Add(12*time.Hour), by("signed-in", 9*time.Minute)); err != nil {
			t.Fatalf("a link made after adding the user again: %v", err)
		}
		gus.Global, gus.Locations = false, []string{"1111111"}
		if err := s.PutUser(ctx, gus, by("granted", 10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.WebSession(ctx, "sess-l4", now.Add(11*time.Minute)); err != nil {
			t.Errorf("a change of scope ended the session: %v", err)
		}
		// The local admin of the shell is no row, and signs in.
		if err := s.CreateWebLink(ctx, "l5", access.LocalAdmin.ID, now.Add(20*time.Minute), by("web-link", 8*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseWebLink(ctx, "l5", "sess-l5", now.Add(12*time.Hour), by("signed-in", 9*time.Minute)); err != nil {
			t.Errorf("the local admin's link: %v", err)
		}
	})
}

func TestPipelineVersionMovesWithEveryChange(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		v0, err := s.PipelineVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		d := &deal.Deal{Name: "A", Kind: deal.IPCoSell, Direction: deal.Inbound, SaleType: deal.CoSell, Status: deal.Received,
			Location: "1", Currency: "USD", Customer: deal.Customer{Name: "C"}, CreatedAt: now, UpdatedAt: now, ReceivedAt: now, ExpiresAt: now.Add(deal.ReferralWindow)}
		if err := s.CreateDeal(ctx, d, store.Audit{At: now, Actor: "t", Action: "received", Detail: "x"}); err != nil {
			t.Fatal(err)
		}
		v1, _ := s.PipelineVersion(ctx)
		if v1 == v0 {
			t.Fatal("creating a deal did not move the version")
		}
		d.Status = deal.Accepted
		if err := s.UpdateDeal(ctx, d, store.Audit{At: now.Add(time.Hour), Actor: "t", Action: "accepted", Detail: "x"}); err != nil {
			t.Fatal(err)
		}
		v2, _ := s.PipelineVersion(ctx)
		if v2 == v1 {
			t.Fatal("changing a deal did not move the version")
		}
		if v3, _ := s.PipelineVersion(ctx); v3 != v2 {
			t.Fatalf("the version moved with no change: %s, %s", v2, v3)
		}
		out, err := s.DealOutcomes(ctx, now.Add(-time.Hour))
		if err != nil || len(out[d.ID]) != 1 || out[d.ID][0].Action != "accepted" {
			t.Fatalf("outcomes: %v %v", out, err)
		}
		if out, _ := s.DealOutcomes(ctx, now.Add(2*time.Hour)); len(out) != 0 {
			t.Fatalf("outcomes after the window start: %v", out)
		}
		links, err := s.DealLinks(ctx, d.ID)
		if err != nil || len(links) != 0 {
			t.Fatalf("links: %v %v", links, err)
		}
		if err := s.SaveLink(ctx, change.Link{System: "partnercenter", RecordID: "ref-1", DealID: d.ID}); err != nil {
			t.Fatal(err)
		}
		if links, err := s.DealLinks(ctx, d.ID); err != nil || links["partnercenter"] != "ref-1" || len(links) != 1 {
			t.Fatalf("links after linking: %v %v", links, err)
		}
	})
}
