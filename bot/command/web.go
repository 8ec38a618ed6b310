package command

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// WebLinks makes the one-time links that sign a person in to the pipeline
// page (issue 17). The web adapter implements it; the core only asks.
type WebLinks interface {
	// SignInLink returns a signed link that opens a session for user once,
	// until expires.
	SignInLink(ctx context.Context, user string, now time.Time) (link string, expires time.Time, err error)
	// CSVURL is where a signed-in person downloads the deals they may see
	// as a CSV file, filtered by query (the pipeline page's filters).
	CSVURL(query url.Values) string
}

// WithWebLinks adds the web verb: a private sign-in link to the pipeline page.
func WithWebLinks(l WebLinks) Option { return func(s *Service) { s.web = l } }

func (s *Service) webSpecs() []*spec {
	return []*spec{{verb: "web", summary: "a private one-time link to the pipeline page (board, charts, expiring referrals)", run: s.webLink}}
}

// webLink answers with a sign-in link for the asker only. Anyone cosellbot
// knows may have one: the page shows them what the chat would, no more.
func (s *Service) webLink(ctx context.Context, c *call) (Reply, error) {
	if s.web == nil {
		return Reply{}, &deal.RuleError{Field: "web", Rule: "web_not_configured",
			Message: "the pipeline page is not set up here: an operator sets COSELLBOT_PUBLIC_URL to the address people reach cosellbot at, e.g. https://cosellbot.example.com"}
	}
	link, expires, err := s.web.SignInLink(ctx, c.who.ID, c.now)
	if err != nil {
		return Reply{}, fmt.Errorf("making a sign-in link: %w", err)
	}
	mins := int(expires.Sub(c.now).Round(time.Minute) / time.Minute)
	return Reply{
		Text:    fmt.Sprintf("Your pipeline page: %s\nThe link signs you in once, within %d minutes; keep it to yourself. The session lasts 12 hours.", link, mins),
		Data:    map[string]any{"link": link, "expires_at": expires},
		Private: true,
	}, nil
}
