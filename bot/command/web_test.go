package command_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// links records what the web verb asked for.
type links struct {
	user string
	now  time.Time
	err  error
}

func (l *links) CSVURL(q url.Values) string {
	return "https://cosellbot.example.com/deals.csv?" + q.Encode()
}

func (l *links) SignInLink(_ context.Context, user string, now time.Time) (string, time.Time, error) {
	l.user, l.now = user, now
	if l.err != nil {
		return "", time.Time{}, l.err
	}
	return "https://cosellbot.example.com/signin?t=abc.def", now.Add(10 * time.Minute), nil
}

func TestWebLink(t *testing.T) {
	st := storetest.Open(t)
	clk := &clock{start}
	ana := access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"1"}}

	off := command.New(st, clk, deal.DefaultRates(), nil)
	r := off.Run(context.Background(), ana, here, "web")
	if r.OK() || r.Err.Code != "invalid" || !strings.Contains(r.Text, "COSELLBOT_PUBLIC_URL") {
		t.Errorf("without the page: %+v %q", r.Err, r.Text)
	}

	l := &links{}
	svc := command.New(st, clk, deal.DefaultRates(), nil, command.WithWebLinks(l))
	r = svc.Run(context.Background(), ana, here, "web")
	if !r.OK() || !r.Private {
		t.Fatalf("web: ok=%v private=%v %q", r.OK(), r.Private, r.Text)
	}
	if l.user != ana.ID || !l.now.Equal(start) {
		t.Errorf("the link was made for %q at %s, want %s at %s", l.user, l.now, ana.ID, start)
	}
	if !strings.Contains(r.Text, "https://cosellbot.example.com/signin?t=abc.def") || !strings.Contains(r.Text, "10 minutes") {
		t.Errorf("reply: %q", r.Text)
	}
	if r.Data["link"] != "https://cosellbot.example.com/signin?t=abc.def" {
		t.Errorf("data: %v", r.Data)
	}
	if svc.ReadOnly("web") {
		t.Error("web makes a link each time: a replayed request must not be answered again")
	}
	if r := svc.Run(context.Background(), ana, here, "web now"); r.OK() || r.Err.Code != "usage" {
		t.Errorf("web with an argument: %+v", r.Err)
	}

	l.err = errors.New("database down")
	if r := svc.Run(context.Background(), ana, here, "web"); r.OK() || r.Err.Code != "unavailable" {
		t.Errorf("a failing link maker: %+v", r.Err)
	}
}
