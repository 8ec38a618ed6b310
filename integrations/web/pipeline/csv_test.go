package pipeline_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The deals a person may see download as a CSV file from the page, the
// file `deal list format=csv` links to; without a session there is none.
func TestDealsCSV(t *testing.T) {
	e := newEnv(t)
	hers := e.seed(t)
	c := client(t)
	if code, _, h := get(t, c, e.url+"/deals.csv"); code != http.StatusSeeOther || h.Get("Location") != "/signin" {
		t.Fatalf("without a session: %d %s", code, h.Get("Location"))
	}
	e.signIn(t, c, "ana@contoso.com")
	code, body, h := get(t, c, e.url+"/deals.csv?status=all")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", code, h)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 1 {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	col := slices.Index(rows[0], "id")
	if col < 0 {
		t.Fatalf("no id column in %v", rows[0])
	}
	var got []int64
	for _, r := range rows[1:] {
		id, _ := strconv.ParseInt(r[col], 10, 64)
		got = append(got, id)
	}
	var want []int64
	for id := range hers {
		want = append(want, id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ana's file holds deals %v, want exactly hers %v", got, want)
	}
	// The chat's CSV answer links to the file.
	r := e.run(t, "ana@contoso.com", "deal list closed format=csv")
	if !r.OK() || !strings.Contains(r.Text, e.url+"/deals.csv?status=closed") {
		t.Errorf("chat CSV answer: %s", r.Text)
	}
}

// The page's download is a spreadsheet's input too: a deal name, customer
// or note planted as a formula arrives as text (a leading '), the numbers
// as numbers.
func TestDealsCSVNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	e.run(t, "", `solution add name="Contoso Insight" source=mine ip=azure`)
	e.run(t, "", `user add ana@contoso.com role=referrals-user locations=1111111`)
	e.run(t, "", `deal new kind=ip name="=HYPERLINK(\"http://evil.example/x\",\"Click\")" customer="@Contoso" customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes="+cmd|' /C calc'!A0" team="`+ana+`" solution="Contoso Insight" crm_id="-2+3"`)
	c := client(t)
	e.signIn(t, c, "ana@contoso.com")
	code, body, _ := get(t, c, e.url+"/deals.csv?status=all")
	if code != http.StatusOK {
		t.Fatalf("download: %d\n%s", code, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV: %v, %d rows\n%s", err, len(rows), body)
	}
	for col, want := range map[string]string{
		"name": `'=HYPERLINK("http://evil.example/x","Click")`, "customer.name": "'@Contoso",
		"notes": "'+cmd|' /C calc'!A0", "crm_id": "'-2+3", "value": "50000",
	} {
		i := slices.Index(rows[0], col)
		if i < 0 {
			t.Fatalf("no %s column in %v", col, rows[0])
		}
		if rows[1][i] != want {
			t.Errorf("column %s = %q, want %q", col, rows[1][i], want)
		}
	}
}
