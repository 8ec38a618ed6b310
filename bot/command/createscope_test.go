package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestScopedUserCreatesOnlyDealsOnHerTeam: a user with a location scope
// sees a deal only while on its team, so creating (or recording) one
// without herself on the team is refused at once, saying what to type,
// instead of answering with a card whose actions then say "no deal #N"
// (vis #8). Admins and global users create for others as before.
func TestScopedUserCreatesOnlyDealsOnHerTeam(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`user add ana@contoso-partner.com role=referrals-user locations=1000001`)
	e.run(`user add cy@contoso-partner.com role=referrals-user locations=global`)
	e.run(`user add rad@contoso-partner.com role=referrals-admin`)
	ctx := context.Background()
	as := func(id, line string) command.Reply {
		u, err := e.svc.Resolve(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return e.svc.Run(ctx, u, here, line)
	}
	const zed = `team="Zed Z <zed@contoso-partner.com> +46 70 123 45 69"`
	newDeal := `deal new kind=ip name=N customer=C customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" `
	receive := `deal receive kind=ip customer=C customer_location=FR account=managed location=1000001 from=microsoft notes=n solution="Contoso Insight"`
	deals := func() int {
		t.Helper()
		return len(e.run("deal list all").Data["deals"].([]command.DealView))
	}

	for _, line := range []string{newDeal + zed, receive, receive + " " + zed} {
		r := as("ana@contoso-partner.com", line)
		if r.OK() || r.Err.Code != "forbidden" || r.Err.Field != "team" ||
			!strings.Contains(r.Err.Message, "add yourself to team=") || !strings.Contains(r.Err.Message, "<ana@contoso-partner.com>") {
			t.Errorf("%s\nas a scoped user off the team: %+v, want forbidden on team saying to add herself", line, r.Err)
		}
	}
	if n := deals(); n != 0 {
		t.Fatalf("refused creations stored %d deals", n)
	}
	// A malformed team= is reported as such, not as the scope rule.
	if r := as("ana@contoso-partner.com", newDeal+`team="Ana without email"`); r.OK() || r.Err.Code == "forbidden" {
		t.Errorf("a malformed team: %+v, want the team's own problem", r.Err)
	}

	// On the team (the address in any case): created, and hers to work.
	r := as("ana@contoso-partner.com", newDeal+`team="Zed Z <zed@contoso-partner.com> +46 70 123 45 69; Ana Diaz <ANA@contoso-partner.com> +33 1 23 45 67 89"`)
	if !r.OK() {
		t.Fatalf("ana on the team: %+v", r.Err)
	}
	if r := as("ana@contoso-partner.com", "deal show 1"); !r.OK() {
		t.Errorf("ana cannot see the deal she just created: %+v", r.Err)
	}
	// Admins and global users may create deals they are not on.
	for _, who := range []string{"cy@contoso-partner.com", "rad@contoso-partner.com", ""} {
		if r := as(who, newDeal+zed); !r.OK() {
			t.Errorf("%q creating a deal for others: %+v", who, r.Err)
		}
	}
	if n := deals(); n != 4 {
		t.Errorf("%d deals, want 4", n)
	}
}

// A scoped user cannot take herself off a deal's team: she would lose
// sight of it at once. Someone else may.
func TestScopedUserDoesNotRemoveHerselfFromTheTeam(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`user add ana@contoso.com role=referrals-user locations=1234567`)
	ana, err := e.svc.Resolve(context.Background(), "ana@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	e.run(`deal new kind=ip name="Shared" customer=Contoso customer_location=SE account=managed location=1234567 value=50000 close=2027-03-01 notes=x solution="Contoso Insight" team="Ana Diaz <ana@contoso.com> +46 70 123 45 67; Bob Lee <bob@contoso.com> +1 206 555 0100"`)
	r := e.at(chat.Place{Platform: "shell"}, ana, "deal team remove 1 ana@contoso.com")
	if r.OK() || !strings.Contains(r.Text, "would be hidden from them") {
		t.Fatalf("refusal: %s", r.Text)
	}
	if d, _ := e.st.GetDeal(context.Background(), 1); len(d.Team) != 2 {
		t.Errorf("the refused removal changed the team: %v", d.Team)
	}
	if r := e.at(chat.Place{Platform: "shell"}, ana, "deal team remove 1 bob@contoso.com"); !r.OK() {
		t.Errorf("removing a colleague: %s", r.Text)
	}
}
