package command_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// csvRecord reads a CSV of one header and one row into column → cell.
func csvRecord(t *testing.T, content string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(content)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV: %v, %d rows\n%s", err, len(rows), content)
	}
	rec := map[string]string{}
	for i, h := range rows[0] {
		rec[h] = rows[1][i]
	}
	return rec
}

// A text cell that a spreadsheet would run as a formula is written with a
// leading ', whichever column it is in; what cosellbot writes in a fixed
// format (numbers, yes/no, moments) and text that starts otherwise are
// left exactly as they are.
func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	tests := []struct {
		name, column string
		view         command.DealView
		want         string
	}{
		{"equals", "name", command.DealView{Name: `=HYPERLINK("http://evil.example/x","Click") x`}, `'=HYPERLINK("http://evil.example/x","Click") x`},
		{"plus (DDE)", "notes", command.DealView{Notes: "+cmd|' /C calc'!A0"}, "'+cmd|' /C calc'!A0"},
		{"minus", "notes", command.DealView{Notes: "-2+3+cmd|' /C calc'!A0"}, "'-2+3+cmd|' /C calc'!A0"},
		{"at", "crm_id", command.DealView{CRMID: "@SUM(1+1)*cmd|calc"}, "'@SUM(1+1)*cmd|calc"},
		{"tab", "campaign_id", command.DealView{CampaignID: "\t=1+1"}, "'\t=1+1"},
		{"carriage return", "notes", command.DealView{Notes: "\r=1+1"}, "'\r=1+1"},
		{"full-width equals", "notes", command.DealView{Notes: "＝1+1"}, "'＝1+1"},
		{"nested column", "customer.name", command.DealView{Customer: deal.Customer{Name: "=1+1"}}, "'=1+1"},
		{"phone-first team cell", "team", command.DealView{Team: []deal.Person{{Name: "+46 70 123 45 67", Email: "ana@contoso.com", Phone: "+46 70 123 45 67"}}},
			"'+46 70 123 45 67 <ana@contoso.com> +46 70 123 45 67"},
		{"solutions", "solutions", command.DealView{Solutions: []deal.Solution{{Name: "@evil"}}}, "'@evil"},
		{"a formula later in the cell is text already", "notes", command.DealView{Notes: "call =1+1 later"}, "call =1+1 later"},
		{"a phone inside a team cell is not at its start", "team", command.DealView{Team: []deal.Person{{Name: "Ana Diaz", Email: "ana@contoso.com", Phone: "+46 70 123 45 67"}}},
			"Ana Diaz <ana@contoso.com> +46 70 123 45 67"},
		{"a negative number stays a number", "value", command.DealView{Value: ptr(-1500.5)}, "-1500.5"},
		{"a date is left alone", "close_date", command.DealView{CloseDate: "2027-03-01"}, "2027-03-01"},
		{"an empty cell stays empty", "crm_id", command.DealView{}, ""},
		{"a value nobody gave is empty, not 0", "value", command.View(&deal.Deal{Status: deal.Received, Currency: "USD"}), ""},
		{"and so is its currency", "currency", command.View(&deal.Deal{Status: deal.Received, Currency: "USD"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := command.WriteCSV(&buf, []command.DealView{tt.view}); err != nil {
				t.Fatal(err)
			}
			if got := csvRecord(t, buf.String())[tt.column]; got != tt.want {
				t.Errorf("column %s = %q, want %q", tt.column, got, tt.want)
			}
		})
	}
}

// Every CSV cosellbot makes goes through WriteCSV: the chat's deal list
// format=csv and cosellbot export both neutralise a planted formula.
func TestCSVOutputsNeutraliseFormulas(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name="=HYPERLINK(\"http://evil.example/x\",\"Click\")" customer="@Contoso" customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes="+cmd|' /C calc'!A0" solution="Contoso Insight" crm_id="-2+3" ` + team)
	want := map[string]string{
		"name": `'=HYPERLINK("http://evil.example/x","Click")`, "customer.name": "'@Contoso",
		"notes": "'+cmd|' /C calc'!A0", "crm_id": "'-2+3", "value": "50000", "id": "1",
	}
	check := func(what, content string) {
		rec := csvRecord(t, content)
		for col, w := range want {
			if rec[col] != w {
				t.Errorf("%s: column %s = %q, want %q", what, col, rec[col], w)
			}
		}
	}
	r := e.run("deal list format=csv")
	f, ok := r.Data["file"].(command.File)
	if !ok {
		t.Fatalf("no CSV file in %+v", r.Data)
	}
	check("deal list format=csv", f.Content)
	var buf bytes.Buffer
	if _, err := e.svc.Export(context.Background(), access.LocalAdmin, "deals", "csv", &buf); err != nil {
		t.Fatal(err)
	}
	check("cosellbot export deals", buf.String())
}

// ptr is a pointer to v, for optional view fields.
func ptr[T any](v T) *T { return &v }
