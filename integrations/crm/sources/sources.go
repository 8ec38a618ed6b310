// Package sources lists the webhook sources cosellbot ships, as one
// registry: each CRM and Partner Center is one entry that builds its
// receiver from the settings.
package sources

import (
	"context"
	"crypto/x509"
	"log/slog"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/dynamics"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/integrations/crm/hubspot"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/crm/salesforce"
	"github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// Settings is what the sources are built from.
type Settings struct {
	Mappings       map[string]*crm.Mapping // dynamics, hubspot, salesforce
	SalesforceOrgs []string
	PartnerCenter  partnercenter.Config
	CertHosts      []string
	Roots          *x509.CertPool // nil: the system pool
	Record         pcsource.Record
	Applier        *crm.Applier
	Clock          crm.Clock
	Log            *slog.Logger
}

// Registry is every source cosellbot ships.
func Registry(s Settings) crm.Registry {
	plain := func(src crm.Source) (crm.Built, error) { return crm.Built{Source: src}, nil }
	return crm.Registry{
		"partnercenter": func(secret string) (crm.Built, error) {
			client, err := partnercenter.New(s.PartnerCenter)
			if err != nil {
				return crm.Built{}, err
			}
			src := pcsource.New(secret, pcsource.NewCerts(s.CertHosts, s.Roots, nil), client, s.Record, s.Clock, s.Log)
			poll := func(ctx context.Context) error { return src.RunPoller(ctx, pcsource.PollEvery) }
			return crm.Built{Source: src, Upstream: src.Writer(), Poll: poll}, nil
		},
		"dynamics": func(secret string) (crm.Built, error) {
			return plain(dynamics.New(secret, s.Mappings["dynamics"], s.Applier))
		},
		"hubspot": func(secret string) (crm.Built, error) {
			return plain(hubspot.New(secret, s.Mappings["hubspot"], s.Applier))
		},
		"salesforce": func(secret string) (crm.Built, error) {
			return plain(salesforce.New(secret, s.SalesforceOrgs, s.Mappings["salesforce"], s.Applier))
		},
		"generic": func(secret string) (crm.Built, error) {
			return plain(generic.New(secret, s.Applier))
		},
	}
}
