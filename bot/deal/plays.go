package deal

import (
	"slices"
	"strings"
)

// playAreas are the solution areas each solution play belongs to in
// Partner Center: its area of the current taxonomy (AI Business
// Solutions, Cloud & AI Platforms, Security) and, for deals still on the
// legacy areas, the legacy areas it was sold under. Slugs are bot/vocab's.
// A play not listed here (one Partner Center added since) is taken with
// any area.
var playAreas = map[string][]string{
	"copilot-agents-at-work":   {"ai-business-solutions", "modern-work"},
	"converged-communications": {"ai-business-solutions", "modern-work"},
	"modern-endpoints":         {"ai-business-solutions", "modern-work"},
	"sales-transformation":     {"ai-business-solutions", "business-applications"},
	"service-transformation":   {"ai-business-solutions", "business-applications"},
	"finance-supply-chain":     {"ai-business-solutions", "business-applications"},
	"biz-apps-migrate":         {"ai-business-solutions", "business-applications"},
	"low-code":                 {"ai-business-solutions", "business-applications"},
	"migrate-modernize":        {"cloud-ai-platforms", "infrastructure", "data-ai", "digital-app-innovation"},
	"unify-data":               {"cloud-ai-platforms", "data-ai"},
	"innovate-ai-apps":         {"cloud-ai-platforms", "data-ai", "digital-app-innovation"},
	"modern-secops":            {"security"},
	"protect-cloud-ai":         {"security"},
	"data-security":            {"security"},
	"identity-access":          {"security"},
}

// PlayFitsArea reports whether play belongs to area (true when either is
// empty or the play is not listed).
func PlayFitsArea(area, play string) bool {
	areas, ok := playAreas[strings.ToLower(play)]
	return area == "" || play == "" || !ok || slices.Contains(areas, strings.ToLower(area))
}

// AreasOfPlay are the areas play belongs to (none when not listed).
func AreasOfPlay(play string) []string { return playAreas[strings.ToLower(play)] }
