package command

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/spell"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// listLimit is how many rows a page of a list shows unless limit= says.
const listLimit = 20

// maxListLimit bounds limit=: a chat message holds no more, and scripts
// that want everything use format=csv or cosellbot export.
const maxListLimit = 500

// ExpiringWithin is how far ahead "deal list expiring" looks.
const ExpiringWithin = 7 * 24 * time.Hour

// listTabs are the lists of Partner Center's tabs, with open (every deal
// still being worked) as the default, and all (open and closed together).
var listTabs = []string{"inbound", "outbound", "favorites", "expiring", "closed", "all"}

// listSorts are the orders sort= takes; the default is newest first.
var listSorts = []string{"newest", "expiry", "value", "close", "updated"}

// listKeys are the keys of deal list.
var listKeys = []string{"location", "stage", "kind", "customer", "q", "sort", "page", "limit", "cursor", "format"}

// listQuery is a deal list request, read from the command line.
type listQuery struct {
	tab      string
	filter   ledger.DealFilter
	customer string // folded
	q        string // folded
	sort     string
	page     int // from 1
	limit    int
	format   string // "" or "csv"

	// customer= and q= as typed, for the list's heading: "Fabrikam &
	// Sons", not the folded search key.
	customerTyped, qTyped string
}

func (s *Service) readList(c *call) (listQuery, error) {
	lq := listQuery{tab: "open", sort: "newest", page: 1, limit: listLimit}
	lq.filter.Statuses = []deal.Status{deal.Received, deal.Created, deal.Accepted}
	if len(c.pos) == 1 {
		lq.tab = strings.ToLower(c.pos[0])
	}
	switch lq.tab {
	case "open":
	case "inbound":
		lq.filter.Direction = deal.Inbound
	case "outbound":
		lq.filter.Direction = deal.Outbound
	case "favorites", "favourites", "fav":
		lq.tab, lq.filter.Favorite, lq.filter.Statuses = "favorites", true, nil
	case "expiring":
		lq.filter.Statuses, lq.filter.ExpiringBefore = []deal.Status{deal.Received}, c.now.Add(ExpiringWithin)
		lq.sort = "expiry"
	case "closed":
		lq.filter.Statuses = []deal.Status{deal.Won, deal.Lost, deal.Declined, deal.Expired, deal.Error}
		lq.sort = "updated"
	case "all": // what a partner means by "deal list all": closed ones too
		lq.filter.Statuses = nil
	case "deals": // "list deals" means the default list
		lq.tab = "open"
	default:
		if guess, ok := spell.Closest(lq.tab, listTabs); ok {
			return lq, usage("unknown list %s: did you mean deal list %s?", cite(lq.tab), guess)
		}
		return lq, usage("unknown list %s: use one of %s (or nothing, for every open deal)", cite(lq.tab), strings.Join(listTabs, ", "))
	}
	f := &form{c: c}
	if loc := f.str("location"); loc != "" {
		lq.filter.Locations = []string{loc}
	}
	if c.has("kind") {
		lq.filter.Kind = f.kind()
	}
	if st := f.str("stage"); st != "" {
		if stage, ok := vocab.AnyStage(st); ok && stage == deal.StageWon && lq.filter.Statuses != nil && !slices.Contains(lq.filter.Statuses, deal.Won) {
			f.bad("stage", "Won deals are not in the %s list: deal list closed stage=Won", lq.tab)
		} else if ok {
			lq.filter.Stage = stage
		} else if t, ok := vocab.Statuses.Lookup(st); ok {
			// A row shows a deal that has no stage (Received) or is closed
			// by its status ("Lost"): read back, it names that status.
			status := deal.Status(t.Slug)
			if lq.filter.Statuses != nil && !slices.Contains(lq.filter.Statuses, status) {
				tab := "closed"
				if !status.Terminal() {
					tab = "open"
				}
				f.bad("stage", "%s deals are not in the %s list: deal list %s stage=%s", t.Label, lq.tab, tab, quoteIfNeeded(t.Label))
			} else {
				lq.filter.Statuses = []deal.Status{status}
			}
		} else {
			_, err := vocab.Stages(lq.filter.Kind).Match(st)
			f.bad("stage", "%v", err)
		}
	}
	lq.customer, lq.q = vocab.Fold(f.str("customer")), vocab.Fold(f.str("q"))
	lq.customerTyped, lq.qTyped = f.str("customer"), f.str("q")
	if c.has("customer") && lq.customer == "" {
		f.bad("customer", "customer= needs part of a customer's name")
	}
	if c.has("q") && lq.q == "" {
		f.bad("q", "q= needs a word to look for in names, customers and CRM ids")
	}
	if c.has("sort") {
		sv := strings.ToLower(f.str("sort"))
		switch {
		case slices.Contains(listSorts, sv):
			lq.sort = sv
		case sv == "expires" || sv == "expires_at":
			lq.sort = "expiry"
		case sv == "close_date" || sv == "closing":
			lq.sort = "close"
		case sv == "created" || sv == "new":
			lq.sort = "newest"
		default:
			hint := ""
			if g, ok := spell.Closest(sv, listSorts); ok {
				hint = " did you mean sort=" + g + "?"
			}
			f.bad("sort", "unknown order %s:%s sort takes %s", cite(sv), hint, strings.Join(listSorts, ", "))
		}
	}
	lq.page = f.count("page", 1, 1<<20)
	lq.limit = f.count("limit", listLimit, maxListLimit)
	if cur := f.str("cursor"); cur != "" {
		if c.has("page") {
			f.bad("cursor", "give page= or cursor=, not both")
		} else if off, ok := decodeCursor(cur); ok {
			lq.page = off/lq.limit + 1
		} else {
			f.bad("cursor", "%s is not a cursor from a previous deal list: copy next_cursor as it is, or use page=", cite(cur))
		}
	}
	if c.has("format") {
		switch fm := strings.ToLower(f.str("format")); fm {
		case "csv":
			lq.format = fm
		case "text", "":
		default:
			f.bad("format", "format takes csv (a spreadsheet file) or text, not %s", cite(fm))
		}
	}
	return lq, f.err()
}

// count reads a whole number from lo to hi; absent gives def.
func (f *form) count(key string, def, hi int) int {
	if !f.c.has(key) {
		return def
	}
	n, err := strconv.Atoi(f.str(key))
	if err != nil || n < 1 || n > hi {
		f.bad(key, "%s= takes a whole number from 1 to %d, not %s", key, hi, cite(f.str(key)))
		return def
	}
	return n
}

// A cursor is the offset of the next row, opaque to callers so that it may
// become a keyset position later without breaking scripts.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func decodeCursor(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[1:]))
	return n, err == nil && n >= 0
}

// matches applies customer= and q=, which compare folded text so that
// "contoso sa", "Contoso S.A." and "CONTOSO" find the same customer.
func (lq listQuery) matches(d *deal.Deal) bool {
	if lq.customer != "" && !strings.Contains(vocab.Fold(d.Customer.Name), lq.customer) {
		return false
	}
	if lq.q != "" {
		hay := vocab.Fold(d.Name) + "\x00" + vocab.Fold(d.Customer.Name) + "\x00" + vocab.Fold(d.CRMID) + "\x00" + vocab.Fold(d.ExternalID)
		if !strings.Contains(hay, lq.q) {
			return false
		}
	}
	return true
}

// order sorts deals by the query's order, ties newest first.
func (s *Service) order(deals []*deal.Deal, by string) {
	rates := s.rates.Latest() // a sort key, not a registration verdict: the latest month will do
	usd := func(d *deal.Deal) float64 {
		v, ok := rates.USD(d.Value, d.Currency)
		if !ok {
			return d.Value.Float()
		}
		return v
	}
	laterZero := func(a, b time.Time) int { // zero times last
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return a.Compare(b)
	}
	slices.SortStableFunc(deals, func(a, b *deal.Deal) int {
		var c int
		switch by {
		case "expiry":
			c = laterZero(a.ExpiresAt, b.ExpiresAt)
		case "value":
			c = cmp.Compare(usd(b), usd(a))
		case "close":
			c = laterZero(a.CloseDate, b.CloseDate)
		case "updated":
			c = b.UpdatedAt.Compare(a.UpdatedAt)
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

// visibleDeals is every deal of the query the caller may see, in order.
func (s *Service) visibleDeals(ctx context.Context, c *call, lq listQuery) ([]*deal.Deal, error) {
	if !c.who.Global && !c.who.Has(access.ReferralsAdmin) {
		if len(lq.filter.Locations) == 0 {
			lq.filter.Locations = c.who.Locations
		} else if !c.who.InLocation(lq.filter.Locations[0]) {
			return nil, access.Deny("location %s is outside your scope (%s)", lq.filter.Locations[0], scopeText(c.who))
		}
	}
	all, err := s.rec.ListDeals(ctx, lq.filter)
	if err != nil {
		return nil, fmt.Errorf("listing deals: %w", err)
	}
	var deals []*deal.Deal
	for _, d := range all {
		if access.Decide(c.who, access.Deals, d) != nil || !lq.matches(d) {
			continue
		}
		d = asOf(d, c.now) // an expiry the sweep has not recorded yet shows as done
		if len(lq.filter.Statuses) > 0 && !slices.Contains(lq.filter.Statuses, d.Status) {
			continue
		}
		deals = append(deals, d)
	}
	s.order(deals, lq.sort)
	return deals, nil
}

// StageTotal is the count and value of a list's deals at one stage.
type StageTotal struct {
	Stage deal.Stage `json:"stage,omitempty"`
	// Status names a bucket of deals counted by status, not stage: a
	// referral not answered yet, and lost, declined, expired and closed as
	// error deals (Stage is then empty: theirs differ).
	Status deal.Status        `json:"status,omitempty"`
	Label  string             `json:"label"`
	Count  int                `json:"count"`
	Value  map[string]float64 `json:"value"` // by currency
}

func stageTotals(deals []*deal.Deal) []StageTotal {
	var out []StageTotal
	idx := map[string]int{}
	for _, d := range deals {
		label := vocab.StageLabel(d.Kind, d.Stage)
		t := StageTotal{Stage: d.Stage}
		if d.Stage == "" || d.Status.Terminal() && d.Status != deal.Won {
			label = vocab.Statuses.Label(string(d.Status))
			t = StageTotal{Status: d.Status}
		}
		i, ok := idx[label]
		if !ok {
			i = len(out)
			idx[label] = i
			t.Label, t.Value = label, map[string]float64{}
			out = append(out, t)
		}
		out[i].Count++
		if d.Value > 0 && d.Currency != "" {
			out[i].Value[d.Currency] += d.Value.Float()
		}
	}
	// Pipeline order: by stage percentage, then the stage's place in its
	// table (Created before Accepted, both at 0 %), then label; a referral
	// not answered yet first, closed deals last.
	rank := func(t StageTotal) (int, int) {
		for _, k := range []deal.Kind{deal.IPCoSell, deal.SolutionAssessment} {
			for i, info := range deal.Stages(k) {
				if info.Stage == t.Stage && info.Label == t.Label {
					return info.Percent, i
				}
			}
		}
		if t.Label == vocab.Statuses.Label(string(deal.Received)) {
			return -2, 0
		}
		return 101, 0 // lost, declined, expired, closed as error
	}
	slices.SortStableFunc(out, func(a, b StageTotal) int {
		pa, ia := rank(a)
		pb, ib := rank(b)
		if c := cmp.Compare(pa, pb); c != 0 {
			return c
		}
		if c := cmp.Compare(ia, ib); c != 0 {
			return c
		}
		return cmp.Compare(a.Label, b.Label)
	})
	return out
}

func totalText(t StageTotal) string {
	s := fmt.Sprintf("%s: %d", t.Label, t.Count)
	curs := make([]string, 0, len(t.Value))
	for cur := range t.Value {
		curs = append(curs, cur)
	}
	slices.Sort(curs)
	var vals []string
	for _, cur := range curs {
		vals = append(vals, fmt.Sprintf("%s %s", deal.Money(t.Value[cur]*100+0.5), cur))
	}
	if len(vals) > 0 {
		s += " (" + strings.Join(vals, " + ") + ")"
	}
	return s
}

func (s *Service) dealList(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayWorkDeals(c.who); err != nil {
		return Reply{}, err
	}
	lq, err := s.readList(c)
	if err != nil {
		return Reply{}, err
	}
	deals, err := s.visibleDeals(ctx, c, lq)
	if err != nil {
		return Reply{}, err
	}
	if lq.format == "csv" {
		return s.csvReply(deals, lq.tab, c.now)
	}
	pages := max(1, (len(deals)+lq.limit-1)/lq.limit)
	if lq.page > pages {
		// A well-formed command over data that changed (a page that
		// emptied): a refusal like other bad values, with the last page.
		return Reply{}, &deal.RuleError{Field: "page", Rule: "page_past_end",
			Message: fmt.Sprintf("page %d is past the end: the list has %d page%s (%s)", lq.page, pages, plural(pages), lq.line(c, pages))}
	}
	from := (lq.page - 1) * lq.limit
	shown := deals[from:min(from+lq.limit, len(deals))]
	views := make([]DealView, len(shown))
	for i, d := range shown {
		views[i] = View(d)
	}
	totals := stageTotals(deals)
	data := map[string]any{"deals": views, "total": len(deals), "page": lq.page, "pages": pages, "sort": lq.sort, "stages": totals}
	if totals == nil {
		data["stages"] = []StageTotal{}
	}
	var b strings.Builder
	what := lq.tab + " "
	switch lq.tab {
	case "favorites":
		what = "favorite "
	case "all":
		what = ""
	}
	if len(deals) == 0 {
		fmt.Fprintf(&b, "No %sdeals%s.", what, lq.narrowed())
		return Reply{Text: b.String(), Data: data}, nil
	}
	fmt.Fprintf(&b, "%d %sdeal%s%s", len(deals), what, plural(len(deals)), lq.narrowed())
	if pages > 1 {
		fmt.Fprintf(&b, " · page %d of %d", lq.page, pages)
	}
	fmt.Fprintf(&b, " · %s:", sortText[lq.sort])
	for _, d := range shown {
		b.WriteString("\n" + Line(d, c.now))
	}
	parts := make([]string, len(totals))
	for i, t := range totals {
		parts[i] = totalText(t)
	}
	b.WriteString("\nBy stage: " + strings.Join(parts, " · "))
	var actions []Action
	if lq.page > 1 {
		actions = append(actions, Action{Label: "Previous", Command: lq.line(c, lq.page-1)})
	}
	if lq.page < pages {
		actions = append(actions, Action{Label: "Next", Command: lq.line(c, lq.page+1), Style: "primary"})
		data["next_cursor"] = encodeCursor(lq.page * lq.limit) // the Next action says the command, on every surface
	}
	return Reply{Text: b.String(), Data: data, Actions: actions}, nil
}

var sortText = map[string]string{
	"newest": "newest first", "expiry": "soonest expiry first", "value": "largest value first",
	"close": "soonest close first", "updated": "latest change first",
}

func (lq listQuery) narrowed() string {
	var parts []string
	if lq.filter.Kind != "" {
		parts = append(parts, vocab.Kinds.Label(string(lq.filter.Kind)))
	}
	if len(lq.filter.Locations) > 0 {
		parts = append(parts, "location "+strings.Join(lq.filter.Locations, ", "))
	}
	if lq.customer != "" {
		parts = append(parts, "customer matching "+cite(lq.customerTyped))
	}
	if lq.q != "" {
		parts = append(parts, "matching "+cite(lq.qTyped))
	}
	if lq.filter.Stage != "" {
		parts = append(parts, "at "+vocab.StageLabel(lq.filter.Kind, lq.filter.Stage))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// line is the command that shows another page of the same list: the keys
// as typed, the page changed.
func (lq listQuery) line(c *call, page int) string {
	parts := []string{"deal list"}
	if len(c.pos) == 1 {
		parts = append(parts, strings.ToLower(c.pos[0]))
	}
	for _, k := range c.args.Keys {
		if k == "page" || k == "cursor" {
			continue
		}
		parts = append(parts, k+"="+quoteIfNeeded(c.get(k)))
	}
	return strings.Join(append(parts, "page="+strconv.Itoa(page)), " ")
}

func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"=") {
		return Quote(v)
	}
	return v
}

// Line renders a deal as one row of a list: its stage by name, since a
// manager reads "Proposed", not "60%".
func Line(d *deal.Deal, now time.Time) string {
	name := d.Name
	if name == "" {
		name = "(unnamed)"
	}
	s := fmt.Sprintf("#%d %s · %s · %s", d.ID, name, d.Customer.Name, deal.KindLabel(d.Kind))
	switch {
	case d.Status.Active():
		s += " · " + vocab.StageLabel(d.Kind, d.Stage)
	default:
		s += " · " + vocab.Statuses.Label(string(d.Status))
	}
	if d.Value > 0 {
		s += fmt.Sprintf(" · %s %s", d.Value, d.Currency)
	}
	if d.Status == deal.Received {
		s += " · expires " + until(now, d.ExpiresAt)
	} else if !d.CloseDate.IsZero() && !d.Status.Terminal() {
		s += " · close " + d.CloseDate.Format(time.DateOnly)
	}
	if d.Favorite {
		s += " ♥"
	}
	return s
}
