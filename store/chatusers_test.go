package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestChatIdentities(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		for _, id := range []string{"ana@partner.example", "bo@partner.example"} {
			if err := s.PutUser(ctx, access.User{ID: id, Roles: []access.Role{access.ReferralsUser}, Global: true}, at("admin@partner.example", "user added", id)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.ChatUser(ctx, "slack", "U1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unlinked account: err %v, want ErrNotFound", err)
		}
		if err := s.LinkChatUser(ctx, "slack", "U1", "Ana@Partner.Example", at("admin@partner.example", "linked", "slack U1")); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			platform, account, want string
			wantErr                 error
		}{
			{"slack", "U1", "ana@partner.example", nil},
			{"discord", "U1", "", store.ErrNotFound}, // accounts are per platform
			{"slack", "U2", "", store.ErrNotFound},
		}
		for _, tt := range tests {
			got, err := s.ChatUser(ctx, tt.platform, tt.account)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("ChatUser(%s, %s) = %q, %v; want %q, %v", tt.platform, tt.account, got, err, tt.want, tt.wantErr)
			}
		}

		// Relinking moves the account; an unknown user or a blank key is
		// refused and changes nothing.
		if err := s.LinkChatUser(ctx, "slack", "U1", "bo@partner.example", at("admin@partner.example", "linked", "slack U1")); err != nil {
			t.Fatal(err)
		}
		if err := s.LinkChatUser(ctx, "slack", "U1", "nobody@partner.example", at("admin@partner.example", "linked", "slack U1")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("link to an unknown user: err %v, want ErrNotFound", err)
		}
		for _, bad := range [][3]string{{"", "U1", "bo@partner.example"}, {"slack", " ", "bo@partner.example"}, {"slack", "U1", ""}} {
			if err := s.LinkChatUser(ctx, bad[0], bad[1], bad[2], at("admin@partner.example", "linked", "")); err == nil {
				t.Errorf("LinkChatUser%q accepted", bad)
			}
		}
		if got, _ := s.ChatUser(ctx, "slack", "U1"); got != "bo@partner.example" {
			t.Errorf("after relink and refused links: U1 is %q, want bo@partner.example", got)
		}
		events, err := store.EventsOf(ctx, s, "user", "bo@partner.example")
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[1].Action != "linked" {
			t.Errorf("audit of bo: %+v, want user added then linked", events)
		}

		// Removing the user removes the link.
		if err := s.RemoveUser(ctx, "bo@partner.example", at("admin@partner.example", "user removed", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChatUser(ctx, "slack", "U1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("link of a removed user: err %v, want ErrNotFound", err)
		}
	})
}

func TestChatEvents(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		steps := []struct {
			platform, id string
			at           time.Time
			first        bool
		}{
			{"slack", "Ev1", t0, true},
			{"slack", "Ev1", t0.Add(time.Minute), false}, // Slack's retry
			{"discord", "Ev1", t0, true},                 // another platform's id space
			{"slack", "Ev2", t0.Add(2 * time.Hour), true},
		}
		for i, st := range steps {
			first, err := s.FirstChatEvent(ctx, st.platform, st.id, st.at)
			if err != nil {
				t.Fatal(err)
			}
			if first != st.first {
				t.Errorf("step %d: FirstChatEvent(%s, %s) = %v, want %v", i, st.platform, st.id, first, st.first)
			}
		}
		if _, err := s.FirstChatEvent(ctx, "slack", "", t0); err == nil {
			t.Error("an empty event id was accepted")
		}
		n, err := s.ForgetChatEvents(ctx, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("forgot %d events, want 2", n)
		}
		if first, _ := s.FirstChatEvent(ctx, "slack", "Ev2", t0.Add(3*time.Hour)); first {
			t.Error("Ev2 was forgotten too early")
		}
	})
}

func TestChatActions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		if _, err := s.ChatAction(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown action: err %v, want ErrNotFound", err)
		}
		for range 2 { // keeping the same action twice is a no-op
			if err := s.PutChatAction(ctx, "h1", `deal decline 7 reason="long"`, t0); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.ChatAction(ctx, "h1"); err != nil || got != `deal decline 7 reason="long"` {
			t.Errorf("ChatAction(h1) = %q, %v", got, err)
		}
		if err := s.PutChatAction(ctx, "h2", " ", t0); err == nil {
			t.Error("an empty command was kept")
		}
		if _, err := s.ChatAction(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused action was kept: %v", err)
		}
	})
}
