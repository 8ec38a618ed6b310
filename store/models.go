package store

import (
	"encoding/json"
	"fmt"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// The GORM models below mirror migrations/*/00001_init.sql column for column;
// TestSchemaMatchesModels keeps them honest. GORM never creates tables here:
// the SQL migrations do.

// dealRow is a deal as stored. What lists filter or sort on is a real column;
// everything else is in Body, a JSON document of dealBody.
type dealRow struct {
	ID               int64      `gorm:"column:id;primaryKey;autoIncrement;index:deals_crm_id,priority:2"`
	Version          int64      `gorm:"column:version;not null"`
	Name             string     `gorm:"column:name;not null"`
	Direction        string     `gorm:"column:direction;not null;index:deals_direction_status,priority:1"`
	Kind             string     `gorm:"column:kind;not null"`
	SaleType         string     `gorm:"column:sale_type;not null"`
	Status           string     `gorm:"column:status;not null;index:deals_status_expires_at,priority:1;index:deals_direction_status,priority:2"`
	Stage            string     `gorm:"column:stage;not null"`
	Location         string     `gorm:"column:location;not null;index:deals_location"`
	Value            int64      `gorm:"column:value;not null"`
	Currency         string     `gorm:"column:currency;not null"`
	CloseDate        *time.Time `gorm:"column:close_date;type:date"`
	CustomerName     string     `gorm:"column:customer_name;not null"`
	CustomerLocation string     `gorm:"column:customer_location;not null"`
	ExternalID       *string    `gorm:"column:external_id;uniqueIndex:deals_external_id"`
	Favorite         bool       `gorm:"column:favorite;not null"`
	ExpiresAt        *time.Time `gorm:"column:expires_at;index:deals_status_expires_at,priority:2"`
	DecisionDue      *time.Time `gorm:"column:decision_due"`
	CreatedAt        time.Time  `gorm:"column:created_at;not null;autoCreateTime:false"`
	UpdatedAt        time.Time  `gorm:"column:updated_at;not null;autoUpdateTime:false;index:deals_updated_at"`
	WonAt            *time.Time `gorm:"column:won_at"`
	// CRMID repeats the body's crm_id so that a CRM record's first event
	// finds its deal by index, not by reading every body (00010). The
	// index holds the id too: the first deal by id is then the index's
	// first entry, where PostgreSQL's generic plan of "crm_id = $1 ORDER
	// BY id LIMIT 1" walked the primary key instead (2 ms at 10,000 deals).
	// A CRM ID belongs to one deal: deals_crm_id_unique (00014) refuses a
	// second, and the database sets the column from the body (00013).
	CRMID string `gorm:"column:crm_id;not null;index:deals_crm_id,priority:1;index:deals_crm_id_unique,unique,where:crm_id <> ''"`
	Body  string `gorm:"column:body;not null"`
}

// TableName is the deals table.
func (dealRow) TableName() string { return "deals" }

// dealBody is the JSON format of dealRow.Body. Its field names are a storage
// format: rename a Go field freely, never a json tag. Empty values are
// omitted; an empty list comes back as nil.
type dealBody struct {
	Customer           customerBody     `json:"customer"`
	Team               []personBody     `json:"team,omitempty"`
	Solutions          []solutionBody   `json:"solutions,omitempty"`
	Marked             []string         `json:"marked,omitempty"`
	Partners           []invitationBody `json:"partners,omitempty"`
	Role               string           `json:"role,omitempty"`
	Program            string           `json:"program,omitempty"`
	SolutionArea       string           `json:"solution_area,omitempty"`
	SolutionPlay       string           `json:"solution_play,omitempty"`
	Intent             string           `json:"intent,omitempty"`
	AssessmentLocation string           `json:"assessment_location,omitempty"`
	Help               string           `json:"help,omitempty"`
	Microsoft          string           `json:"microsoft,omitempty"`
	InvitedAt          *time.Time       `json:"invited_at,omitempty"`
	From               string           `json:"from,omitempty"`
	ReceivedAt         *time.Time       `json:"received_at,omitempty"`
	Reason             string           `json:"reason,omitempty"`
	DeclineNotes       string           `json:"decline_notes,omitempty"`
	CRMID              string           `json:"crm_id,omitempty"`
	CampaignID         string           `json:"campaign_id,omitempty"`
	Notes              string           `json:"notes,omitempty"`
	// Changed is when each synced field last changed (bot/change).
	Changed map[string]time.Time `json:"changed,omitempty"`
}

// customerBody is the customer minus its name and location, which are columns.
type customerBody struct {
	Account string      `json:"account,omitempty"`
	MACC    bool        `json:"macc,omitempty"`
	Contact *personBody `json:"contact,omitempty"`
	Consent bool        `json:"consent,omitempty"`
}

type personBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

type solutionBody struct {
	Name         string `json:"name"`
	Source       string `json:"source"`
	IP           string `json:"ip,omitempty"`
	MACC         bool   `json:"macc,omitempty"`
	Incentivized bool   `json:"incentivized,omitempty"`
}

type invitationBody struct {
	Partner   string         `json:"partner"`
	Value     int64          `json:"value"`
	Currency  string         `json:"currency"`
	CloseDate *time.Time     `json:"close_date,omitempty"`
	Notes     string         `json:"notes,omitempty"`
	Help      string         `json:"help,omitempty"`
	Team      []personBody   `json:"team,omitempty"`
	Solutions []solutionBody `json:"solutions,omitempty"`
	InvitedAt *time.Time     `json:"invited_at,omitempty"`
}

// auditRow is one audit event.
type auditRow struct {
	ID          int64     `gorm:"column:id;primaryKey;autoIncrement"`
	At          time.Time `gorm:"column:at;not null"`
	Actor       string    `gorm:"column:actor;not null"`
	SubjectType string    `gorm:"column:subject_type;not null;index:audit_events_subject,priority:1"`
	SubjectID   string    `gorm:"column:subject_id;not null;index:audit_events_subject,priority:2"`
	Action      string    `gorm:"column:action;not null"`
	Detail      string    `gorm:"column:detail;not null"`
}

// TableName is the audit_events table.
func (auditRow) TableName() string { return "audit_events" }

// solutionRow is an entry of the partner's solution catalog.
type solutionRow struct {
	ID           int64  `gorm:"column:id;primaryKey;autoIncrement"`
	Name         string `gorm:"column:name;not null"`
	NameKey      string `gorm:"column:name_key;not null;uniqueIndex:solutions_name_key"`
	Source       string `gorm:"column:source;not null"`
	IP           string `gorm:"column:ip;not null"`
	MACC         bool   `gorm:"column:macc;not null"`
	Incentivized bool   `gorm:"column:incentivized;not null"`
}

// TableName is the solutions table.
func (solutionRow) TableName() string { return "solutions" }

// userRow is a user; Roles and Locations are JSON arrays of strings.
type userRow struct {
	ID        string `gorm:"column:id;primaryKey"`
	Roles     string `gorm:"column:roles;not null"`
	Global    bool   `gorm:"column:global;not null"`
	Locations string `gorm:"column:locations;not null"`
}

// TableName is the users table.
func (userRow) TableName() string { return "users" }

// models lists every model, for the schema test.
var models = []any{&dealRow{}, &auditRow{}, &solutionRow{}, &userRow{},
	&chatIdentityRow{}, &chatEventRow{}, &chatActionRow{}, // chat platforms (00005)
	&inboxRow{}, &syncRow{}, // webhook inbox and outside records' sync state (00003)
	&outboxRow{}, &threadRow{}, &reminderRow{}, &snoozeRow{}, &subscriptionRow{}, &claimRow{}, // outbox, reminders, CPOR (00002)
	&faqEntryRow{}, &faqMissRow{}, // FAQ overrides and misses (00004)
	&syncWorkRow{}, &cursorRow{}, // sync work per link, poll cursors (00006)
}

// utcMap is a map of times in UTC to the microsecond, as every stored time.
func utcMap(m map[string]time.Time) map[string]time.Time {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]time.Time, len(m))
	for k, t := range m {
		out[k] = utc(t)
	}
	return out
}

func toDealRow(d *deal.Deal) (dealRow, error) {
	b := dealBody{
		Customer: customerBody{
			Account: string(d.Customer.Account), MACC: d.Customer.MACC,
			Contact: personPtr(d.Customer.Contact), Consent: d.Customer.Consent,
		},
		Team:               persons(d.Team),
		Solutions:          solutions(d.Solutions),
		Partners:           invitations(d.Partners),
		Role:               string(d.Role),
		Program:            d.Program,
		SolutionArea:       d.SolutionArea,
		SolutionPlay:       d.SolutionPlay,
		Intent:             string(d.Intent),
		AssessmentLocation: d.AssessmentLocation,
		Help:               string(d.Help),
		Microsoft:          string(d.Microsoft),
		InvitedAt:          utcPtr(d.InvitedAt),
		From:               d.From,
		ReceivedAt:         utcPtr(d.ReceivedAt),
		Reason:             d.Reason,
		DeclineNotes:       d.DeclineNotes,
		CRMID:              d.CRMID,
		CampaignID:         d.CampaignID,
		Notes:              d.Notes,
		Changed:            utcMap(d.Changed),
	}
	for _, s := range d.Marked {
		b.Marked = append(b.Marked, string(s))
	}
	body, err := json.Marshal(b)
	if err != nil {
		return dealRow{}, fmt.Errorf("store: encode deal %d: %w", d.ID, err)
	}
	var ext *string
	if d.ExternalID != "" {
		e := d.ExternalID
		ext = &e
	}
	return dealRow{
		ID: d.ID, Version: d.Version, Name: d.Name,
		Direction: string(d.Direction), Kind: string(d.Kind), SaleType: string(d.SaleType),
		Status: string(d.Status), Stage: string(d.Stage), Location: d.Location,
		Value: int64(d.Value), Currency: d.Currency, CloseDate: dateOf(d.CloseDate),
		CustomerName: d.Customer.Name, CustomerLocation: d.Customer.Location,
		ExternalID: ext, Favorite: d.Favorite,
		ExpiresAt: utcPtr(d.ExpiresAt), DecisionDue: utcPtr(d.DecisionDue),
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), WonAt: utcPtr(d.WonAt),
		CRMID: d.CRMID, Body: string(body),
	}, nil
}

// bodyDecoding reads deal bodies as encoding/json writes them (its
// semantics: case-insensitive names, invalid UTF-8 replaced) with the
// faster decoder of the json v2 work (github.com/go-json-experiment/json,
// the Go team's module behind encoding/json/v2): decoding a body was a
// third of reading a deal.
var bodyDecoding = jsonv1.DefaultOptionsV1()

func fromDealRow(r *dealRow) (*deal.Deal, error) {
	var b dealBody
	if err := jsonv2.Unmarshal([]byte(r.Body), &b, bodyDecoding); err != nil {
		return nil, fmt.Errorf("store: decode deal %d: %w", r.ID, err)
	}
	d := &deal.Deal{
		ID: r.ID, Version: r.Version, Name: r.Name,
		Direction: deal.Direction(r.Direction), Kind: deal.Kind(r.Kind), SaleType: deal.SaleType(r.SaleType),
		Status: deal.Status(r.Status), Stage: deal.Stage(r.Stage),
		Value: deal.Money(r.Value), Currency: r.Currency, CloseDate: fromPtr(r.CloseDate),
		Location: r.Location,
		Customer: deal.Customer{
			Name: r.CustomerName, Location: r.CustomerLocation,
			Account: deal.AccountClass(b.Customer.Account), MACC: b.Customer.MACC,
			Contact: fromPersonPtr(b.Customer.Contact), Consent: b.Customer.Consent,
		},
		Team:               fromPersons(b.Team),
		Solutions:          fromSolutions(b.Solutions),
		CRMID:              b.CRMID,
		CampaignID:         b.CampaignID,
		Notes:              b.Notes,
		Role:               deal.Role(b.Role),
		Program:            b.Program,
		SolutionArea:       b.SolutionArea,
		SolutionPlay:       b.SolutionPlay,
		Intent:             deal.Intent(b.Intent),
		AssessmentLocation: b.AssessmentLocation,
		Help:               deal.Help(b.Help),
		Microsoft:          deal.MicrosoftState(b.Microsoft),
		InvitedAt:          fromPtr(b.InvitedAt),
		DecisionDue:        fromPtr(r.DecisionDue),
		Partners:           fromInvitations(b.Partners),
		Favorite:           r.Favorite,
		From:               b.From,
		ReceivedAt:         fromPtr(b.ReceivedAt),
		ExpiresAt:          fromPtr(r.ExpiresAt),
		Reason:             b.Reason,
		DeclineNotes:       b.DeclineNotes,
		Changed:            b.Changed,
		CreatedAt:          r.CreatedAt.UTC(),
		UpdatedAt:          r.UpdatedAt.UTC(),
		WonAt:              fromPtr(r.WonAt),
	}
	if r.ExternalID != nil {
		d.ExternalID = *r.ExternalID
	}
	for _, s := range b.Marked {
		d.Marked = append(d.Marked, deal.Stage(s))
	}
	return d, nil
}

func personPtr(p *deal.Person) *personBody {
	if p == nil {
		return nil
	}
	return &personBody{Name: p.Name, Email: p.Email, Phone: p.Phone}
}

func fromPersonPtr(p *personBody) *deal.Person {
	if p == nil {
		return nil
	}
	return &deal.Person{Name: p.Name, Email: p.Email, Phone: p.Phone}
}

func persons(in []deal.Person) []personBody {
	var out []personBody
	for _, p := range in {
		out = append(out, personBody{Name: p.Name, Email: p.Email, Phone: p.Phone})
	}
	return out
}

func fromPersons(in []personBody) []deal.Person {
	var out []deal.Person
	for _, p := range in {
		out = append(out, deal.Person{Name: p.Name, Email: p.Email, Phone: p.Phone})
	}
	return out
}

func solutions(in []deal.Solution) []solutionBody {
	var out []solutionBody
	for _, s := range in {
		out = append(out, solutionBody{Name: s.Name, Source: string(s.Source), IP: string(s.IP), MACC: s.MACC, Incentivized: s.Incentivized})
	}
	return out
}

func fromSolutions(in []solutionBody) []deal.Solution {
	var out []deal.Solution
	for _, s := range in {
		out = append(out, deal.Solution{Name: s.Name, Source: deal.SolutionSource(s.Source), IP: deal.IPKind(s.IP), MACC: s.MACC, Incentivized: s.Incentivized})
	}
	return out
}

func invitations(in []deal.Invitation) []invitationBody {
	var out []invitationBody
	for _, inv := range in {
		out = append(out, invitationBody{
			Partner: inv.Partner, Value: int64(inv.Value), Currency: inv.Currency,
			CloseDate: utcPtr(inv.CloseDate), Notes: inv.Notes, Help: string(inv.Help),
			Team: persons(inv.Team), Solutions: solutions(inv.Solutions), InvitedAt: utcPtr(inv.InvitedAt),
		})
	}
	return out
}

func fromInvitations(in []invitationBody) []deal.Invitation {
	var out []deal.Invitation
	for _, inv := range in {
		out = append(out, deal.Invitation{
			Partner: inv.Partner, Value: deal.Money(inv.Value), Currency: inv.Currency,
			CloseDate: fromPtr(inv.CloseDate), Notes: inv.Notes, Help: deal.Help(inv.Help),
			Team: fromPersons(inv.Team), Solutions: fromSolutions(inv.Solutions), InvitedAt: fromPtr(inv.InvitedAt),
		})
	}
	return out
}

func toUserRow(u access.User) (userRow, error) {
	roles := make([]string, 0, len(u.Roles))
	for _, r := range u.Roles {
		roles = append(roles, string(r))
	}
	rj, err := json.Marshal(roles)
	if err != nil {
		return userRow{}, fmt.Errorf("store: encode roles of user %s: %w", u.ID, err)
	}
	locs := u.Locations
	if locs == nil {
		locs = []string{}
	}
	lj, err := json.Marshal(locs)
	if err != nil {
		return userRow{}, fmt.Errorf("store: encode locations of user %s: %w", u.ID, err)
	}
	return userRow{ID: userKey(u.ID), Roles: string(rj), Global: u.Global, Locations: string(lj)}, nil
}

func fromUserRow(r *userRow) (access.User, error) {
	var roles, locs []string
	if err := json.Unmarshal([]byte(r.Roles), &roles); err != nil {
		return access.User{}, fmt.Errorf("store: decode roles of user %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Locations), &locs); err != nil {
		return access.User{}, fmt.Errorf("store: decode locations of user %s: %w", r.ID, err)
	}
	u := access.User{ID: r.ID, Global: r.Global}
	for _, role := range roles {
		u.Roles = append(u.Roles, access.Role(role))
	}
	if len(locs) > 0 {
		u.Locations = locs
	}
	return u, nil
}
