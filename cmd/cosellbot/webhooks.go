package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmmetrics"
	"github.com/cosellbot/cosellbot/integrations/crm/sources"
	"github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// webhookConfig is the webhooks' part of the environment.
type webhookConfig struct {
	Secrets        map[string]string // WEBHOOK_SECRET_<SOURCE>; a source without one is off (503)
	OutURLs        map[string]string // WEBHOOK_OUT_URL_<SOURCE>: where chat changes are sent, signed with the source's secret
	PartnerCenter  partnercenter.Config
	CertHosts      []string       // PARTNERCENTER_CERT_HOSTS
	Roots          *x509.CertPool // PARTNERCENTER_ROOTS; nil: the system pool
	Mappings       map[string]*crm.Mapping
	SalesforceOrgs []string // SALESFORCE_ORG_IDS
}

// defaultCertHost is where Partner Center's signing certificate is published.
const defaultCertHost = "3psostorageacct.blob.core.windows.net"

// mappedSources need a mapping file in COSELLBOT_CRM_MAPPING.
var mappedSources = []string{"dynamics", "hubspot", "salesforce"}

func loadWebhooks(getenv func(string) string) (webhookConfig, error) {
	c := webhookConfig{Secrets: map[string]string{}, OutURLs: map[string]string{}}
	for _, s := range crm.Sources {
		env := strings.ToUpper(s)
		if v := getenv("WEBHOOK_SECRET_" + env); v != "" {
			c.Secrets[s] = v
		}
		if v := getenv("WEBHOOK_OUT_URL_" + env); v != "" {
			if c.Secrets[s] == "" {
				return c, fmt.Errorf("WEBHOOK_OUT_URL_%s needs WEBHOOK_SECRET_%s to sign with", env, env)
			}
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				return c, fmt.Errorf("WEBHOOK_OUT_URL_%s must be an http(s) URL, got %q", env, v)
			}
			c.OutURLs[s] = v
		}
	}
	c.PartnerCenter = partnercenter.Config{
		APIURL: getenv("PARTNERCENTER_API_URL"), TokenURL: getenv("PARTNERCENTER_TOKEN_URL"),
		ClientID: getenv("PARTNERCENTER_CLIENT_ID"), RefreshToken: getenv("PARTNERCENTER_REFRESH_TOKEN"),
	}
	if c.PartnerCenter.APIURL == "" {
		c.PartnerCenter.APIURL = "https://api.partner.microsoft.com/v1.0"
	}
	c.CertHosts = splitList(getenv("PARTNERCENTER_CERT_HOSTS"))
	if len(c.CertHosts) == 0 {
		c.CertHosts = []string{defaultCertHost}
	}
	for i, h := range c.CertHosts {
		c.CertHosts[i] = strings.ToLower(h)
	}
	if path := getenv("PARTNERCENTER_ROOTS"); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("PARTNERCENTER_ROOTS: %w", err)
		}
		c.Roots = x509.NewCertPool()
		if !c.Roots.AppendCertsFromPEM(pem) {
			return c, fmt.Errorf("PARTNERCENTER_ROOTS %s holds no PEM certificate", path)
		}
	}
	if c.Secrets["partnercenter"] != "" {
		if _, err := partnercenter.New(c.PartnerCenter); err != nil {
			return c, fmt.Errorf("WEBHOOK_SECRET_PARTNERCENTER is set, so %w", err)
		}
	}
	var mapped []string
	for _, s := range mappedSources {
		if c.Secrets[s] != "" {
			mapped = append(mapped, s)
		}
	}
	if len(mapped) > 0 {
		dir := getenv("COSELLBOT_CRM_MAPPING")
		if dir == "" {
			dir = "deploy/crm"
		}
		m, err := crm.LoadMappings(dir, mapped...)
		if err != nil {
			return c, err
		}
		c.Mappings = m
	}
	c.SalesforceOrgs = splitList(getenv("SALESFORCE_ORG_IDS"))
	if c.Secrets["salesforce"] != "" && len(c.SalesforceOrgs) == 0 {
		return c, errors.New("WEBHOOK_SECRET_SALESFORCE is set: SALESFORCE_ORG_IDS must list the organization ids allowed to send")
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// webhooks is the webhook machinery built from the configuration.
type webhooks struct {
	sources  []crm.Source
	off      map[string]string
	proc     *crm.Processor
	polls    []func(context.Context) error // backstop polls (Partner Center)
	out      *crm.Outgoing
	upstream crm.Upstreams
	commit   *crm.Committer // serve's, created with the route
	metrics  *crmmetrics.Metrics
}

// buildWebhooks builds the webhook machinery; build calls it once, after
// the notifiers (outgoing webhooks are delivered through the outbox).
func (a *app) buildWebhooks() *webhooks {
	cfg := a.cfg.Webhooks
	h := &webhooks{off: map[string]string{}}
	echoes := crm.NewEchoes()
	registry := sources.Registry(sources.Settings{ // one entry per source (integrations/crm/sources)
		Mappings: cfg.Mappings, SalesforceOrgs: cfg.SalesforceOrgs, PartnerCenter: cfg.PartnerCenter,
		CertHosts: cfg.CertHosts, Roots: cfg.Roots, Record: a.store, Clock: a.clock, Log: a.log,
		Applier: &crm.Applier{Rec: a.store, Echoes: echoes, Clock: a.clock},
	})
	for _, name := range crm.Sources {
		secret := cfg.Secrets[name]
		if secret == "" {
			h.off[name] = "WEBHOOK_SECRET_" + strings.ToUpper(name) + " is not set"
			continue
		}
		built, err := registry.Build(name, secret)
		if err != nil { // checked by loadWebhooks; kept off rather than half-built
			h.off[name] = err.Error()
			continue
		}
		h.sources = append(h.sources, built.Source)
		if built.Upstream != nil {
			h.upstream = append(h.upstream, built.Upstream)
		}
		if built.Poll != nil {
			h.polls = append(h.polls, built.Poll)
		}
	}
	var targets []crm.Target
	for _, name := range crm.Sources {
		if u := cfg.OutURLs[name]; u != "" {
			targets = append(targets, crm.Target{Source: name, URL: u, Secret: []byte(cfg.Secrets[name])})
		}
	}
	h.out = crm.NewOutgoing(targets, a.store, echoes, nil, a.clock, a.log)
	a.mux.Handle(crm.Platform, h.out) // the outbox dispatcher delivers them
	h.upstream = append(h.upstream, h.out)
	h.metrics = crmmetrics.New()
	if err := h.metrics.Register(a.metrics); err != nil {
		a.log.Warn("webhook metrics not registered", "err", err)
	}
	h.proc = crm.NewProcessor(a.store, h.sources, a.clock, a.log, h.metrics)
	return h
}

// webhookRoutes mounts POST /webhooks/{source}.
func (a *app) webhookRoutes(r *mux.Router) {
	h := a.webhooks
	h.commit = crm.NewCommitter(a.store, 0, crm.CommitWorkers(a.store.Dialect()))
	crm.NewReceiver(crm.ReceiverConfig{
		Sources: h.sources, Off: h.off, Commit: h.commit, Proc: h.proc, Clock: a.clock, Log: a.log, Metrics: h.metrics,
	}).Mount(r)
}

// webhookLoop processes the inbox and polls Partner Center, until ctx
// ends; outgoing webhooks go through the outbox dispatcher.
func (a *app) webhookLoop(ctx context.Context) error {
	h := a.webhooks
	errs := make(chan error, 1+len(h.polls))
	loops := 1 + len(h.polls)
	go func() { errs <- h.proc.Run(ctx) }()
	for _, poll := range h.polls {
		go func() { errs <- poll(ctx) }()
	}
	var first error
	for range loops {
		if err := <-errs; err != nil && first == nil && ctx.Err() == nil {
			first = err
		}
	}
	if h.commit != nil {
		h.commit.Close()
	}
	return first
}
