// Package pipeline is the read-only pipeline page (issue 17): a board of the
// deals a person may see, the referrals about to expire, one page per deal,
// the CPOR claims and charts, all rendered on the server with html/template
// and inline SVG, in English, French or Swedish. People sign in with a
// one-time link from /cosell web or cosellbot web-link; nothing shows without
// the session it opens, and what shows is what the chat would show them:
// visibility is access.User.CanSee, the commands' own rule.
//
// The page keeps the pipeline in memory and reloads it only when the
// record's PipelineVersion moves, so that a board of thousands of deals
// costs a session lookup, a version check and the rendering.
package pipeline

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Record is what the page reads of the durable record.
type Record interface {
	// PipelineVersion changes whenever a deal or a claim does.
	PipelineVersion(ctx context.Context) (string, error)
	ListDeals(ctx context.Context, f ledger.DealFilter) ([]*deal.Deal, error)
	History(ctx context.Context, dealID int64) ([]ledger.Entry, error)
	Claims(ctx context.Context) ([]*cpor.Claim, error)
	// DealOutcomes are the accepted, declined and expired entries of
	// referrals since a moment, by deal id.
	DealOutcomes(ctx context.Context, since time.Time) (map[int64][]ledger.Entry, error)
	// DealLinks are the outside records a deal is linked to: by system
	// (partnercenter, dynamics, …), the record's id there.
	DealLinks(ctx context.Context, dealID int64) (map[string]string, error)
}

// Sessions keeps the signing key, the one-time links and the sessions. A
// link or session is known by the SHA-256 of its secret, never the secret.
type Sessions interface {
	WebKey(ctx context.Context, name string, at time.Time) ([]byte, error)
	CreateWebLink(ctx context.Context, idHash, userID string, expires time.Time, e ledger.Entry) error
	// WebLinkUser tells whose a link is without spending it: ErrNotFound
	// when unknown, ErrConflict when used or expired.
	WebLinkUser(ctx context.Context, idHash string, now time.Time) (string, error)
	// UseWebLink spends a link once and opens a session: ErrNotFound when
	// unknown, ErrConflict when used or expired.
	UseWebLink(ctx context.Context, idHash, sessionHash string, sessionExpires time.Time, e ledger.Entry) (string, error)
	// WebSession is the user of a live session: ErrNotFound otherwise.
	WebSession(ctx context.Context, idHash string, now time.Time) (string, time.Time, error)
	EndWebSession(ctx context.Context, idHash string) error
}

// Users finds who a session belongs to, with their current roles and
// scope, as the chat does (command.Service.Resolve).
type Users interface {
	Resolve(ctx context.Context, id string) (access.User, error)
}

// Clock tells the time; tests pass one they control.
type Clock interface{ Now() time.Time }

// Config is what the page needs.
type Config struct {
	// PublicURL is where people reach cosellbot (COSELLBOT_PUBLIC_URL):
	// sign-in links are built on it, and an https URL makes the session
	// cookie Secure.
	PublicURL string
	Record    Record
	Sessions  Sessions
	Users     Users
	Clock     Clock
	// Rates converts totals to US dollars (the registration rates table).
	Rates deal.Rates
	Log   *slog.Logger
}

// Server serves the pipeline page.
type Server struct {
	base   *url.URL
	secure bool
	rec    Record
	sess   Sessions
	users  Users
	clock  Clock
	rates  deal.MonthRates // the latest month of the registration rates table: what open pipeline totals convert at
	log    *slog.Logger
	tmpl   *template.Template

	keyMu sync.Mutex
	key   []byte

	snapMu sync.Mutex
	snap   *snapshot
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ParsePublicURL checks COSELLBOT_PUBLIC_URL: an absolute http(s) URL of a
// host, with no path (the page is served at the root), query or fragment.
func ParsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) address: write where people reach cosellbot, as in https://cosellbot.example.com", raw)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q has a path, query or user: write the bare address, as in https://cosellbot.example.com (the page is served at its root)", raw)
	}
	u.Path = ""
	return u, nil
}

// New builds the page's server.
func New(cfg Config) (*Server, error) {
	base, err := ParsePublicURL(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("pipeline page: COSELLBOT_PUBLIC_URL %w", err)
	}
	if cfg.Record == nil || cfg.Sessions == nil || cfg.Users == nil || cfg.Clock == nil {
		return nil, errors.New("pipeline page: record, sessions, users and clock are all needed")
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("pipeline page: templates: %w", err)
	}
	return &Server{
		base: base, secure: base.Scheme == "https", rec: cfg.Record, sess: cfg.Sessions, users: cfg.Users,
		clock: cfg.Clock, rates: cfg.Rates.Latest(), log: log, tmpl: t,
	}, nil
}

// URL is the page's address (the board).
func (s *Server) URL() string { return s.base.String() + "/" }

// Mount adds the page's routes: the board at /, /expiring, /deals/{id},
// /claims, /charts, sign-in and sign-out, and the embedded static files.
func (s *Server) Mount(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/", s.authed(s.board)).Methods(get...)
	r.HandleFunc("/expiring", s.authed(s.expiring)).Methods(get...)
	r.HandleFunc("/deals/{id}", s.authed(s.dealPage)).Methods(get...)
	r.HandleFunc("/claims", s.authed(s.claimsPage)).Methods(get...)
	r.HandleFunc("/charts", s.authed(s.charts)).Methods(get...)
	r.HandleFunc("/deals.csv", s.authed(s.dealsCSV)).Methods(get...)
	r.HandleFunc("/signin", s.signinForm).Methods(get...)
	r.HandleFunc("/signin", s.signin).Methods(http.MethodPost)
	r.HandleFunc("/signout", s.signout).Methods(http.MethodPost)
	static := http.FileServerFS(staticFS)
	r.PathPrefix("/static/").Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		static.ServeHTTP(w, req)
	})).Methods(get...)
}

// secureHeaders keep the page to itself: no script, nothing from elsewhere,
// no framing, no referrer (a sign-in link never leaks through one), and no
// caching of what a person may see.
func secureHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}
