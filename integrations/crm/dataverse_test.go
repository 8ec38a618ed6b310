package crm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/dynamics"
	"github.com/cosellbot/cosellbot/store"
)

// attr is one Dataverse attribute of a context's Target or image.
type attr struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// Dataverse's typed values, as a RemoteExecutionContext serializes them.
func money(v float64) map[string]any {
	return map[string]any{"__type": "Money:http://schemas.microsoft.com/xrm/2011/Contracts", "Value": v}
}

func option(v int) map[string]any {
	return map[string]any{"__type": "OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts", "Value": v}
}

func lookup(logicalName, id string, name any) map[string]any {
	return map[string]any{"__type": "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts",
		"Id": id, "KeyAttributes": []any{}, "LogicalName": logicalName, "Name": name, "RowVersion": nil}
}

func wcf(t time.Time) string { return fmt.Sprintf("/Date(%d)/", t.UnixMilli()) }

// dataverse is the RemoteExecutionContext a webhook step posts for a
// message about an opportunity: its Target's attributes, and a post image
// when image is not nil.
func dataverse(message, operation, id string, target, image []attr) []byte {
	entity := func(as []attr) map[string]any {
		return map[string]any{"Attributes": as, "EntityState": nil, "FormattedValues": []any{}, "Id": id,
			"KeyAttributes": []any{}, "LogicalName": "opportunity", "RelatedEntities": []any{}, "RowVersion": nil}
	}
	t := entity(target)
	t["__type"] = "Entity:http://schemas.microsoft.com/xrm/2011/Contracts"
	images := []any{}
	if image != nil {
		images = append(images, map[string]any{"key": "PostImage", "value": entity(image)})
	}
	b, _ := json.Marshal(map[string]any{
		"BusinessUnitId": "e2b9dd85-e89e-e711-8122-000d3aa2331c", "CorrelationId": "bbbb1111-cc22-3333-44dd-" + operation[len(operation)-12:],
		"Depth": 1, "InitiatingUserId": "11bb11bb-cc22-dd33-ee44-55ff55ff55ff",
		"InputParameters":    []any{map[string]any{"key": "Target", "value": t}},
		"IsExecutingOffline": false, "IsInTransaction": false, "IsOfflinePlayback": false, "IsolationMode": 1,
		"MessageName": message, "Mode": 1, "OperationCreatedOn": wcf(now), "OperationId": operation,
		"OrganizationId": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "OrganizationName": "OrgName", "OutputParameters": []any{},
		"ParentContext": nil, "PostEntityImages": images, "PreEntityImages": []any{},
		"PrimaryEntityId": id, "PrimaryEntityName": "opportunity", "RequestId": nil, "SecondaryEntityName": "none",
		"SharedVariables": []any{}, "Stage": 40, "UserId": "11bb11bb-cc22-dd33-ee44-55ff55ff55ff",
	})
	return b
}

// dynamicsSetup serves the Dynamics 365 source with mapping m.
func dynamicsSetup(t *testing.T, st *store.Store, m *crm.Mapping) *crmtest.Harness {
	t.Helper()
	clock := crmtest.NewClock(now)
	return crmtest.New(t, st, clock, dynamics.New(secret, m, crmtest.Applier(st, clock)))
}

// dynamicsMapping is the shipped mapping, read anew (a test may change it).
func dynamicsMapping(t *testing.T) *crm.Mapping {
	t.Helper()
	ms, err := crm.LoadMappings("../../deploy/crm", "dynamics")
	if err != nil {
		t.Fatal(err)
	}
	return ms["dynamics"]
}

// postDynamics delivers a context with the shared secret.
func postDynamics(t *testing.T, h *crmtest.Harness, body []byte) {
	t.Helper()
	hdr := http.Header{"Content-Type": {"application/json"}, dynamics.HeaderSecret: {secret}}
	if code, resp := h.Post(t, "/webhooks/dynamics", hdr, body); code != 200 {
		t.Fatalf("delivery: %d %s", code, resp)
	}
}
