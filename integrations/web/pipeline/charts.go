package pipeline

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// The charts are SVG drawn here, on the server: no script, and every number
// also in a table beside the picture (for screen readers, and to copy).

// funnelRow is one stage of the funnel.
type funnelRow struct {
	Lane, Key, Label string
	total
}

// funnel counts and totals the deals by board column, received and every
// stage of both stage tables; closed deals other than won are left out.
func funnel(snap *snapshot, ds []*deal.Deal, l *locale) []funnelRow {
	var rows []funnelRow
	index := map[string]int{}
	for _, ln := range []struct {
		key string
		k   deal.Kind
	}{{"cosell", deal.IPCoSell}, {"sa", deal.SolutionAssessment}} {
		index[ln.key+"/received"] = len(rows)
		rows = append(rows, funnelRow{Lane: ln.key, Key: "received", Label: l.T("col.received")})
		for _, st := range deal.Stages(ln.k) {
			index[ln.key+"/"+string(st.Stage)] = len(rows)
			rows = append(rows, funnelRow{Lane: ln.key, Key: string(st.Stage), Label: l.Label("stage", st.Stage)})
		}
	}
	for _, d := range ds {
		if d.Status.Terminal() && d.Status != deal.Won {
			continue
		}
		lane := "cosell"
		if d.Kind == deal.SolutionAssessment {
			lane = "sa"
		}
		if i, ok := index[lane+"/"+columnOf(d)]; ok {
			rows[i].add(snap.usd[d.ID])
		}
	}
	return rows
}

// monthBucket is the open value expected to close in one month.
type monthBucket struct {
	Key, Label string
	total
}

// byCloseMonth totals the open deals by expected close month: the twelve
// months from now's, with the earlier and later ones gathered at the ends.
func byCloseMonth(snap *snapshot, ds []*deal.Deal, now time.Time, l *locale) []monthBucket {
	y, m, _ := now.UTC().Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	out := []monthBucket{{Key: "earlier", Label: l.T("chart.earlier")}}
	for i := range 12 {
		t := first.AddDate(0, i, 0)
		out = append(out, monthBucket{Key: t.Format("2006-01"), Label: t.Format("2006-01")})
	}
	out = append(out, monthBucket{Key: "later", Label: l.T("chart.later")})
	for _, d := range ds {
		if !open(d.Status) || d.CloseDate.IsZero() {
			continue
		}
		cy, cm, _ := d.CloseDate.UTC().Date()
		i := (cy-y)*12 + int(cm-m) + 1
		i = max(0, min(i, len(out)-1))
		out[i].add(snap.usd[d.ID])
	}
	return out
}

// weekBucket is the referrals answered in time and expired in one week.
type weekBucket struct {
	Start             time.Time
	Answered, Expired int
}

// referralWeeks counts, week by week from since, the referrals accepted or
// declined (answered in time: once expired a referral can no longer be
// answered) and those that expired unanswered, among the deals given.
func referralWeeks(ds []*deal.Deal, snap *snapshot, now time.Time) []weekBucket {
	n := int(now.Sub(snap.since)/(7*24*time.Hour)) + 1
	out := make([]weekBucket, n)
	for i := range out {
		out[i].Start = snap.since.Add(time.Duration(i) * 7 * 24 * time.Hour)
	}
	for _, d := range ds {
		for _, e := range snap.outcomes[d.ID] {
			i := int(e.At.Sub(snap.since) / (7 * 24 * time.Hour))
			if i < 0 || i >= n || e.At.After(now) {
				continue
			}
			if e.Action == "expired" {
				out[i].Expired++
			} else {
				out[i].Answered++
			}
		}
	}
	return out
}

type chartsData struct {
	*page
	F                    filter
	Opts                 options
	Funnel               []funnelRow
	Months               []monthBucket
	Weeks                []weekBucket
	FunnelSVG, MonthsSVG template.HTML
	WeeksSVG             template.HTML
	Answered, Expired    int
	Rates                deal.MonthRates
	Missing              int
}

func (s *Server) charts(w http.ResponseWriter, r *http.Request, pg *page) {
	pg.Nav, pg.Title = "charts", pg.L.T("charts.title")
	snap, f, code, ok := s.filtered(w, r, pg)
	if !ok {
		return
	}
	d := &chartsData{page: pg, F: f, Rates: s.rates}
	if pg.Who.Referrals() {
		d.Opts = snap.optionsFor(pg.Who)
		ds := snap.visible(pg.Who, f, false)
		now := pg.L.now
		d.Funnel = funnel(snap, ds, pg.L)
		d.Months = byCloseMonth(snap, ds, now, pg.L)
		d.Weeks = referralWeeks(ds, snap, now)
		for _, row := range d.Funnel {
			d.Missing += row.Missing
		}
		for _, wk := range d.Weeks {
			d.Answered += wk.Answered
			d.Expired += wk.Expired
		}
		d.FunnelSVG = funnelSVG(d.Funnel, pg.L)
		d.MonthsSVG = monthsSVG(d.Months, pg.L)
		d.WeeksSVG = weeksSVG(d.Weeks, pg.L)
	}
	s.render(w, r, code, "charts", d)
}

// Colours pass WCAG AA against white for text and 3:1 for shapes.
const (
	colCount    = "#1f5fa8"
	colValue    = "#2e6b30"
	colAnswered = "#1f5fa8"
	colExpired  = "#b3261e"
	colText     = "#1a1a1a"
	colGrid     = "#767676"
)

func esc(s string) string { return template.HTMLEscapeString(s) }

func scale(v, maxV, width float64) float64 {
	if maxV <= 0 || v <= 0 {
		return 0
	}
	return math.Max(1, v/maxV*width)
}

// funnelSVG draws two bars a stage: the count, and the converted value.
func funnelSVG(rows []funnelRow, l *locale) template.HTML {
	const (
		labelW, countX, countW, valueX, valueW = 300.0, 310.0, 160.0, 540.0, 200.0
		rowH, top                              = 26.0, 40.0
	)
	var maxC, maxV float64
	for _, r := range rows {
		maxC, maxV = math.Max(maxC, float64(r.Count)), math.Max(maxV, r.USD)
	}
	groups := 2.0
	h := top + float64(len(rows))*rowH + groups*rowH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="funnel-svg" role="img" aria-labelledby="funnel-title" viewBox="0 0 900 %.0f" width="900" height="%.0f" xmlns="http://www.w3.org/2000/svg">`, h, h)
	fmt.Fprintf(&b, `<title id="funnel-title">%s</title>`, esc(l.T("chart.funnel")))
	fmt.Fprintf(&b, `<text x="%.0f" y="20" fill="%s" font-size="14" font-weight="bold">%s</text>`, countX, colText, esc(l.T("chart.count")))
	fmt.Fprintf(&b, `<text x="%.0f" y="20" fill="%s" font-size="14" font-weight="bold">%s</text>`, valueX, colText, esc(l.T("chart.value")))
	y := top
	lane := ""
	for _, r := range rows {
		if r.Lane != lane {
			lane = r.Lane
			fmt.Fprintf(&b, `<text x="0" y="%.0f" fill="%s" font-size="14" font-weight="bold">%s</text>`, y+17, colText, esc(l.T("lane."+lane)))
			y += rowH
		}
		cw, vw := scale(float64(r.Count), maxC, countW), scale(r.USD, maxV, valueW)
		fmt.Fprintf(&b, `<g class="bar" data-lane="%s" data-stage="%s" data-count="%d" data-usd="%.0f">`, r.Lane, esc(r.Key), r.Count, math.Round(r.USD))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s" font-size="13" text-anchor="end">%s</text>`, labelW, y+17, colText, esc(clip(r.Label, 42)))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="18" fill="%s"><title>%s: %s</title></rect>`, countX, y+4, cw, colCount, esc(r.Label), l.Num(r.Count))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" fill="%s" font-size="12">%s</text>`, countX+cw+4, y+17, colText, l.Num(r.Count))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.1f" height="18" fill="%s"><title>%s: %s</title></rect>`, valueX, y+4, vw, colValue, esc(r.Label), l.USD(r.USD))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" fill="%s" font-size="12">%s</text>`, valueX+vw+4, y+17, colText, l.USD(r.USD))
		b.WriteString(`</g>`)
		y += rowH
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// monthsSVG draws a column per month of converted open value.
func monthsSVG(ms []monthBucket, l *locale) template.HTML {
	const (
		left, top, plotH, colW, gap = 10.0, 30.0, 200.0, 48.0, 8.0
	)
	var maxV float64
	for _, m := range ms {
		maxV = math.Max(maxV, m.USD)
	}
	w := left + float64(len(ms))*(colW+gap) + 10
	h := top + plotH + 50
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="months-svg" role="img" aria-labelledby="months-title" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="months-title">%s</title>`, esc(l.T("chart.months")))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s"/>`, left, top+plotH, w-10, top+plotH, colGrid)
	for i, m := range ms {
		x := left + float64(i)*(colW+gap)
		bh := scale(m.USD, maxV, plotH)
		fmt.Fprintf(&b, `<g class="bar" data-month="%s" data-count="%d" data-usd="%.0f">`, esc(m.Key), m.Count, math.Round(m.USD))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%s: %s, %s</title></rect>`, x, top+plotH-bh, colW, bh, colValue, esc(m.Label), l.USD(m.USD), l.Deals(m.Count))
		if m.USD > 0 {
			fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" fill="%s" font-size="10" text-anchor="middle">%s</text>`, x+colW/2, top+plotH-bh-4, colText, esc(short(m.USD)))
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s" font-size="11" text-anchor="middle">%s</text>`, x+colW/2, top+plotH+16, colText, esc(m.Label))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// short is a compact amount for a label over a column: 12k, 3.4M.
func short(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// weeksSVG draws two columns a week: answered in time, and expired.
func weeksSVG(ws []weekBucket, l *locale) template.HTML {
	const (
		left, top, plotH, barW, gap = 10.0, 40.0, 160.0, 18.0, 16.0
	)
	maxV := 0
	for _, wk := range ws {
		maxV = max(maxV, wk.Answered, wk.Expired)
	}
	w := left + float64(len(ws))*(2*barW+gap) + 10
	h := top + plotH + 50
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="referrals-svg" role="img" aria-labelledby="referrals-title" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="referrals-title">%s</title>`, esc(l.T("chart.referrals")))
	fmt.Fprintf(&b, `<rect x="%.0f" y="8" width="14" height="14" fill="%s"/><text x="%.0f" y="20" fill="%s" font-size="13">%s</text>`, left, colAnswered, left+20, colText, esc(l.T("chart.answered")))
	fmt.Fprintf(&b, `<rect x="%.0f" y="8" width="14" height="14" fill="%s"/><text x="%.0f" y="20" fill="%s" font-size="13">%s</text>`, left+200, colExpired, left+220, colText, esc(l.T("chart.expired")))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s"/>`, left, top+plotH, w-10, top+plotH, colGrid)
	for i, wk := range ws {
		x := left + float64(i)*(2*barW+gap)
		day := wk.Start.Format("01-02")
		fmt.Fprintf(&b, `<g class="bar" data-week="%s" data-answered="%d" data-expired="%d">`, wk.Start.Format(time.DateOnly), wk.Answered, wk.Expired)
		for j, v := range []int{wk.Answered, wk.Expired} {
			bh := scale(float64(v), float64(maxV), plotH)
			col, name := colAnswered, l.T("chart.answered")
			if j == 1 {
				col, name = colExpired, l.T("chart.expired")
			}
			bx := x + float64(j)*barW
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%s %s: %d %s</title></rect>`, bx, top+plotH-bh, barW-2, bh, col, esc(l.T("chart.week")), wk.Start.Format(time.DateOnly), v, esc(name))
			if v > 0 {
				fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" fill="%s" font-size="10" text-anchor="middle">%d</text>`, bx+barW/2-1, top+plotH-bh-3, colText, v)
			}
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s" font-size="11" text-anchor="middle">%s</text>`, x+barW, top+plotH+16, colText, day)
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
