package deal

import (
	_ "embed"
	"encoding/json"
	"fmt"
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

// Rates converts deal values to US dollars with a month's published rates.
type Rates struct {
	Month      string             `json:"month"`
	Source     string             `json:"source"`
	USDPerUnit map[string]float64 `json:"usd_per_unit"`
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

// ParseRates reads a rates table such as the one COSELLBOT_RATES_FILE names.
func ParseRates(data []byte) (Rates, error) {
	var r Rates
	if err := json.Unmarshal(data, &r); err != nil {
		return Rates{}, fmt.Errorf("rates: %w", err)
	}
	if _, err := time.Parse("2006-01", r.Month); err != nil {
		return Rates{}, fmt.Errorf("rates: month must be YYYY-MM, got %q", r.Month)
	}
	if r.USDPerUnit["USD"] != 1 {
		return Rates{}, fmt.Errorf("rates: usd_per_unit must hold USD at 1")
	}
	for cur, v := range r.USDPerUnit {
		if !ValidCurrency(cur) || v <= 0 {
			return Rates{}, fmt.Errorf("rates: %q must be an ISO currency with a positive rate, got %v", cur, v)
		}
	}
	return r, nil
}

// USD converts an amount; ok is false for a currency the table lacks.
func (r Rates) USD(m Money, currency string) (float64, bool) {
	rate, ok := r.USDPerUnit[strings.ToUpper(currency)]
	return m.Float() * rate, ok
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
		add("won", false, "the deal must be won first; it is %s", d.Status)
	}

	i := slices.IndexFunc(d.Solutions, eligibleIP)
	if i >= 0 {
		add("eligible_solution", true, "%s is an IP co-sell eligible solution (%s)", d.Solutions[i].Name, d.Solutions[i].IP)
	} else {
		add("eligible_solution", false, "no Azure IP co-sell, Biz Apps premium or Biz Apps standard solution of yours is on the deal")
	}

	if d.SaleType == PartnerLed || d.SaleType == CoSell {
		add("sale_type", true, "%s deals qualify", SaleTypeLabel(d.SaleType))
	} else {
		add("sale_type", false, "the deal must be partner-led or co-sell; it is %s (deal upgrade)", SaleTypeLabel(d.SaleType))
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

	if usd, ok := rates.USD(d.Value, d.Currency); !ok {
		add("value", false, "no %s rate for %s in the rates table: cannot convert %s %s", rates.Month, d.Currency, d.Value, d.Currency)
	} else if usd >= RegistrationMinimumUSD {
		add("value", true, "%s %s is about %s USD at %s rates (minimum 25,000 USD)", d.Value, d.Currency, Money(usd*100), rates.Month)
	} else {
		add("value", false, "%s %s is about %s USD at %s rates, under the 25,000 USD minimum", d.Value, d.Currency, Money(usd*100), rates.Month)
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
	// An inbound deal came into being when its sender created it, which is
	// as close as we know to when it was received.
	born := d.CreatedAt
	if !d.ReceivedAt.IsZero() {
		born = d.ReceivedAt
	}
	if d.Status == Won && d.WonAt.Sub(born).Hours() < WonAfterCreation {
		e.Warnings = append(e.Warnings, fmt.Sprintf("won %.0f hours after creation: leave at least 72 hours between creating a deal and marking it won, or registration may be rejected", d.WonAt.Sub(born).Hours()))
	}
	if d.Kind == P2P || len(d.Partners) > 0 {
		e.Warnings = append(e.Warnings, "in a partner-to-partner deal only the partner holding the end-customer contract registers it")
	}
	return e
}

func msLabel(s MicrosoftState) string {
	if s == MSNone {
		return "not invited"
	}
	return string(s)
}
