package crmid

import (
	"slices"
	"testing"
)

func TestForms(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want []string
	}{
		{"e18e7399-8c2e-f111-8a4c-6045bd0a1c09", []string{"e18e7399-8c2e-f111-8a4c-6045bd0a1c09", "E18E7399-8C2E-F111-8A4C-6045BD0A1C09", "{e18e7399-8c2e-f111-8a4c-6045bd0a1c09}", "{E18E7399-8C2E-F111-8A4C-6045BD0A1C09}"}},
		{"{E18E7399-8C2E-F111-8A4C-6045BD0A1C09}", []string{"e18e7399-8c2e-f111-8a4c-6045bd0a1c09", "E18E7399-8C2E-F111-8A4C-6045BD0A1C09", "{e18e7399-8c2e-f111-8a4c-6045bd0a1c09}", "{E18E7399-8C2E-F111-8A4C-6045BD0A1C09}"}},
		// Salesforce's documented example: 001A0000006Vm9r → 001A0000006Vm9rIAC.
		{"001A0000006Vm9r", []string{"001A0000006Vm9r", "001A0000006Vm9rIAC"}},
		{"001A0000006Vm9rIAC", []string{"001A0000006Vm9r", "001A0000006Vm9rIAC"}},
		{"9001", []string{"9001"}},
		{"opp-12", []string{"opp-12"}},
	} {
		if got := Forms(tt.id); !slices.Equal(got, tt.want) {
			t.Errorf("Forms(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}
