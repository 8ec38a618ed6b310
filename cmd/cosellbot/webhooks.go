package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/change"
	urlredact "github.com/cosellbot/cosellbot/bot/redact"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmmetrics"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
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
	// DefaultLocation is the MPN location of referrals that name none
	// (PARTNERCENTER_DEFAULT_LOCATION).
	DefaultLocation string
	// PollEvery is how often Partner Center is polled (PARTNERCENTER_POLL_EVERY).
	PollEvery time.Duration
	// InboxKeep is how long finished deliveries are kept
	// (COSELLBOT_INBOX_KEEP); 0 keeps them all.
	InboxKeep time.Duration
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
				return c, fmt.Errorf("WEBHOOK_OUT_URL_%s must be an http(s) URL, got %q", env, urlredact.URL(v))
			}
			c.OutURLs[s] = v
		}
	}
	c.PartnerCenter = partnercenter.Config{
		APIURL: getenv("PARTNERCENTER_API_URL"), TokenURL: getenv("PARTNERCENTER_TOKEN_URL"),
		ClientID: getenv("PARTNERCENTER_CLIENT_ID"), ClientSecret: getenv("PARTNERCENTER_CLIENT_SECRET"),
		RefreshToken: getenv("PARTNERCENTER_REFRESH_TOKEN"), Scope: getenv("PARTNERCENTER_SCOPE"),
	}
	if c.PartnerCenter.APIURL == "" {
		c.PartnerCenter.APIURL = "https://api.partner.microsoft.com/v1.0"
	}
	c.DefaultLocation = strings.TrimSpace(getenv("PARTNERCENTER_DEFAULT_LOCATION"))
	c.PollEvery = pcsource.PollEvery
	if v := getenv("PARTNERCENTER_POLL_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second {
			return c, fmt.Errorf("PARTNERCENTER_POLL_EVERY must be a duration of at least 10s, like 5m; got %q", v)
		}
		c.PollEvery = d
	}
	c.InboxKeep = crm.DefaultKeep
	if v := getenv("COSELLBOT_INBOX_KEEP"); v != "" {
		d, err := crm.ParseKeep(v)
		if err != nil {
			return c, err
		}
		c.InboxKeep = d
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

// webhooks is the webhook and sync machinery built from the configuration.
type webhooks struct {
	sources []crm.Source
	off     map[string]string
	proc    *crm.Processor
	pc      *pcsource.Source // nil when Partner Center is off
	changes *change.Engine   // the one change path, knowing which systems to sync
	syncer  *change.Syncer
	commit  *crm.Committer // serve's, created with the route
	metrics *crmmetrics.Metrics
}

// buildWebhooks builds the webhook machinery: which systems cosellbot
// writes to, the change path over them, the sources that receive from them,
// and the syncer that writes to them. build calls it once, in order.
func (a *app) buildWebhooks() *webhooks {
	cfg := a.cfg.Webhooks
	h := &webhooks{off: map[string]string{}}
	var pcClient *partnercenter.Client
	if cfg.Secrets["partnercenter"] != "" {
		pc := cfg.PartnerCenter
		pc.Tokens, pc.Log = a.store, a.log   // the rotated refresh token, for every process
		client, err := partnercenter.New(pc) // checked by loadWebhooks
		if err != nil {
			h.off["partnercenter"] = err.Error()
		}
		pcClient = client
	}
	systems := map[string][]change.Field{}
	if pcClient != nil {
		systems[pcsource.Name] = nil // every field
	}
	var targets []crm.Target
	for _, name := range crm.Sources {
		u := cfg.OutURLs[name]
		if u == "" || name == pcsource.Name {
			continue
		}
		m := cfg.Mappings[name]
		if name == generic.Name {
			m = generic.Mapping()
		}
		if m == nil {
			continue
		}
		targets = append(targets, crm.Target{Source: name, URL: u, Secret: []byte(cfg.Secrets[name]), Mapping: m})
		systems[name] = m.Synced()
	}
	h.changes = change.New(a.store, a.clock, systems, func() { h.syncer.Kick() }, a.log)
	settings := sources.Settings{ // one entry per source (integrations/crm/sources)
		Mappings: cfg.Mappings, SalesforceOrgs: cfg.SalesforceOrgs, CertHosts: cfg.CertHosts, Roots: cfg.Roots,
		DefaultLocation: cfg.DefaultLocation, Record: a.store, Engine: h.changes, Find: a.store, Clock: a.clock, Log: a.log,
	}
	if pcClient != nil {
		settings.PartnerCenter = pcClient
	}
	registry := sources.Registry(settings)
	for _, name := range crm.Sources {
		secret := cfg.Secrets[name]
		if secret == "" {
			h.off[name] = "WEBHOOK_SECRET_" + strings.ToUpper(name) + " is not set"
			continue
		}
		if _, off := h.off[name]; off {
			continue
		}
		src, err := registry.Build(name, secret)
		if err != nil {
			h.off[name] = err.Error()
			continue
		}
		if pc, ok := src.(*pcsource.Source); ok {
			h.pc = pc // its writer, poller and cosellbot poll
		}
		h.sources = append(h.sources, src)
	}
	writers := map[string]change.Writer{}
	if h.pc != nil {
		writers[pcsource.Name] = h.pc.Writer()
	}
	for _, t := range targets {
		writers[t.Source] = crm.NewWriter(t, nil, a.clock)
	}
	h.syncer = change.NewSyncer(a.store, h.changes, writers, a.clock, a.log)
	h.metrics = crmmetrics.New()
	if err := h.metrics.Register(a.metrics); err != nil {
		a.log.Warn("webhook metrics not registered", "err", err)
	}
	h.proc = crm.NewProcessor(a.store, h.sources, a.clock, a.log, h.metrics)
	h.proc.AfterPage = h.syncer.Kick
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

// webhookLoop processes the inbox, syncs linked systems, forgets finished
// deliveries after COSELLBOT_INBOX_KEEP and polls Partner Center, until ctx
// ends.
func (a *app) webhookLoop(ctx context.Context) error {
	h := a.webhooks
	errs := make(chan error, 4)
	loops := 3
	go func() { errs <- h.proc.Run(ctx) }()
	go func() { errs <- h.syncer.Run(ctx) }()
	go func() {
		errs <- crm.Retention{Inbox: a.store, Clock: a.clock, Keep: a.cfg.Webhooks.InboxKeep, Log: a.log}.Run(ctx)
	}()
	if h.pc != nil {
		loops++
		go func() { errs <- h.pc.RunPoller(ctx, a.cfg.Webhooks.PollEvery) }()
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
