// Package deal holds Partner Center's co-sell deal model and its lifecycle rules.
//
// It is plain Go with no I/O: callers pass the current time in, and every
// refusal is a *RuleError naming the field and the rule it broke, so that any
// adapter (chat, CLI, webhook) can explain it the same way.
package deal

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Direction tells whether a deal came to the partner or was created by it.
type Direction string

// Directions as Partner Center shows them in its inbound and outbound tabs.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Kind is the type of co-sell opportunity.
type Kind string

// The four deal kinds of Partner Center.
const (
	IPCoSell           Kind = "ip_cosell"
	ServicesCoSell     Kind = "services_cosell"
	P2P                Kind = "p2p"
	SolutionAssessment Kind = "solution_assessment"
)

// Kinds lists every kind, in the order help texts show them.
var Kinds = []Kind{IPCoSell, ServicesCoSell, P2P, SolutionAssessment}

// SaleType says how much Microsoft sees of and takes part in a deal.
type SaleType string

// Sale types: private (Microsoft sees nothing), partner-led (Microsoft sees,
// does not help), co-sell (Microsoft was asked for help).
const (
	Private    SaleType = "private"
	PartnerLed SaleType = "partner_led"
	CoSell     SaleType = "cosell"
)

// Status is where a deal is in its lifecycle.
type Status string

// Lifecycle statuses. Won, Lost, Declined, Expired and Error are terminal.
const (
	Received Status = "received"
	Created  Status = "created"
	Accepted Status = "accepted"
	Won      Status = "won"
	Lost     Status = "lost"
	Declined Status = "declined"
	Expired  Status = "expired"
	Error    Status = "error"
)

// Terminal reports whether nothing about a deal in this status may change.
func (s Status) Terminal() bool {
	switch s {
	case Won, Lost, Declined, Expired, Error:
		return true
	}
	return false
}

// Active reports whether the partner is working the deal (sales stages apply).
func (s Status) Active() bool { return s == Created || s == Accepted }

// AccountClass is how Microsoft knows the customer account.
type AccountClass string

// Account classes of the customer picker.
const (
	Managed   AccountClass = "managed"
	Unmanaged AccountClass = "unmanaged"
	// Other is a DUNS (Dun & Bradstreet) account whose managed status is not
	// known until Microsoft's internal account matching has run.
	Other AccountClass = "other"
)

// Intent is the marketplace intent of an IP co-sell deal.
type Intent string

// Marketplace intents.
const (
	IntentYes       Intent = "yes"
	IntentNo        Intent = "no"
	IntentUndecided Intent = "undecided"
)

// intentLabels are Partner Center's answers to the marketplace intent
// question (vocab.Intents labels them the same).
var intentLabels = map[Intent]string{IntentYes: "Yes", IntentNo: "No", IntentUndecided: "Undecided"}

// Label is the marketplace intent as Partner Center writes it.
func (i Intent) Label() string {
	if l, ok := intentLabels[i]; ok {
		return l
	}
	return string(i)
}

// Help is the kind of help asked of Microsoft; anything but HelpNone makes
// the deal an active co-sell.
type Help string

// Help types offered by Partner Center's "what help do you need" question.
const (
	HelpNone         Help = "none"
	HelpTechnical    Help = "technical"
	HelpArchitecture Help = "architecture"
	HelpPricing      Help = "pricing"
	HelpFunding      Help = "funding"
	HelpExecutive    Help = "executive"
	HelpCustomer     Help = "customer-engagement"
	HelpOther        Help = "other"
)

// Helps lists the accepted help types.
var Helps = []Help{HelpNone, HelpTechnical, HelpArchitecture, HelpPricing, HelpFunding, HelpExecutive, HelpCustomer, HelpOther}

// helpLabels are Partner Center's words for the help types: history lines
// and cards print them (vocab.Helps reads them too).
var helpLabels = map[Help]string{
	HelpNone: "No help needed", HelpTechnical: "Technical help", HelpArchitecture: "Architecture review",
	HelpPricing: "Pricing and licensing", HelpFunding: "Funding and investments", HelpExecutive: "Executive sponsorship",
	HelpCustomer: "Customer engagement", HelpOther: "Other",
}

// Label is the help type as Partner Center names it.
func (h Help) Label() string {
	if l, ok := helpLabels[h]; ok {
		return l
	}
	return string(h)
}

// Role is the partner role of a services co-sell deal.
type Role string

// Roles lists Partner Center's partner roles for services co-sell.
var Roles = []Role{
	"pre-sales-vision", "solution-design", "proof-of-concept", "business-strategy",
	"deployment-services", "implementation-change-management", "transaction", "managed-services",
}

// Person is a team member or a customer contact.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Customer is the end customer of a deal.
type Customer struct {
	Name     string       `json:"name"`
	Location string       `json:"location"` // ISO 3166 country code
	Account  AccountClass `json:"account"`
	MACC     bool         `json:"macc"`
	Contact  *Person      `json:"contact,omitempty"`
	Consent  bool         `json:"consent"`
}

// SolutionSource says whose solution it is.
type SolutionSource string

// Solution sources; Assessment entries are the solution assessment types a
// vetted partner may sell.
const (
	Mine       SolutionSource = "mine"
	Microsoft  SolutionSource = "microsoft"
	ThirdParty SolutionSource = "third_party"
	Assessment SolutionSource = "assessment"
)

// IPKind is the co-sell eligibility of a partner's own IP solution.
type IPKind string

// IP solution kinds that make a deal eligible for registration.
const (
	IPNone           IPKind = ""
	IPAzure          IPKind = "azure"
	IPBizAppsPremium IPKind = "bizapps_premium"
	IPBizAppsStd     IPKind = "bizapps_standard"
)

// ipLabels are Partner Center's names of the IP co-sell eligibilities
// (vocab.IPKinds reads them too).
var ipLabels = map[IPKind]string{
	IPAzure: "Azure IP co-sell eligible", IPBizAppsPremium: "Business Applications IP co-sell premium",
	IPBizAppsStd: "Business Applications IP co-sell standard",
}

// Label is the eligibility as Partner Center names it.
func (k IPKind) Label() string {
	if l, ok := ipLabels[k]; ok {
		return l
	}
	return string(k)
}

// Solution is an entry of the partner's solution catalog as attached to a deal.
type Solution struct {
	Name         string         `json:"name"`
	Source       SolutionSource `json:"source"`
	IP           IPKind         `json:"ip,omitempty"`
	MACC         bool           `json:"macc"`
	Incentivized bool           `json:"incentivized"`
}

// MicrosoftState is where Microsoft stands on a deal.
type MicrosoftState string

// States of Microsoft's participation.
const (
	MSNone     MicrosoftState = ""
	MSInvited  MicrosoftState = "invited"
	MSAccepted MicrosoftState = "accepted"
	MSDeclined MicrosoftState = "declined"
	MSWon      MicrosoftState = "won"
	// MSLapsed: Microsoft did not answer within its 14-day decision window.
	MSLapsed MicrosoftState = "lapsed"
)

// MicrosoftDecisionWindow is how long Microsoft sellers have to decide whether
// to join a deal that asked for help.
const MicrosoftDecisionWindow = 14 * 24 * time.Hour

// ReferralWindow is how long an inbound referral waits for an answer before
// Partner Center archives it as expired.
const ReferralWindow = 14 * 24 * time.Hour

// Invitation is a partner invited onto a deal (P2P), with its own share.
type Invitation struct {
	Partner   string     `json:"partner"`
	Value     Money      `json:"value"`
	Currency  string     `json:"currency"`
	CloseDate time.Time  `json:"close_date"`
	Notes     string     `json:"notes"`
	Help      Help       `json:"help"`
	Team      []Person   `json:"team"`
	Solutions []Solution `json:"solutions"`
	InvitedAt time.Time  `json:"invited_at"`
}

// Deal is a co-sell opportunity, inbound or outbound.
type Deal struct {
	ID        int64
	Version   int64 // optimistic concurrency: bumped by every stored change
	Name      string
	Direction Direction
	Kind      Kind
	SaleType  SaleType
	Status    Status
	Stage     Stage
	Marked    []Stage // sales stages marked so far (mandatory for SA before Won)
	Value     Money
	Currency  string
	CloseDate time.Time
	Location  string // MPN location scope, fixed at creation
	Customer  Customer
	Team      []Person
	Solutions []Solution

	CRMID, CampaignID, Notes   string
	Role                       Role
	Program                    string // partner program of inbound services deals
	SolutionArea, SolutionPlay string
	Intent                     Intent
	AssessmentLocation         string
	Help                       Help

	Microsoft   MicrosoftState
	InvitedAt   time.Time // when Microsoft was asked for help
	DecisionDue time.Time // end of Microsoft's 14-day decision window
	Partners    []Invitation

	Favorite   bool
	From       string // sender of an inbound deal: "microsoft" or "partner:NAME"
	ExternalID string // the referral id in Partner Center or a CRM, when known
	ReceivedAt time.Time
	ExpiresAt  time.Time
	Reason     string // why it was declined, lost or closed as error
	// DeclineNotes is what the partner told the sender with a decline:
	// kept apart from Notes, which hold the sender's description of what
	// the customer needs.
	DeclineNotes string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	WonAt        time.Time

	// Changed is when each synced field (name, value, close, stage…) last
	// changed, from any origin, by that origin's clock: the change path
	// compares an outside system's change against it, so that an older
	// change never overwrites a newer one.
	Changed map[string]time.Time
}

// OnTeam reports whether the e-mail belongs to a member of the deal's team or
// of one of its invitations' teams.
func (d *Deal) OnTeam(email string) bool {
	match := func(p Person) bool { return strings.EqualFold(p.Email, email) }
	if slices.ContainsFunc(d.Team, match) {
		return true
	}
	for _, inv := range d.Partners {
		if slices.ContainsFunc(inv.Team, match) {
			return true
		}
	}
	return false
}

// Percent is the stage percentage Partner Center shows for the deal.
func (d *Deal) Percent() int {
	if info, ok := StageOf(d.Kind, d.Stage); ok {
		return info.Percent
	}
	return 0
}

// Clone returns a deep copy, so that a rule can be tried without touching the
// original.
func (d *Deal) Clone() *Deal {
	c := *d
	c.Marked = slices.Clone(d.Marked)
	c.Team = slices.Clone(d.Team)
	c.Solutions = slices.Clone(d.Solutions)
	c.Partners = slices.Clone(d.Partners)
	c.Changed = maps.Clone(d.Changed)
	if d.Customer.Contact != nil {
		p := *d.Customer.Contact
		c.Customer.Contact = &p
	}
	return &c
}
