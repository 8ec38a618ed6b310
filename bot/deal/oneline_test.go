package deal

import (
	"testing"
	"time"
)

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"Fabrikam BI":                  "Fabrikam BI",
		"  Fabrikam BI ":               "Fabrikam BI",
		"Fabrikam\nStatus: Won":        "Fabrikam Status: Won",
		"a\r\n\r\nb\tc\u2028d\x1b[2Je": "a b c d [2Je",
		"Großhandel  AB":               "Großhandel  AB", // spaces a person typed stay
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// A name with a line break cannot print lines of its own on a card: it is
// stored on one line, on creation and on edit; notes keep their lines.
func TestNamesAreOneLine(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	d, _, err := Receive(Draft{Kind: IPCoSell, Customer: Customer{Name: "Evil\nStatus: Won", Location: "SE", Account: Managed}, Location: "1234567", From: "microsoft", Notes: "a\nb"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Customer.Name != "Evil Status: Won" || d.Notes != "a\nb" {
		t.Errorf("customer %q, notes %q", d.Customer.Name, d.Notes)
	}
	name := "Deal\nStage: Won"
	d.apply(Changes{Name: &name})
	if d.Name != "Deal Stage: Won" {
		t.Errorf("name %q", d.Name)
	}
}
