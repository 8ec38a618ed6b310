package hubspot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// A batch of 100 events each carrying a long text property's whole value
// (a bulk edit of descriptions: 1.5 MB) is taken: refused over 1 MiB, it
// was lost whole after HubSpot's retries.
func TestBulkEditBatchIsTaken(t *testing.T) {
	h := setup(t, storetest.OpenSQLite(t))
	var events []map[string]any
	for i := range 100 {
		events = append(events, map[string]any{
			"eventId": 1000 + i, "subscriptionId": 1234, "portalId": 12345678, "appId": 54321,
			"occurredAt": now.UnixMilli() - 1000, "subscriptionType": "deal.propertyChange", "attemptNumber": 0,
			"objectId": 9001 + i, "propertyName": "description", "propertyValue": strings.Repeat("d", 15000), "changeSource": "CRM_UI",
		})
	}
	body, _ := json.Marshal(events)
	if len(body) <= 1<<20 {
		t.Fatalf("the batch is %d bytes: not over 1 MiB", len(body))
	}
	if code, resp := h.Post(t, path, signed(h, body, now), body); code != 200 {
		t.Fatalf("a %d-byte batch: %d %s", len(body), code, resp)
	}
	if rows := h.Inbox(t); len(rows) != 100 {
		t.Errorf("%d events stored, want 100", len(rows))
	}
}
