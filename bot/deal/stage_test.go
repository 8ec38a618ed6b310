package deal

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestStageTables compares both stage tables with DOMAIN.md ("Sales stages"
// and "Solution assessment stages"), row by row.
func TestStageTables(t *testing.T) {
	coSell := []StageInfo{
		{StageCreated, "Created", 10, "Listen & consult", "qualified opportunity"},
		{StageAccepted, "Accepted", 10, "Listen & consult", "qualified opportunity"},
		{StageQualified, "Qualified", 20, "Listen & consult", "qualified opportunity"},
		{StageDeveloped, "Developed", 40, "Inspire & design", "customer agrees to solution and business case"},
		{StageProposed, "Proposed", 60, "Empower & achieve", "customer agreement in place"},
		{StageNegotiated, "Negotiated", 80, "Empower & achieve", "customer agreement in place"},
		{StageWon, "Won", 100, "Realize value", "customer signed, deployment can start"},
	}
	sa := []struct {
		stage   Stage
		percent int
	}{
		{StageCreated, 10}, {StageAccepted, 10}, {StageLOE, 20}, {StageCollectData, 40},
		{StageReport, 60}, {StagePresent, 80}, {StageWon, 100},
	}
	for _, k := range []Kind{IPCoSell, ServicesCoSell, P2P} {
		for _, row := range coSell {
			t.Run("co-sell stage table ("+string(k)+"): "+string(row.Stage), func(t *testing.T) {
				got, ok := StageOf(k, row.Stage)
				if !ok || got != row {
					t.Errorf("StageOf(%s, %s) = %+v, %v; want %+v", k, row.Stage, got, ok, row)
				}
				d := &Deal{Kind: k, Stage: row.Stage}
				if d.Percent() != row.Percent {
					t.Errorf("Percent() = %d, want %d", d.Percent(), row.Percent)
				}
			})
		}
	}
	for _, row := range sa {
		t.Run("SA stage table: "+string(row.stage), func(t *testing.T) {
			got, ok := StageOf(SolutionAssessment, row.stage)
			if !ok || got.Percent != row.percent {
				t.Errorf("StageOf(sa, %s) = %+v, %v; want %d%%", row.stage, got, ok, row.percent)
			}
			if got.MCEM != "" {
				t.Errorf("SA stages carry no MCEM stage, got %q", got.MCEM)
			}
			d := &Deal{Kind: SolutionAssessment, Stage: row.stage}
			if d.Percent() != row.percent {
				t.Errorf("Percent() = %d, want %d", d.Percent(), row.percent)
			}
		})
	}
	t.Run("SA stages are not co-sell stages and back", func(t *testing.T) {
		if _, ok := StageOf(IPCoSell, StageLOE); ok {
			t.Errorf("loe found in the co-sell table")
		}
		if _, ok := StageOf(SolutionAssessment, StageQualified); ok {
			t.Errorf("qualified found in the SA table")
		}
		if (&Deal{Kind: IPCoSell, Stage: "bogus"}).Percent() != 0 {
			t.Errorf("unknown stage should show 0%%")
		}
	})
	t.Run("markable stages exclude created, accepted and won", func(t *testing.T) {
		if got, want := Markable(IPCoSell), []Stage{StageQualified, StageDeveloped, StageProposed, StageNegotiated}; !slices.Equal(got, want) {
			t.Errorf("Markable(ip) = %v, want %v", got, want)
		}
		if got, want := Markable(SolutionAssessment), []Stage{StageLOE, StageCollectData, StageReport, StagePresent}; !slices.Equal(got, want) {
			t.Errorf("Markable(sa) = %v, want %v", got, want)
		}
	})
}

// TestMarkStage covers "Marking stages is optional" (co-sell: forward,
// skipping allowed) and "For SA deals marking stages is mandatory".
func TestMarkStage(t *testing.T) {
	tests := []struct {
		name       string
		base       func() Draft
		received   bool     // start from an accepted referral instead
		marks      []Stage  // marked first, must succeed
		mark       Stage    // the stage under test
		want       []string // broken rules
		wantPct    int
		wantMarked []Stage
	}{
		{name: "co-sell: mark the next stage", base: validIP, mark: StageQualified, wantPct: 20, wantMarked: []Stage{StageQualified}},
		{name: "co-sell: skipping stages is allowed", base: validIP, mark: StageNegotiated, wantPct: 80, wantMarked: []Stage{StageNegotiated}},
		{name: "co-sell: forward after forward", base: validServices, marks: []Stage{StageQualified}, mark: StageProposed, wantPct: 60, wantMarked: []Stage{StageQualified, StageProposed}},
		{name: "co-sell: stages move forward only", base: validIP, marks: []Stage{StageDeveloped}, mark: StageQualified, want: []string{"stage/stage_forward"}},
		{name: "co-sell: the same stage twice is refused", base: validIP, marks: []Stage{StageDeveloped}, mark: StageDeveloped, want: []string{"stage/stage_forward"}},
		{name: "co-sell: accepted referral moves on to qualified", received: true, mark: StageQualified, wantPct: 20, wantMarked: []Stage{StageQualified}},
		{name: "unknown stage is refused", base: validIP, mark: "closing", want: []string{"stage/stage_known"}},
		// Where a deal starts, as the card prints it ("Accepted (10%, …)")
		// typed back: behind every markable stage, not "not a stage".
		{name: "created is where a deal starts", base: validIP, mark: StageCreated, want: []string{"stage/stage_forward"}},
		{name: "accepted is where a referral starts", base: validIP, mark: StageAccepted, want: []string{"stage/stage_forward"}},
		{name: "SA stage on a co-sell deal is refused", base: validIP, mark: StageLOE, want: []string{"stage/stage_known"}},
		{name: "co-sell stage on an SA deal is refused", base: validSA, mark: StageQualified, want: []string{"stage/stage_known"}},
		{name: "won via MarkStage is refused (use Win)", base: validIP, mark: StageWon, want: []string{"stage/stage_won_verb"}},
		{name: "SA: first stage is the letter of engagement", base: validSA, mark: StageLOE, wantPct: 20, wantMarked: []Stage{StageLOE}},
		{name: "SA: stages in order, skipping refused", base: validSA, mark: StageCollectData, want: []string{"stage/assessment_stage_order"}},
		{name: "SA: stages in order, skipping later refused", base: validSA, marks: []Stage{StageLOE}, mark: StageReport, want: []string{"stage/assessment_stage_order"}},
		{name: "SA: stages backwards refused", base: validSA, marks: []Stage{StageLOE, StageCollectData}, mark: StageLOE, want: []string{"stage/stage_forward"}},
		{name: "SA: every stage in order", base: validSA, marks: []Stage{StageLOE, StageCollectData, StageReport}, mark: StagePresent, wantPct: 80,
			wantMarked: []Stage{StageLOE, StageCollectData, StageReport, StagePresent}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d *Deal
			if tc.received {
				d = acceptedReferral(t)
			} else {
				d = mustNew(t, tc.base())
			}
			for _, s := range tc.marks {
				if _, err := d.MarkStage(s, t0); err != nil {
					t.Fatalf("MarkStage(%s): %v", s, err)
				}
			}
			before := d.Clone()
			ev, err := d.MarkStage(tc.mark, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused stage changed the deal")
				}
				return
			}
			if d.Stage != tc.mark || d.Percent() != tc.wantPct || ev.Action != "stage" {
				t.Errorf("after marking %s: stage %s, %d%%, action %q; want %d%%", tc.mark, d.Stage, d.Percent(), ev.Action, tc.wantPct)
			}
			if !slices.Equal(d.Marked, tc.wantMarked) {
				t.Errorf("Marked = %v, want %v", d.Marked, tc.wantMarked)
			}
		})
	}
	t.Run("mark a stage on a received referral is refused", func(t *testing.T) {
		d := mustReceive(t, referral())
		_, err := d.MarkStage(StageQualified, t0)
		expectRules(t, err, "status/status_mark_a_stage_on")
	})
}

func TestWin(t *testing.T) {
	tests := []struct {
		name  string
		deal  func(*testing.T) *Deal
		marks []Stage
		want  []string
	}{
		{name: "co-sell: won without marking any stage (marking is optional)", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }},
		{name: "co-sell: won after skipping stages", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, marks: []Stage{StageProposed}},
		{name: "accepted referral can be won", deal: acceptedReferral},
		{name: "SA: won only when every stage is marked (none marked)", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) },
			want: []string{"stage/assessment_stages_before_won"}},
		{name: "SA: won only when every stage is marked (presenting missing)", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) },
			marks: []Stage{StageLOE, StageCollectData, StageReport}, want: []string{"stage/assessment_stages_before_won"}},
		{name: "SA: won once every stage is marked", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) },
			marks: []Stage{StageLOE, StageCollectData, StageReport, StagePresent}},
		{name: "won of a received referral is refused", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }, want: []string{"status/status_mark_won"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			for _, s := range tc.marks {
				if _, err := d.MarkStage(s, t0); err != nil {
					t.Fatalf("MarkStage(%s): %v", s, err)
				}
			}
			won := t0.Add(96 * time.Hour)
			ev, err := d.Win(won)
			expectRules(t, err, tc.want...)
			if err != nil {
				if d.Status == Won {
					t.Errorf("refused win still marked the deal won")
				}
				return
			}
			if d.Status != Won || d.Stage != StageWon || d.Percent() != 100 || !d.WonAt.Equal(won) || ev.Action != "won" {
				t.Errorf("won deal: %s/%s/%d%%, WonAt %v, action %q", d.Status, d.Stage, d.Percent(), d.WonAt, ev.Action)
			}
		})
	}
}

func TestNextStage(t *testing.T) {
	tests := []struct {
		name   string
		deal   func(*testing.T) *Deal
		marks  []Stage
		want   Stage
		wantOK bool
	}{
		{name: "NextStage: created co-sell deal goes to qualified", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, want: StageQualified, wantOK: true},
		{name: "NextStage: accepted referral goes to qualified", deal: acceptedReferral, want: StageQualified, wantOK: true},
		{name: "NextStage: developed goes to proposed", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, marks: []Stage{StageDeveloped}, want: StageProposed, wantOK: true},
		{name: "NextStage: none after negotiated (use won)", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, marks: []Stage{StageNegotiated}},
		{name: "NextStage: SA created goes to LOE", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) }, want: StageLOE, wantOK: true},
		{name: "NextStage: SA report goes to present", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) }, marks: []Stage{StageLOE, StageCollectData, StageReport}, want: StagePresent, wantOK: true},
		{name: "NextStage: none for a received referral", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }},
		{name: "NextStage: none for a won deal", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.Win(t0); err != nil {
				t.Fatal(err)
			}
			return d
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			for _, s := range tc.marks {
				if _, err := d.MarkStage(s, t0); err != nil {
					t.Fatalf("MarkStage(%s): %v", s, err)
				}
			}
			got, ok := d.NextStage()
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("NextStage() = %q, %v; want %q, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
