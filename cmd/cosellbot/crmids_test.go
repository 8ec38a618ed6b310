package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", for the test's own queries
)

// A database where two deals hold one CRM ID (two replicas made two deals
// of one CRM record before 00014): `cosellbot migrate` keeps the ID on one
// deal and names the other, with which deal holds it and what to do, and
// `cosellbot doctor` lists it until it is closed.
func TestMigrateAndDoctorNameTheDealsThatLostTheirCRMID(t *testing.T) {
	clearConfigEnv(t)
	t.Setenv("COSELLBOT_CACHE_DIR", "off")
	path := filepath.Join(t.TempDir(), "twins.db")
	t.Setenv("DATABASE_URL", "sqlite:"+path)
	runCLI(t, 0, "ask", `deal new kind=services name="Fabrikam rollout" customer="Fabrikam AB" customer_location=SE location=1234567 value=40000 currency=EUR close=+30d notes=n team="Ana Diaz <ana@contoso.example> +46701234567" role=transaction area=Security play="Cloud security" crm_id=opp-twin`)

	// The database as 0.20.0's replicas left it: 00014 (and what came
	// after it) not applied, and a second deal with the CRM ID.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	const cols = "version, name, direction, kind, sale_type, status, stage, location, value, currency, close_date, " +
		"customer_name, customer_location, favorite, expires_at, decision_due, created_at, updated_at, won_at, crm_id, body"
	for _, q := range []string{
		"ALTER TABLE sync_cursors DROP COLUMN version",
		"DELETE FROM goose_db_version WHERE version_id = 16",
		"ALTER TABLE faq_misses DROP COLUMN wrong_entry",
		"DELETE FROM goose_db_version WHERE version_id = 15",
		"DROP INDEX deals_crm_id_unique",
		"DELETE FROM goose_db_version WHERE version_id = 14",
		"INSERT INTO deals (" + cols + ") SELECT " + cols + " FROM deals WHERE id = 1",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	out, _ := runCLI(t, 0, "migrate")
	if want := `deal #2: CRM ID opp-twin taken off this deal: deal #1 holds it too, and a CRM record links to one deal. If this deal duplicates #1, close it: deal error 2 reason="duplicate of #1"`; !strings.Contains(out, want) {
		t.Errorf("migrate says:\n%s\nwant %q", out, want)
	}
	out, _ = runCLI(t, 0, "doctor")
	if want := "! CRM IDs: 1 open deal lost its CRM ID to another deal holding it too (a CRM ID belongs to one deal since migration 00014): #2"; !strings.Contains(out, want) {
		t.Errorf("doctor says:\n%s\nwant %q", out, want)
	}
	runCLI(t, 0, "ask", `deal error 2 reason="duplicate of #1"`)
	if out, _ = runCLI(t, 0, "doctor"); strings.Contains(out, "CRM IDs") {
		t.Errorf("doctor after the duplicate was closed:\n%s", out)
	}
}
