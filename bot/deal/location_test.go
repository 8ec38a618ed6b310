package deal

import (
	"errors"
	"strings"
	"testing"
)

// A deal's location is the partner location ID Partner Center issues (the
// Partner ID, formerly MPN ID, of one of the partner's locations: a number,
// "1234567" on a referral's mpnId), not the customer's country nor an
// address. A tester's location=FR, location=Paris-office and location=abc
// made deals Partner Center would not take. Refused when a deal is made or
// recorded, naming what was typed and what to type; deals stored before
// still change, and one imported from Partner Center keeps what Partner
// Center says.
func TestLocationIsAPartnerLocationID(t *testing.T) {
	tests := []struct {
		location string
		says     []string // in the refusal; none: taken
	}{
		{"1234567", nil},
		{"12345", nil},
		{"1234567890", nil},
		{" 1234567 ", []string{`" 1234567 "`, "location=1234567"}},
		{"FR", []string{"FR looks like a country", "customer_location=FR", "Account settings > Identifiers", "like 1234567"}},
		{"se", []string{"se looks like a country", "customer_location=SE"}},
		{"Paris-office", []string{`"Paris-office" is not a partner location ID`, "the number Partner Center shows", "like 1234567", "not a name or an address"}},
		{"LOC1", []string{`"LOC1" is not a partner location ID`}},
		{"12", []string{`"12" is not a partner location ID`, "5 to 10 digits"}},
		{"12345678901", []string{"5 to 10 digits"}},
	}
	for _, tc := range tests {
		for _, path := range []struct {
			name string
			make func(Draft) (*Deal, Event, error)
			base func() Draft
		}{
			{"deal new", func(dr Draft) (*Deal, Event, error) { return New(dr, t0) }, validIP},
			{"deal receive", func(dr Draft) (*Deal, Event, error) { return Receive(dr, t0) }, referral},
		} {
			dr := path.base()
			dr.Location = tc.location
			d, _, err := path.make(dr)
			if tc.says == nil {
				if err != nil {
					t.Errorf("%s location=%q: %v", path.name, tc.location, err)
				}
				continue
			}
			var p Problems
			if d != nil || !errors.As(err, &p) || len(p) != 1 || p[0].Field != "location" || p[0].Rule != "location_partner_id" {
				t.Errorf("%s location=%q: %v, want one location_partner_id problem", path.name, tc.location, err)
				continue
			}
			for _, s := range tc.says {
				if !strings.Contains(p[0].Message, s) {
					t.Errorf("%s location=%q: %q does not say %q", path.name, tc.location, p[0].Message, s)
				}
			}
		}
	}
	// Partner Center's own referral is recorded as Partner Center holds it.
	dr := referral()
	dr.Location = "LOC1"
	if _, _, err := Import(dr, false, t0); err != nil {
		t.Errorf("a referral imported from Partner Center with mpnId LOC1: %v", err)
	}
	// A deal stored with another location before still changes.
	d := mustNew(t, validIP())
	d.Location = "contoso-fr-01"
	if _, err := d.Edit(Changes{Notes: ptr("later")}, t0); err != nil {
		t.Errorf("editing a deal stored with location contoso-fr-01: %v", err)
	}
}
