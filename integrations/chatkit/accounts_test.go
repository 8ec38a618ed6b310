package chatkit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// users resolves the IDs it holds and denies the rest, as the command
// service does for a user nobody added.
type users map[string]access.User

func (u users) Resolve(_ context.Context, id string) (access.User, error) {
	if id == "down@contoso.com" {
		return access.User{}, errDown
	}
	if v, ok := u[id]; ok {
		return v, nil
	}
	return access.User{}, access.Deny("no user %s", id)
}

var errDown = errors.New("database did not answer")

// A chat account acts as the user it is linked to, never as the shell's
// local admin, and an account no user has is refused with the platform's
// own words; a failed lookup is not taken for an unlinked account.
func TestLinkedUser(t *testing.T) {
	ana := access.User{ID: "ana@contoso.com"}
	dir := users{ana.ID: ana, access.LocalAdmin.ID: access.LocalAdmin}
	unlinked := access.Deny("your account is not a cosellbot user yet")
	for _, tc := range []struct {
		name, id string
		want     access.User
		err      error
	}{
		{"linked", "ana@contoso.com", ana, nil},
		{"linked, spaced", "  ana@contoso.com ", ana, nil},
		{"no link", "", access.User{}, unlinked},
		{"no such user", "bo@contoso.com", access.User{}, unlinked},
		{"the local admin", access.LocalAdmin.ID, access.User{}, unlinked},
		{"the local admin, other case", " Admin@LocalHost ", access.User{}, unlinked},
		{"lookup failed", "down@contoso.com", access.User{}, errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chatkit.LinkedUser(t.Context(), dir, tc.id, unlinked)
			if got.ID != tc.want.ID || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("LinkedUser(%q) = %q, %v; want %q, %v", tc.id, got.ID, err, tc.want.ID, tc.err)
			}
		})
	}
}
