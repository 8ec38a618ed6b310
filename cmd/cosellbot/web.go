package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
)

// webConfig is the pipeline page's setting.
type webConfig struct {
	// PublicURL is where people reach cosellbot (COSELLBOT_PUBLIC_URL);
	// empty: no pipeline page, and /cosell web says how to set it up.
	PublicURL string
}

// loadWeb reads COSELLBOT_PUBLIC_URL; the daily digest then links to the page.
func loadWeb(getenv func(string) string, rem *remind.Config) (webConfig, error) {
	v := getenv("COSELLBOT_PUBLIC_URL")
	if v == "" {
		return webConfig{}, nil
	}
	u, err := pipeline.ParsePublicURL(v)
	if err != nil {
		return webConfig{}, fmt.Errorf("COSELLBOT_PUBLIC_URL %w", err)
	}
	rem.PageURL = u.String() + "/"
	return webConfig{PublicURL: u.String()}, nil
}

// resolver finds people through the command service, built after the page.
type resolver struct{ a *app }

func (r resolver) Resolve(ctx context.Context, id string) (access.User, error) {
	return r.a.svc.Resolve(ctx, id)
}

// pipelinePage builds the page once; nil when COSELLBOT_PUBLIC_URL is unset.
func (a *app) pipelinePage() *pipeline.Server {
	if a.page != nil || a.cfg.Web.PublicURL == "" {
		return a.page
	}
	p, err := pipeline.New(pipeline.Config{
		PublicURL: a.cfg.Web.PublicURL, Record: a.store, Sessions: a.store, Users: resolver{a},
		Clock: a.clock, Rates: a.cfg.Rates, Log: a.log,
	})
	if err != nil { // the URL was checked by loadWeb and the templates are embedded: a bug
		panic(err)
	}
	a.page = p
	return p
}

// webLinks gives the web verb its links when the page is set up.
func (a *app) webLinks() command.Option {
	if p := a.pipelinePage(); p != nil {
		return command.WithWebLinks(p)
	}
	return func(*command.Service) {}
}

// webRoutes mounts the pipeline page when it is set up.
func (a *app) webRoutes(r *mux.Router) {
	if p := a.pipelinePage(); p != nil {
		p.Mount(r)
	}
}

const webLinkUsage = "usage: cosellbot web-link --user EMAIL   (a one-time sign-in link to the pipeline page, valid 10 minutes)"

// cmdWebLink prints a sign-in link for a user, for people without chat or
// for an operator handing one over.
func cmdWebLink(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("web-link", stderr)
	user := fs.String("user", "", "the cosellbot user (an e-mail) the link signs in")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *user == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, webLinkUsage)
		return 2
	}
	if cfg.Web.PublicURL == "" {
		fmt.Fprintln(stderr, "cosellbot web-link: COSELLBOT_PUBLIC_URL is not set: set it to the address people reach cosellbot at, e.g. https://cosellbot.example.com")
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	who, err := a.svc.Resolve(ctx, *user)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot web-link:", err)
		return 1
	}
	link, expires, err := a.pipelinePage().SignInLink(ctx, who.ID, a.clock.Now())
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot web-link:", err)
		return 1
	}
	fmt.Fprintln(stdout, link)
	fmt.Fprintf(stderr, "Signs in %s once, until %s.\n", who.ID, expires.UTC().Format("2006-01-02 15:04 UTC"))
	return 0
}
