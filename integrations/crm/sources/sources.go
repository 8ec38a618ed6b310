// Package sources lists the webhook sources cosellbot ships, as one
// registry: each CRM and Partner Center is one entry that builds its
// receiver from the settings.
package sources

import (
	"crypto/x509"
	"errors"
	"log/slog"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/dynamics"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/integrations/crm/hubspot"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/crm/salesforce"
)

// Settings is what the sources are built from.
type Settings struct {
	Mappings       map[string]*crm.Mapping // dynamics, hubspot, salesforce
	SalesforceOrgs []string
	// Partner Center: its API client (nil when not configured), the
	// certificate hosts and roots of its signatures, and the location of
	// referrals that name none.
	PartnerCenter   pcsource.Referrals
	CertHosts       []string
	Roots           *x509.CertPool // nil: the system pool
	DefaultLocation string
	Record          pcsource.Record
	Engine          *change.Engine // the one change path
	Find            crm.Finder
	Clock           crm.Clock
	Log             *slog.Logger
}

// Registry is every source cosellbot ships.
func Registry(s Settings) crm.Registry {
	applier := &crm.Applier{Engine: s.Engine, Find: s.Find}
	return crm.Registry{
		pcsource.Name: func(secret string) (crm.Source, error) {
			if s.PartnerCenter == nil {
				return nil, errors.New("the Partner Center API is not configured (PARTNERCENTER_TOKEN_URL, PARTNERCENTER_CLIENT_ID, PARTNERCENTER_REFRESH_TOKEN)")
			}
			return pcsource.New(secret, pcsource.NewCerts(s.CertHosts, s.Roots, nil), s.PartnerCenter, s.Record, s.Engine, s.DefaultLocation, s.Clock, s.Log), nil
		},
		"dynamics": func(secret string) (crm.Source, error) {
			// Dynamics ids are GUIDs people copy in upper case or braces.
			return dynamics.New(secret, s.Mappings["dynamics"], &crm.Applier{Engine: s.Engine, Find: s.Find, IDs: crmid.Forms}), nil
		},
		"hubspot": func(secret string) (crm.Source, error) {
			return hubspot.New(secret, s.Mappings["hubspot"], applier), nil
		},
		"salesforce": func(secret string) (crm.Source, error) {
			// Salesforce sends an 18- or a 15-character id for one record.
			return salesforce.New(secret, s.SalesforceOrgs, s.Mappings["salesforce"], &crm.Applier{Engine: s.Engine, Find: s.Find, IDs: crmid.Forms}), nil
		},
		generic.Name: func(secret string) (crm.Source, error) {
			return generic.New(secret, applier), nil
		},
	}
}
