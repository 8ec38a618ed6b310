package command_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestListPagesSearchesSortsAndTotals drives deal list the way a manager
// uses it over a pipeline longer than one page.
func TestListPagesSearchesSortsAndTotals(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	customers := []string{"Contoso SA", "Fabrikam AB", "Northwind Traders"}
	for i := 1; i <= 45; i++ {
		e.clk.t = start.Add(time.Duration(i) * time.Minute)
		e.run(fmt.Sprintf(`deal new kind=ip name="Deal %02d" customer=%q customer_location=FR location=1000001 value="%d,000 EUR" close=+%dd notes=n solution="Contoso Insight" crm_id=OPP-%d %s`,
			i, customers[i%3], i, 100-i, i, team))
	}
	e.run(`deal stage 45 "Qualified"`)
	e.run(`deal stage 44 Developed`)

	r := e.run("deal list")
	if !strings.Contains(r.Text, "45 open deals · page 1 of 3 · newest first:") || !strings.HasPrefix(strings.Split(r.Text, "\n")[1], "#45 Deal 45") {
		t.Fatalf("first page:\n%s", r.Text)
	}
	if strings.Contains(r.Text, "%") {
		t.Errorf("rows show percentages instead of stage names:\n%s", r.Text)
	}
	if !strings.Contains(r.Text, "By stage: Created: 43 (") || !strings.Contains(r.Text, "Qualified: 1 (45,000 EUR)") || !strings.Contains(r.Text, "Developed: 1 (44,000 EUR)") {
		t.Errorf("totals by stage:\n%s", r.Text)
	}
	if len(r.Actions) != 1 || r.Actions[0].Label != "Next" || r.Actions[0].Command != "deal list page=2" {
		t.Fatalf("actions %+v", r.Actions)
	}
	r = e.run(r.Actions[0].Command) // the Next button
	if len(r.Actions) != 2 || r.Actions[0].Command != "deal list page=1" || r.Actions[1].Command != "deal list page=3" {
		t.Fatalf("page 2 actions %+v", r.Actions)
	}
	if got := r.Data["deals"].([]command.DealView); len(got) != 20 || got[0].ID != 25 {
		t.Fatalf("page 2 starts at #%d (%d rows)", got[0].ID, len(got))
	}
	cursor := r.Data["next_cursor"].(string)
	r = e.run("deal list cursor=" + cursor)
	if got := r.Data["deals"].([]command.DealView); len(got) != 5 || got[0].ID != 5 || r.Data["next_cursor"] != nil {
		t.Fatalf("cursor page: %d rows from #%d, next %v", len(got), got[0].ID, r.Data["next_cursor"])
	}

	r = e.run(`deal list customer="northwind" sort=value limit=3`)
	got := r.Data["deals"].([]command.DealView)
	if r.Data["total"] != 15 || len(got) != 3 || got[0].ID != 44 || got[1].ID != 41 {
		t.Fatalf("customer search sorted by value: total %v, %+v", r.Data["total"], got)
	}
	if len(r.Actions) != 1 || r.Actions[0].Command != `deal list customer=northwind sort=value limit=3 page=2` {
		t.Fatalf("next keeps the search: %+v", r.Actions)
	}
	r = e.run("deal list q=opp-7 sort=close")
	if got := r.Data["deals"].([]command.DealView); len(got) != 1 || got[0].CRMID != "OPP-7" {
		t.Fatalf("q= over CRM ids: %+v", got)
	}
	r = e.run(`deal list stage="qualified"`)
	if r.Data["total"] != 1 {
		t.Fatalf("stage by label: %v", r.Text)
	}
	// The heading says how the list was narrowed, each key as typed.
	r = e.run(`deal list kind="IP co-sell" location=1000001 stage="Qualified (20%)"`)
	if !strings.HasPrefix(r.Text, "1 open deal (IP co-sell, location 1000001, at Qualified) · ") {
		t.Errorf("narrowed heading:\n%s", r.Text)
	}
	for line, want := range map[string]string{
		"deal list page=9":             "page 9 is past the end: the list has 3 pages",
		"deal list sort=valeu":         "did you mean sort=value?",
		"deal list cursor=zzz":         "is not a cursor",
		"deal list limit=0":            "limit= takes a whole number from 1 to 500",
		"deal list format=xlsx":        "format takes csv",
		"deal list stage=banana":       "sales stage",
		"deal list favorits":           "did you mean deal list favorites?",
		"deal list page=1 cursor=b2Mw": "give page= or cursor=",
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want a refusal saying %q", line, r.Text, want)
		}
	}
}

func TestListAsCSVHasEveryField(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=services name="Teams, phase 2" customer="Fabrikam AB" customer_location=SE location=1000001 value=€45k close=2027-02-01 notes="900 seats" role="Proof of concept" area="Modern Work" play="Converged Communications" ` + team)
	r := e.run("deal list format=csv")
	f, ok := r.Data["file"].(command.File)
	if !ok || f.ContentType != "text/csv" || !strings.HasSuffix(f.Name, ".csv") {
		t.Fatalf("no CSV file in %+v", r.Data)
	}
	rows, err := csv.NewReader(strings.NewReader(f.Content)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV: %v, %d rows\n%s", err, len(rows), f.Content)
	}
	rec := map[string]string{}
	for i, h := range rows[0] {
		rec[h] = rows[1][i]
	}
	for col, want := range map[string]string{
		"id": "1", "name": "Teams, phase 2", "value": "45000", "currency": "EUR", "customer.name": "Fabrikam AB",
		"partner_role": "proof-of-concept", "solution_area": "modern-work", "team": "Ana Diaz <ana@contoso-partner.com> +33 1 23 45 67 89",
		"close_date": "2027-02-01", "status": "created", "created_at": "2026-11-22T09:00:00Z",
	} {
		if rec[col] != want {
			t.Errorf("column %s = %q, want %q", col, rec[col], want)
		}
	}
	if !strings.Contains(r.Text, "Teams, phase 2") {
		t.Errorf("platforms without uploads get the CSV as text:\n%s", r.Text)
	}
}

// TestListClosedAndAll: "deal list all" is what a partner types for the
// whole pipeline, so it lists closed deals too (it once meant the open list,
// and a lost deal seemed gone); closed lists only those.
func TestListClosedAndAll(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	for i := 1; i <= 3; i++ {
		e.clk.t = start.Add(time.Duration(i) * time.Minute)
		e.run(fmt.Sprintf(`deal new kind=ip name="Deal %d" customer="Contoso SA" customer_location=FR location=1000001 value="%d,000 EUR" close=+30d notes=n solution="Contoso Insight" %s`, i, i, team))
	}
	e.run(`deal lost 2 reason=Budget`)
	for line, want := range map[string]string{
		"deal list":               "2 open deals · newest first:\n#3 Deal 3",
		"deal list closed":        "1 closed deal · latest change first:\n#2 Deal 2",
		"deal list all":           "3 deals · newest first:\n#3 Deal 3",
		"list all deals":          "3 deals · newest first:",
		"list deals":              "2 open deals · newest first:",
		"list closed deals":       "1 closed deal · ",
		"list expiring referrals": "No expiring deals.",
	} {
		if r := e.run(line); !strings.HasPrefix(r.Text, want) {
			t.Errorf("%s:\n%s\nwant it to start with %q", line, r.Text, want)
		}
	}
	if r := e.run("deal list all"); !strings.Contains(r.Text, "#2 Deal 2") || !strings.Contains(r.Text, "Lost: 1 (2,000 EUR)") {
		t.Errorf("deal list all leaves out the lost deal:\n%s", r.Text)
	}
}

// Buckets counted by status (a lost deal, a referral not answered yet) say
// so in JSON: a script grouping by stage read three of them as "created".
func TestStageTotalsNameStatusBuckets(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	for range 3 {
		e.run(`deal new kind=ip name=A customer=C customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	}
	e.run(`deal receive kind=ip customer=R customer_location=SE location=1000001 from=microsoft`)
	e.run(`deal lost 2 reason=budget`)
	e.run(`deal error 3 reason=duplicate`)
	got := map[string]string{}
	for _, st := range e.run("deal list all").Data["stages"].([]command.StageTotal) {
		got[st.Label] = string(st.Stage) + "/" + string(st.Status)
	}
	want := map[string]string{"Created": "created/", "Received": "/received", "Lost": "/lost", "Closed as error": "/error"}
	for label, w := range want {
		if got[label] != w {
			t.Errorf("bucket %q: stage/status %q, want %q (all: %v)", label, got[label], w, got)
		}
	}
}
