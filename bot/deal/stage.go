package deal

import "strings"

// Stage is a sales stage, named as the chat grammar names it.
type Stage string

// Sales stages of co-sell deals, and the solution assessment ones.
const (
	StageCreated    Stage = "created"
	StageAccepted   Stage = "accepted"
	StageQualified  Stage = "qualified"
	StageDeveloped  Stage = "developed"
	StageProposed   Stage = "proposed"
	StageNegotiated Stage = "negotiated"
	StageWon        Stage = "won"

	StageLOE         Stage = "loe"
	StageCollectData Stage = "collect-data"
	StageReport      Stage = "report"
	StagePresent     Stage = "present"
)

// StageInfo describes one row of Partner Center's stage tables.
type StageInfo struct {
	Stage   Stage
	Label   string
	Percent int
	MCEM    string // Microsoft Customer Engagement Methodology stage (co-sell only)
	Exit    string // MCEM exit criterion
}

var coSellStages = []StageInfo{
	{StageCreated, "Created", 10, "Listen & consult", "qualified opportunity"},
	{StageAccepted, "Accepted", 10, "Listen & consult", "qualified opportunity"},
	{StageQualified, "Qualified", 20, "Listen & consult", "qualified opportunity"},
	{StageDeveloped, "Developed", 40, "Inspire & design", "customer agrees to solution and business case"},
	{StageProposed, "Proposed", 60, "Empower & achieve", "customer agreement in place"},
	{StageNegotiated, "Negotiated", 80, "Empower & achieve", "customer agreement in place"},
	{StageWon, "Won", 100, "Realize value", "customer signed, deployment can start"},
}

var assessmentStages = []StageInfo{
	{StageCreated, "Created", 10, "", ""},
	{StageAccepted, "Accepted", 10, "", ""},
	{StageLOE, "Securing the customer's letter of engagement (LOE)", 20, "", ""},
	{StageCollectData, "Collecting data", 40, "", ""},
	{StageReport, "Preparing the assessment report", 60, "", ""},
	{StagePresent, "Presenting to the customer", 80, "", ""},
	{StageWon, "Won", 100, "", ""},
}

// Stages returns the stage table that applies to a deal kind.
func Stages(k Kind) []StageInfo {
	if k == SolutionAssessment {
		return assessmentStages
	}
	return coSellStages
}

// StageOf looks a stage up in the table of a kind.
func StageOf(k Kind, s Stage) (StageInfo, bool) {
	for _, info := range Stages(k) {
		if info.Stage == s {
			return info, true
		}
	}
	return StageInfo{}, false
}

// Markable lists the stages a partner marks by hand: those between the
// initial created/accepted and the final won.
func Markable(k Kind) []Stage {
	var out []Stage
	for _, info := range Stages(k) {
		switch info.Stage {
		case StageCreated, StageAccepted, StageWon:
			continue
		}
		out = append(out, info.Stage)
	}
	return out
}

// stageNames lists the stages a partner marks, by label, as replies print
// them (and deal stage takes them).
func stageNames(k Kind) string {
	var names []string
	for _, s := range Markable(k) {
		names = append(names, stageLabel(k, s))
	}
	return strings.Join(names, ", ")
}
