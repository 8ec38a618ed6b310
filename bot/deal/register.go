package deal

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// RegistrationMinimumUSD is the smallest deal value, in US dollars, that can
// be registered.
const RegistrationMinimumUSD = 25000

// WonAfterCreation is the gap Partner Center asks for between creating a deal
// and marking it won, or registration may be rejected.
const WonAfterCreation = 72 // hours

// MonthRates are one month's published conversion rates to US dollars.
type MonthRates struct {
	Month      string             `json:"month"` // YYYY-MM
	Source     string             `json:"source,omitempty"`
	USDPerUnit map[string]float64 `json:"usd_per_unit"`
}

// Rates is a dated table of monthly rates: a deal's value is converted at
// the rates of the month it was won, as Partner Center does.
type Rates struct {
	Source string       `json:"source,omitempty"`
	Months []MonthRates `json:"months"` // oldest first
}

//go:embed rates.json
var defaultRates []byte

// DefaultRates is the rates table shipped with cosellbot.
func DefaultRates() Rates {
	r, err := ParseRates(defaultRates)
	if err != nil {
		panic("deal: shipped rates.json is invalid: " + err.Error())
	}
	return r
}

// ParseRates reads a rates table such as the one COSELLBOT_RATES_FILE names:
// {"months": [{"month": "2026-10", "usd_per_unit": {...}}, ...]}, or a
// single month {"month": "2026-11", "usd_per_unit": {...}} as before.
func ParseRates(data []byte) (Rates, error) {
	var probe struct {
		Months json.RawMessage `json:"months"`
		Month  *string         `json:"month"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Rates{}, fmt.Errorf("rates: %w", err)
	}
	var r Rates
	if probe.Months == nil {
		var m MonthRates
		if err := json.Unmarshal(data, &m); err != nil {
			return Rates{}, fmt.Errorf("rates: %w", err)
		}
		r.Months = []MonthRates{m}
	} else if err := json.Unmarshal(data, &r); err != nil {
		return Rates{}, fmt.Errorf("rates: %w", err)
	}
	if len(r.Months) == 0 {
		return Rates{}, fmt.Errorf("rates: give at least one month")
	}
	seen := map[string]bool{}
	for _, m := range r.Months {
		if _, err := time.Parse("2006-01", m.Month); err != nil {
			return Rates{}, fmt.Errorf("rates: month must be YYYY-MM, got %q", m.Month)
		}
		if seen[m.Month] {
			return Rates{}, fmt.Errorf("rates: month %s is given twice", m.Month)
		}
		seen[m.Month] = true
		if m.USDPerUnit["USD"] != 1 {
			return Rates{}, fmt.Errorf("rates: %s: usd_per_unit must hold USD at 1", m.Month)
		}
		for cur, v := range m.USDPerUnit {
			if !ValidCurrency(cur) || v <= 0 {
				return Rates{}, fmt.Errorf("rates: %s: %q must be an ISO currency with a positive rate, got %v", m.Month, cur, v)
			}
		}
	}
	slices.SortFunc(r.Months, func(a, b MonthRates) int { return strings.Compare(a.Month, b.Month) })
	return r, nil
}

// Latest is the most recent month of the table.
func (r Rates) Latest() MonthRates {
	if len(r.Months) == 0 {
		return MonthRates{}
	}
	return r.Months[len(r.Months)-1]
}

// For is the month whose rates apply at t: t's own month, or, when the
// table lacks it, the latest month published before it (exact reports
// which). ok is false when the table starts after t.
func (r Rates) For(t time.Time) (m MonthRates, exact, ok bool) {
	want := t.UTC().Format("2006-01")
	for i := len(r.Months) - 1; i >= 0; i-- {
		if r.Months[i].Month <= want {
			return r.Months[i], r.Months[i].Month == want, true
		}
	}
	return MonthRates{}, false, false
}

// USD converts an amount; ok is false for a currency the month lacks.
func (m MonthRates) USD(v Money, currency string) (float64, bool) {
	rate, ok := m.USDPerUnit[strings.ToUpper(currency)]
	return v.Float() * rate, ok
}

// Criterion is one registration rule with its verdict.
type Criterion struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	Why  string `json:"why"`
}

// Eligibility is the full answer to "can this deal be registered?".
type Eligibility struct {
	Eligible bool        `json:"eligible"`
	Criteria []Criterion `json:"criteria"`
	Warnings []string    `json:"warnings"`
}

// eligibleIP reports whether a solution makes a deal registrable.
func eligibleIP(s Solution) bool {
	return s.Source == Mine && (s.IP == IPAzure || s.IP == IPBizAppsPremium || s.IP == IPBizAppsStd)
}

// RegistrableSolution reports whether one of sols would let a deal be
// registered once won (an Azure IP or Business Applications IP co-sell
// solution of yours). A won deal cannot change: an IP co-sell referral
// accepted without one must get it before it is won.
func RegistrableSolution(sols []Solution) bool { return slices.ContainsFunc(sols, eligibleIP) }

// Registration evaluates every deal registration criterion, so the partner
// sees all that is missing at once rather than one rule at a time.
func (d *Deal) Registration(rates Rates) Eligibility {
	var e Eligibility
	add := func(name string, ok bool, why string, args ...any) {
		e.Criteria = append(e.Criteria, Criterion{name, ok, fmt.Sprintf(why, args...)})
	}

	if d.Kind == IPCoSell || d.Kind == P2P {
		add("ip_cosell", true, "%s deals can be registered", KindLabel(d.Kind))
	} else {
		add("ip_cosell", false, "only IP co-sell deals are registered; this is a %s deal", KindLabel(d.Kind))
	}

	if d.Status == Won {
		add("won", true, "the deal is won")
	} else {
		add("won", false, "the deal must be won first; %s", d.where())
	}

	i := slices.IndexFunc(d.Solutions, eligibleIP)
	if i >= 0 {
		add("eligible_solution", true, "%s is a solution of yours, %s", d.Solutions[i].Name, d.Solutions[i].IP.Label())
	} else {
		add("eligible_solution", false, "no Azure IP co-sell, Biz Apps premium or Biz Apps standard solution of yours is on the deal")
	}

	switch {
	case d.SaleType == PartnerLed || d.SaleType == CoSell:
		add("sale_type", true, "%s deals qualify", SaleTypeLabel(d.SaleType))
	case d.Status.Terminal():
		// deal upgrade, the way on while it was open, is refused now.
		add("sale_type", false, "the deal must be partner-led or co-sell; it was %s when it closed, and a closed deal can no longer be upgraded", SaleTypeLabel(d.SaleType))
	default:
		add("sale_type", false, "the deal must be partner-led or co-sell; it is %s (deal upgrade %d partner-led, before it is won)", SaleTypeLabel(d.SaleType), d.ID)
	}

	switch {
	case d.SaleType != CoSell:
		add("microsoft_accepted", true, "not needed: the deal is not co-sell")
	case d.Microsoft == MSAccepted:
		add("microsoft_accepted", true, "Microsoft accepted the deal")
	case d.Microsoft == MSWon:
		add("microsoft_accepted", true, "Microsoft marked the deal won")
	default:
		add("microsoft_accepted", false, "for a co-sell deal Microsoft must accept the invitation or mark the deal won (Microsoft: %s)", msLabel(d.Microsoft))
	}

	// The value converts at the rates of the month the deal was won; a
	// deal not won yet is shown at the latest month's.
	month, when := rates.Latest(), "latest"
	if d.Status == Won && !d.WonAt.IsZero() {
		m, exact, ok := rates.For(d.WonAt)
		switch {
		case !ok:
			month, when = MonthRates{Month: d.WonAt.UTC().Format("2006-01")}, "won-month"
		case exact:
			month, when = m, "won-month"
		default:
			month, when = m, "before-won"
		}
	}
	label := "the rates of " + month.Month
	switch when {
	case "won-month":
		label += ", the month it was won"
	case "before-won":
		label += fmt.Sprintf(", the latest published before it was won in %s", d.WonAt.UTC().Format("2006-01"))
	}
	if usd, ok := month.USD(d.Value, d.Currency); !ok {
		add("value", false, "no rate for %s in %s: cannot convert %s %s", d.Currency, label, d.Value, d.Currency)
	} else if usd >= RegistrationMinimumUSD {
		add("value", true, "%s %s is about %s USD at %s (minimum 25,000 USD)", d.Value, d.Currency, Money(math.Round(usd*100)), label)
	} else {
		add("value", false, "%s %s is about %s USD at %s, under the 25,000 USD minimum", d.Value, d.Currency, Money(math.Round(usd*100)), label)
	}

	switch d.Customer.Account {
	case Managed:
		add("managed_account", true, "the customer account is Microsoft managed")
	case Other:
		add("managed_account", false, "the customer is a DUNS account: it qualifies only once matched to a Microsoft managed account")
	default:
		add("managed_account", false, "the customer account is Microsoft unmanaged")
	}

	e.Eligible = true
	for _, c := range e.Criteria {
		e.Eligible = e.Eligible && c.OK
	}
	if gap, early := d.wonEarly(); early {
		e.Warnings = append(e.Warnings, fmt.Sprintf("won %s after creation: leave at least 72 hours between creating a deal and marking it won, or registration may be rejected", hoursMinutes(gap)))
	}
	if d.InvolvesPartner() {
		e.Warnings = append(e.Warnings, "another partner is involved in this deal: in a partner-to-partner deal only the partner holding the end-customer contract registers it, so check that it is yours")
	}
	return e
}

// where says where a deal not won stands, by status and, while it is
// worked, by stage: "it is at Negotiated (80%)", "it is received (not
// accepted yet)".
func (d *Deal) where() string {
	switch {
	case d.Status.Active():
		return "it is at " + stageLabel(d.Kind, d.Stage)
	case d.Status == Received:
		return "it is a received referral, not accepted yet"
	}
	return "it is " + d.Status.Label()
}

// Registrable reports whether a deal could ever be registered: an IP
// co-sell (or P2P) deal still worked or won. Any other kind, or a deal
// lost, declined, expired or closed as error, never can.
func (d *Deal) Registrable() bool {
	return (d.Kind == IPCoSell || d.Kind == P2P) && (d.Status == Won || !d.Status.Terminal())
}

func msLabel(s MicrosoftState) string {
	if s == MSNone {
		return "not invited"
	}
	return string(s)
}

// InvolvesPartner reports whether another partner takes part in the deal:
// a P2P deal, a referral received from a partner, or one with a partner
// invited.
func (d *Deal) InvolvesPartner() bool {
	return d.Kind == P2P || strings.HasPrefix(d.From, "partner:") || len(d.Partners) > 0
}

// wonEarly reports whether a won deal was won less than 72 hours after it
// came into being, and how long after. An inbound deal came into being when
// its sender created it, which is as close as we know to when it was
// received.
func (d *Deal) wonEarly() (time.Duration, bool) {
	// Compare durations, never rounded hours: 71 h 59 min is under 72 h.
	gap := d.WonAt.Sub(d.born())
	return gap, d.Status == Won && gap < WonAfterCreation*time.Hour
}

// born is when the deal came into being: created here, or received.
func (d *Deal) born() time.Time {
	if !d.ReceivedAt.IsZero() {
		return d.ReceivedAt
	}
	return d.CreatedAt
}

// WinAdvice is what to know before marking d won at now, when it could be
// registered: a won deal cannot be unwon, so it is said before, not only in
// the reply after. A private deal is never registered, and once won it can
// no longer be upgraded (a tester's private IP co-sell deal, won after the
// 72-hour advice alone, lost its registration for good); one younger than
// 72 hours may have its registration rejected. "" otherwise (and when now
// is unknown).
func (d *Deal) WinAdvice(now time.Time) string {
	if !d.Registrable() || d.Status.Terminal() || now.IsZero() {
		return ""
	}
	if d.SaleType == Private {
		return fmt.Sprintf("It is private: a private deal cannot be registered, and once won it can no longer be upgraded; if you will register it, upgrade it first (deal upgrade %d partner-led).", d.ID)
	}
	until := d.born().Add(WonAfterCreation * time.Hour)
	if !now.Before(until) {
		return ""
	}
	// Dates, not an age: Slack keeps a button's question as the card was
	// drawn, and "created 0 h ago" on a card pressed days later misled (a
	// tester).
	return fmt.Sprintf("It was created on %s: registration may be rejected for a deal won within 72 hours of its creation, so if you will register it, wait until %s.",
		Moment(d.born()), Moment(until))
}

// hoursMinutes writes a duration as "71 h 59 min", truncated, never rounded
// up past a threshold.
func hoursMinutes(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
