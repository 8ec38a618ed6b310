// Package partnercenter is a client of Partner Center's Referrals API
// (api.partner.microsoft.com/v1.0/engagements/referrals): fetch a referral,
// list those updated since a time, and PATCH one with If-Match. It signs in
// with a delegated refresh token through golang.org/x/oauth2, and only ever
// talks to the API host it was configured with.
package partnercenter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Referral is a Partner Center referral as the API returns it (the V3
// contract). Nullable fields are pointers or empty; only what cosellbot maps
// to a deal is decoded.
type Referral struct {
	ID                  string          `json:"id"`
	EngagementID        string          `json:"engagementId,omitempty"`
	Name                string          `json:"name,omitempty"`
	OrganizationID      string          `json:"organizationId,omitempty"`
	OrganizationName    string          `json:"organizationName,omitempty"`
	MPNID               string          `json:"mpnId,omitempty"`
	ExternalReferenceID string          `json:"externalReferenceId,omitempty"`
	CreatedDateTime     *time.Time      `json:"createdDateTime,omitempty"`
	UpdatedDateTime     *time.Time      `json:"updatedDateTime,omitempty"`
	ExpirationDateTime  *time.Time      `json:"expirationDateTime,omitempty"`
	AcceptedDateTime    *time.Time      `json:"acceptedDateTime,omitempty"`
	ClosedDateTime      *time.Time      `json:"closedDateTime,omitempty"`
	Status              string          `json:"status,omitempty"`    // New, Active, Closed
	Substatus           string          `json:"substatus,omitempty"` // Pending, Received, Accepted, Won, Lost, Declined, Expired
	StatusReason        string          `json:"statusReason,omitempty"`
	Type                string          `json:"type,omitempty"`      // Independent, Shared
	Direction           string          `json:"direction,omitempty"` // Incoming, Outgoing
	SalesStage          string          `json:"salesStage,omitempty"`
	CampaignID          string          `json:"campaignId,omitempty"`
	ReferralProgram     string          `json:"referralProgram,omitempty"`
	CustomerProfile     CustomerProfile `json:"customerProfile"`
	Consent             Consent         `json:"consent"`
	Details             Details         `json:"details"`
	Team                Members         `json:"team,omitempty"`
	InviteContext       InviteContext   `json:"inviteContext"`
	Target              []Target        `json:"target,omitempty"`
	ETag                string          `json:"eTag,omitempty"`
}

// Target is a party a new referral is shared with (Microsoft's business
// profile location "msft" for a co-sell).
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// CustomerProfile is the referral's customer.
type CustomerProfile struct {
	Name    string  `json:"name,omitempty"`
	Address Address `json:"address"`
	Size    string  `json:"size,omitempty"`
	Team    Members `json:"team,omitempty"`
}

// Address is a customer's address; Country is ISO 3166 alpha-2.
type Address struct {
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
}

// Consent is what the customer agreed to share.
type Consent struct {
	ShareInfoWithOthers           bool `json:"consentToToShareInfoWithOthers"` // sic: the API spells it with two "To"
	Contact                       bool `json:"consentToContact"`
	ShareReferralWithMicrosoftSel bool `json:"consentToShareReferralWithMicrosoftSellers"`
}

// Details are the deal's value, close date, notes and requirements.
type Details struct {
	Notes           string       `json:"notes,omitempty"`
	DealValue       Amount       `json:"dealValue,omitempty"`
	Currency        string       `json:"currency,omitempty"`
	ClosingDateTime *time.Time   `json:"closingDateTime,omitempty"`
	Requirements    Requirements `json:"requirements"`
}

// Requirements lists what the customer needs; only solutions are mapped.
type Requirements struct {
	Solutions []SolutionRef `json:"solutions,omitempty"`
}

// SolutionRef is a solution named on a referral.
type SolutionRef struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// Member is a person on the partner's or the customer's team.
type Member struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// Name is the member's full name.
func (m Member) Name() string { return strings.TrimSpace(m.FirstName + " " + m.LastName) }

// Members is a team. Some captured payloads carry a single object where the
// documentation has an array; both decode.
type Members []Member

// UnmarshalJSON accepts an array of members, one member or null.
func (ms *Members) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*ms = nil
		return nil
	case len(b) > 0 && b[0] == '{':
		var m Member
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("team: %w", err)
		}
		*ms = Members{m}
		return nil
	}
	var list []Member
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("team: %w", err)
	}
	*ms = list
	return nil
}

// InviteContext tells who sent the referral and why.
type InviteContext struct {
	Notes                 string    `json:"notes,omitempty"`
	InvitedBy             InvitedBy `json:"invitedBy"`
	AssistanceRequestCode string    `json:"assistanceRequestCode,omitempty"`
	InvitedMPNID          string    `json:"invitedMpnId,omitempty"`
}

// InvitedBy is the organization that sent a referral; "msft" for Microsoft.
type InvitedBy struct {
	OrganizationID   string `json:"organizationId,omitempty"`
	OrganizationName string `json:"organizationName,omitempty"`
}

// Amount is a decimal the API writes as a number (GET) or a string (PATCH
// samples); null is zero.
type Amount float64

// UnmarshalJSON accepts 50000, 50000.5, "50000" and null.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*a = 0
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return fmt.Errorf("dealValue: %q is not an amount", s)
	}
	*a = Amount(f)
	return nil
}

// idRE is the shape of a referral id (a GUID in practice).
var idRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{0,63}$`)

// ValidID reports whether id can be a referral id; anything else is refused
// before it reaches a URL.
func ValidID(id string) bool { return idRE.MatchString(id) }

// IDFromURI extracts the referral id from a notification's ResourceUri
// (".../engagements/v1/referrals/{id}"). Only the id is used: the host of the
// URI is the sender's to choose, so it is never called.
func IDFromURI(uri string) (string, error) {
	path := uri
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	path = strings.TrimRight(path, "/")
	id := path[strings.LastIndex(path, "/")+1:]
	if !strings.Contains(strings.ToLower(path), "/referrals/") || !ValidID(id) {
		return "", fmt.Errorf("ResourceUri %q does not end with /referrals/{id}", uri)
	}
	return id, nil
}

// Op is one JSON Patch (RFC 6902) operation; the API supports replace and add.
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// Replace is a replace operation.
func Replace(path string, value any) Op { return Op{Op: "replace", Path: path, Value: value} }
