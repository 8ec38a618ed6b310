package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// columnCap bounds the cards a column shows; its header still counts and
// totals every deal in it, and the filters narrow it down.
const columnCap = 25

// filter is what the filter form asks for.
type filter struct {
	Location, Kind, Sale, Member, Q, Sort, Status string
}

var (
	kindValues   = []string{"ip_cosell", "services_cosell", "p2p", "solution_assessment"}
	kindShort    = map[string]string{"ip": "ip_cosell", "services": "services_cosell", "sa": "solution_assessment"}
	saleValues   = []string{"private", "partner_led", "cosell"}
	statusValues = []string{"open", "closed", "all"}
	sortValues   = []string{"close", "value", "expiry", "updated", "name"}
)

// parseFilter reads the query; a value outside a closed set is an error
// naming what to write, and the filter falls back to its default.
func parseFilter(q url.Values) (filter, error) {
	f := filter{
		Location: strings.TrimSpace(q.Get("location")), Kind: strings.ToLower(strings.TrimSpace(q.Get("kind"))),
		Sale: strings.ToLower(strings.TrimSpace(q.Get("sale"))), Member: strings.ToLower(strings.TrimSpace(q.Get("member"))),
		Q: strings.TrimSpace(q.Get("q")), Sort: strings.ToLower(q.Get("sort")), Status: strings.ToLower(q.Get("status")),
	}
	var errs []error
	if long, ok := kindShort[f.Kind]; ok {
		f.Kind = long
	}
	check := func(name string, v *string, allowed []string, def string) {
		if *v == "" {
			*v = def
			return
		}
		if !slices.Contains(allowed, *v) {
			errs = append(errs, fmt.Errorf("%s=%q is not known: use one of %s", name, *v, strings.Join(allowed, ", ")))
			*v = def
		}
	}
	check("kind", &f.Kind, kindValues, "")
	check("sale", &f.Sale, saleValues, "")
	check("status", &f.Status, statusValues, "open")
	check("sort", &f.Sort, sortValues, "close")
	if len(f.Q) > 200 {
		errs = append(errs, errors.New("the search is longer than 200 characters: shorten it"))
		f.Q = f.Q[:200]
	}
	return f, errors.Join(errs...)
}

// Query is the filter as a query string, for links that keep it.
func (f filter) Query() string {
	q := url.Values{}
	for k, v := range map[string]string{"location": f.Location, "kind": f.Kind, "sale": f.Sale, "member": f.Member, "q": f.Q} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Status != "open" {
		q.Set("status", f.Status)
	}
	if f.Sort != "close" {
		q.Set("sort", f.Sort)
	}
	return q.Encode()
}

func open(st deal.Status) bool { return st == deal.Received || st.Active() }

// visible are the deals who may see (the chat's rule) that match f.
// withStatus false ignores f.Status (the charts choose their own).
func (snap *snapshot) visible(who access.User, f filter, withStatus bool) []*deal.Deal {
	q := strings.ToLower(f.Q)
	all := snap.ordered(f.Sort)
	out := make([]*deal.Deal, 0, len(all))
	for _, d := range all {
		if !who.CanSee(d) {
			continue
		}
		if withStatus && (f.Status == "open" && !open(d.Status) || f.Status == "closed" && !d.Status.Terminal()) {
			continue
		}
		if f.Location != "" && !strings.EqualFold(d.Location, f.Location) ||
			f.Kind != "" && string(d.Kind) != f.Kind ||
			f.Sale != "" && string(d.SaleType) != f.Sale ||
			f.Member != "" && !d.OnTeam(f.Member) ||
			q != "" && !strings.Contains(snap.search[d.ID], q) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func sortDeals(ds []*deal.Deal, by string) {
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	orZero := func(t time.Time) time.Time {
		if t.IsZero() {
			return far
		}
		return t
	}
	slices.SortStableFunc(ds, func(a, b *deal.Deal) int {
		var c int
		switch by {
		case "value":
			c = cmp.Compare(b.Value, a.Value) // the currency table is not consulted: sorting stays exact within one currency
		case "expiry":
			c = orZero(a.ExpiresAt).Compare(orZero(b.ExpiresAt))
		case "updated":
			c = b.UpdatedAt.Compare(a.UpdatedAt)
		case "name":
			c = cmp.Compare(strings.ToLower(a.Name+a.Customer.Name), strings.ToLower(b.Name+b.Customer.Name))
		default:
			c = orZero(a.CloseDate).Compare(orZero(b.CloseDate))
		}
		return cmp.Or(c, cmp.Compare(a.ID, b.ID))
	})
}

// total is a count and a converted sum.
type total struct {
	Count   int
	USD     float64
	Missing int // deals whose currency the rates table lacks
}

func (t *total) add(c converted) {
	t.Count++
	if c.ok {
		t.USD += c.usd
	} else {
		t.Missing++
	}
}

type column struct {
	Key, Label string
	Percent    int
	Cards      []*deal.Deal
	CardsHTML  template.HTML
	total
	More int
}

type lane struct {
	Key, Title string
	Columns    []*column
}

// columnOf is the board column of a deal: received referrals first, then
// its stage, then closed for the terminal ones other than won.
func columnOf(d *deal.Deal) string {
	switch {
	case d.Status == deal.Received:
		return "received"
	case d.Status == deal.Won:
		return string(deal.StageWon)
	case d.Status.Terminal():
		return "closed"
	}
	if _, ok := deal.StageOf(d.Kind, d.Stage); ok && d.Stage != "" {
		return string(d.Stage)
	}
	return string(d.Status) // created or accepted, before any stage is marked
}

type options struct {
	Locations, Members []string
	Kinds, Sales       []string
	Statuses, Sorts    []string
}

type boardData struct {
	*page
	F      filter
	Opts   options
	Lanes  []*lane
	All    total
	Rates  deal.MonthRates
	Closed bool
}

// optionsFor lists the choices of the filter form from the deals who can
// see, once per snapshot and scope.
func (snap *snapshot) optionsFor(who access.User) options {
	key := "*"
	if !who.Has(access.ReferralsAdmin) && !who.Global {
		key = who.ID + "|" + strings.Join(who.Locations, ",")
	}
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if o, ok := snap.options[key]; ok {
		return o
	}
	o := snap.makeOptions(who)
	snap.options[key] = o
	return o
}

func (snap *snapshot) makeOptions(who access.User) options {
	locs, members := map[string]bool{}, map[string]bool{}
	for _, d := range snap.deals {
		if !who.CanSee(d) {
			continue
		}
		locs[d.Location] = true
		for _, p := range d.Team {
			members[strings.ToLower(p.Email)] = true
		}
	}
	o := options{Kinds: kindValues, Sales: saleValues, Statuses: statusValues, Sorts: sortValues}
	for l := range locs {
		o.Locations = append(o.Locations, l)
	}
	for m := range members {
		o.Members = append(o.Members, m)
	}
	slices.Sort(o.Locations)
	slices.Sort(o.Members)
	return o
}

// filtered reads the filter and the snapshot, and says which deals the
// person sees; a bad filter is shown on the page with a 400.
func (s *Server) filtered(w http.ResponseWriter, r *http.Request, pg *page) (*snapshot, filter, int, bool) {
	f, ferr := parseFilter(r.URL.Query())
	snap, err := s.current(r.Context(), pg.L.now)
	if err != nil {
		s.fail(w, r, err)
		return nil, f, 0, false
	}
	code := http.StatusOK
	if ferr != nil {
		pg.Error = pg.L.T("err.filter") + ": " + ferr.Error()
		code = http.StatusBadRequest
	}
	return snap, f, code, true
}

func (s *Server) board(w http.ResponseWriter, r *http.Request, pg *page) {
	pg.Nav, pg.Title = "board", pg.L.T("nav.board")
	snap, f, code, ok := s.filtered(w, r, pg)
	if !ok {
		return
	}
	d := &boardData{page: pg, F: f, Rates: s.rates, Closed: f.Status != "open"}
	if pg.Who.Referrals() {
		d.Opts = snap.optionsFor(pg.Who)
		ds := snap.visible(pg.Who, f, true)
		d.Lanes = lanes(snap, ds, d.Closed, pg.L)
		for _, dl := range ds {
			d.All.add(snap.usd[dl.ID])
		}
	}
	s.render(w, r, code, "board", d)
}

func lanes(snap *snapshot, ds []*deal.Deal, closed bool, l *locale) []*lane {
	mk := func(key, title string, k deal.Kind) *lane {
		ln := &lane{Key: key, Title: l.T(title)}
		ln.Columns = append(ln.Columns, &column{Key: "received", Label: l.T("col.received")})
		for _, st := range deal.Stages(k) {
			ln.Columns = append(ln.Columns, &column{Key: string(st.Stage), Label: l.Label("stage", st.Stage), Percent: st.Percent})
		}
		if closed {
			ln.Columns = append(ln.Columns, &column{Key: "closed", Label: l.T("col.closed")})
		}
		return ln
	}
	co, sa := mk("cosell", "lane.cosell", deal.IPCoSell), mk("sa", "lane.sa", deal.SolutionAssessment)
	for _, d := range ds {
		ln := co
		if d.Kind == deal.SolutionAssessment {
			ln = sa
		}
		key := columnOf(d)
		for _, c := range ln.Columns {
			if c.Key == key {
				c.add(snap.usd[d.ID])
				if len(c.Cards) < columnCap {
					c.Cards = append(c.Cards, d)
				} else {
					c.More++
				}
				break
			}
		}
	}
	// One buffer for every card, cut into the columns' parts afterwards.
	var b strings.Builder
	b.Grow(64 << 10)
	var ends []int
	for _, ln := range []*lane{co, sa} {
		for _, c := range ln.Columns {
			for _, d := range c.Cards {
				writeCard(&b, snap, d, l)
			}
			ends = append(ends, b.Len())
		}
	}
	all, start, i := b.String(), 0, 0
	for _, ln := range []*lane{co, sa} {
		for _, c := range ln.Columns {
			c.CardsHTML = template.HTML(all[start:ends[i]])
			start = ends[i]
			i++
		}
	}
	return []*lane{co, sa}
}

// writeCard writes a deal's card. It is Go rather than a template because
// a board has hundreds of them; what does not depend on the time is made
// once per snapshot and language (cardParts), and only the countdown to a
// referral's expiry is written each time. Every value is escaped.
func writeCard(b *strings.Builder, snap *snapshot, d *deal.Deal, l *locale) {
	head, tail := snap.cardParts(d, l)
	b.WriteString(`<li><article class="card`)
	if d.Status == deal.Received && l.Urgent(d.ExpiresAt) {
		b.WriteString(` urgent`)
	}
	b.WriteString(head)
	if d.Status == deal.Received {
		b.WriteString(`<div><dt>`)
		b.WriteString(template.HTMLEscapeString(l.T("card.expires")))
		b.WriteString(`</dt><dd class="countdown">`)
		b.WriteString(template.HTMLEscapeString(l.Countdown(d.ExpiresAt)))
		b.WriteString(`</dd></div>`)
	}
	b.WriteString(tail)
}

type cardKey struct {
	id   int64
	lang string
}

// cardParts are a card's HTML around its countdown, made once per snapshot.
func (snap *snapshot) cardParts(d *deal.Deal, l *locale) (string, string) {
	k := cardKey{d.ID, l.Lang}
	if v, ok := snap.cards.Load(k); ok {
		p := v.(*[2]string)
		return p[0], p[1]
	}
	e := template.HTMLEscapeString
	var b strings.Builder
	id := strconv.FormatInt(d.ID, 10)
	b.WriteString(`" data-deal="` + id + `"><h4><a href="/deals/` + id + `">#` + id + ` `)
	if d.Name != "" {
		b.WriteString(e(d.Name))
	} else {
		b.WriteString(e(l.T("deal.unnamed")))
	}
	b.WriteString(`</a></h4><p class="customer">` + e(d.Customer.Name) + `</p><dl>`)
	row := func(key, val string) {
		b.WriteString(`<div><dt>` + e(l.T(key)) + `</dt><dd>` + e(val) + `</dd></div>`)
	}
	if d.Value != 0 {
		row("card.value", l.Money(d.Value, d.Currency))
	}
	if !d.CloseDate.IsZero() {
		row("card.close", l.Date(d.CloseDate))
	}
	head := b.String()
	b.Reset()
	b.WriteString(`</dl><p class="tags">` + e(l.Label("kind", d.Kind)) + ` · ` + e(l.Label("sale", d.SaleType)) + ` · ` + e(d.Location))
	if d.Status.Terminal() {
		b.WriteString(` · ` + e(l.Label("st", d.Status)))
	}
	b.WriteString("</p></article></li>\n")
	p := &[2]string{head, b.String()}
	snap.cards.Store(k, p)
	return p[0], p[1]
}

type expiringData struct {
	*page
	F     filter
	Opts  options
	Deals []*deal.Deal
}

// expiring lists the received referrals that expire within a week, soonest
// first: the chat's deal list expiring.
func (s *Server) expiring(w http.ResponseWriter, r *http.Request, pg *page) {
	pg.Nav, pg.Title = "expiring", pg.L.T("nav.expiring")
	snap, f, code, ok := s.filtered(w, r, pg)
	if !ok {
		return
	}
	d := &expiringData{page: pg, F: f}
	if pg.Who.Referrals() {
		d.Opts = snap.optionsFor(pg.Who)
		f.Status = "open"
		horizon := pg.L.now.Add(command.ExpiringWithin)
		for _, dl := range snap.visible(pg.Who, f, true) {
			if dl.Status == deal.Received && !dl.ExpiresAt.IsZero() && dl.ExpiresAt.Before(horizon) {
				d.Deals = append(d.Deals, dl)
			}
		}
		slices.SortStableFunc(d.Deals, func(a, b *deal.Deal) int { return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), cmp.Compare(a.ID, b.ID)) })
	}
	s.render(w, r, code, "expiring", d)
}

type dealData struct {
	*page
	D       *deal.Deal
	USD     float64
	HasUSD  bool
	Rates   deal.MonthRates
	Links   [][2]string
	History []ledger.Entry
}

// dealPage shows one deal, if the person may see it; one they may not is
// absent, as in chat, so that scopes do not leak what exists elsewhere.
func (s *Server) dealPage(w http.ResponseWriter, r *http.Request, pg *page) {
	pg.Nav = "deal"
	raw := mux.Vars(r)["id"]
	id, err := strconv.ParseInt(strings.TrimPrefix(raw, "#"), 10, 64)
	snap, serr := s.current(r.Context(), pg.L.now)
	if serr != nil {
		s.fail(w, r, serr)
		return
	}
	d, found := snap.byID[id]
	if err != nil || !found || !pg.Who.CanSee(d) {
		pg.Title, pg.Error = pg.L.T("nav.board"), pg.L.F("err.notfound", raw)
		s.render(w, r, http.StatusNotFound, "deal", &dealData{page: pg})
		return
	}
	hist, err := s.rec.History(r.Context(), id)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	links, err := s.rec.DealLinks(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dd := &dealData{page: pg, D: d, History: hist, Rates: s.rates}
	dd.USD, dd.HasUSD = s.rates.USD(d.Value, d.Currency)
	for src, ext := range links {
		dd.Links = append(dd.Links, [2]string{src, ext})
	}
	slices.SortFunc(dd.Links, func(a, b [2]string) int { return cmp.Compare(a[0], b[0]) })
	pg.Title = pg.L.F("deal.title", d.ID)
	s.render(w, r, http.StatusOK, "deal", dd)
}

type claimsData struct {
	*page
	Allowed bool
	Claims  []*cpor.Claim
}

// claimsPage lists the CPOR claims to people with an incentives role, as the
// chat's cpor list does, newest first.
func (s *Server) claimsPage(w http.ResponseWriter, r *http.Request, pg *page) {
	pg.Nav, pg.Title = "claims", pg.L.T("claims.title")
	d := &claimsData{page: pg, Allowed: pg.Who.Has(access.IncentivesAdmin) || pg.Who.Has(access.IncentivesUser)}
	if d.Allowed {
		snap, err := s.current(r.Context(), pg.L.now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Claims = slices.Clone(snap.claims)
		slices.SortFunc(d.Claims, func(a, b *cpor.Claim) int { return cmp.Compare(b.ID, a.ID) })
	}
	s.render(w, r, http.StatusOK, "claims", d)
}
