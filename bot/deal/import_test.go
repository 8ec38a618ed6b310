package deal

import (
	"errors"
	"testing"
	"time"
)

// A deal imported from Partner Center without what Partner Center does not
// carry (a services deal's role, area and play; a past close date) is kept,
// and can still be edited; an edit that breaks another rule is refused.
func TestImportedDealKeepsRulesItWasExemptFrom(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	dr := Draft{
		Kind: ServicesCoSell, Name: "Imported", Location: "1234567", Value: 1000_00, Currency: "EUR",
		CloseDate: now.AddDate(0, 0, -3), Notes: "from Partner Center",
		Customer: Customer{Name: "Fabrikam", Location: "SE", Account: Other},
	}
	if _, _, err := New(dr, now); err == nil {
		t.Fatal("New took a services deal without role, area, play or team")
	}
	d, _, err := Import(dr, true, now)
	if err != nil {
		t.Fatalf("Import = %v", err)
	}
	v := Money(2000_00)
	if _, err := d.Edit(Changes{Value: &v}, now); err != nil {
		t.Errorf("editing the value of an imported deal: %v", err)
	}
	bad := "EURO"
	_, err = d.Edit(Changes{Currency: &bad}, now)
	var p Problems
	if !errors.As(err, &p) || p[0].Rule != "currency_code" {
		t.Errorf("an edit breaking a rule: %v, want currency_code refused", err)
	}
	if _, _, err := Import(Draft{Kind: ServicesCoSell, Name: "x"}, true, now); err == nil {
		t.Error("Import took a deal without a location or customer")
	}
}
