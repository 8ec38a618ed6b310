package crm_test

import (
	"testing"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Deals made of records created in a CRM are private unless the mapping's
// create: block says share: yes: a CRM posts every opportunity anyone
// creates, and Microsoft sellers must not see them all.
func TestCreatedRecordsArePrivateUnlessShared(t *testing.T) {
	m := dynamicsMapping(t)
	c := crm.Change{Source: "dynamics", RecordID: "0a4f2c1e-77a0-f011-8122-000d3aa2331c", Created: true, Fields: map[string]string{}}
	in := change.Incoming{Values: change.Values{change.Name: "Opp"}}
	dr, ok, err := m.Draft(c, in)
	if err != nil || !ok || dr.Share {
		t.Fatalf("shipped mapping: share %v (ok %v, %v), want private", dr.Share, ok, err)
	}
	m.Create.Share = true
	if dr, _, _ := m.Draft(c, in); !dr.Share {
		t.Error("share: yes did not make it partner-led")
	}
}
