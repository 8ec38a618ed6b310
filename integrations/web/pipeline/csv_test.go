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
