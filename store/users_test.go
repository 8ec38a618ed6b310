package store_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		puts := []access.User{
			{ID: "Zoe@Partner.Example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"loc-fr", "loc-se"}},
			{ID: "admin@partner.example", Roles: []access.Role{access.ReferralsAdmin, access.IncentivesAdmin}, Global: true},
			{ID: "ivan@partner.example", Roles: []access.Role{access.IncentivesUser}},
		}
		for _, u := range puts {
			if err := s.PutUser(ctx, u, at("admin@partner.example", "user added", u.ID)); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name, id string
			want     access.User
			wantErr  error
		}{
			{"stored in lower case", "zoe@partner.example", access.User{ID: "zoe@partner.example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"loc-fr", "loc-se"}}, nil},
			{"looked up case-insensitively", "ZOE@partner.EXAMPLE", access.User{ID: "zoe@partner.example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"loc-fr", "loc-se"}}, nil},
			{"global admin", "admin@partner.example", puts[1], nil},
			{"no locations", "ivan@partner.example", puts[2], nil},
			{"unknown", "nobody@partner.example", access.User{}, store.ErrNotFound},
		}
		for _, tt := range tests {
			got, err := s.User(ctx, tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: User(%q) error %v, want %v", tt.name, tt.id, err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: User(%q) = %+v, want %+v", tt.name, tt.id, got, tt.want)
			}
		}

		// Put replaces.
		replaced := access.User{ID: "zoe@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
		if err := s.PutUser(ctx, replaced, at("admin@partner.example", "user changed", "now admin")); err != nil {
			t.Fatal(err)
		}
		all, err := s.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantAll := []access.User{puts[1], puts[2], replaced}
		if !reflect.DeepEqual(all, wantAll) {
			t.Errorf("Users:\n got %+v\nwant %+v", all, wantAll)
		}

		if err := s.RemoveUser(ctx, "IVAN@partner.example", at("admin@partner.example", "user removed", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.User(ctx, "ivan@partner.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removed user: got %v, want ErrNotFound", err)
		}
		if err := s.RemoveUser(ctx, "ivan@partner.example", at("admin@partner.example", "user removed", "")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removing twice: got %v, want ErrNotFound", err)
		}
		if err := s.PutUser(ctx, access.User{ID: " "}, at("admin@partner.example", "user added", "")); err == nil {
			t.Error("PutUser with an empty id succeeded")
		}

		events, err := store.EventsOf(ctx, s, "user", "zoe@partner.example")
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Action != "user added" || events[1].Action != "user changed" {
			t.Errorf("zoe's audit: %+v", events)
		}
		events, err = store.EventsOf(ctx, s, "user", "ivan@partner.example")
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[1].Action != "user removed" {
			t.Errorf("ivan's audit: %+v, want added + one removal (the failed second removal leaves none)", events)
		}
	})
}
