package chatkit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// fire is a deadline the test ends by hand.
type fire chan time.Time

func (f fire) after(time.Duration) <-chan time.Time { return f }

func TestRaceInTimeAndLate(t *testing.T) {
	var bg Background
	d := Deadline{After: fire(make(chan time.Time)).after}
	v, ok, _ := Race(t.Context(), &bg, d, func(context.Context) int { return 1 })
	if !ok || v != 1 {
		t.Fatalf("fast work: %d, %v", v, ok)
	}
	// Work that blocks until released: the deadline fires first, and the
	// result arrives on the late channel.
	release := make(chan struct{})
	f := make(fire, 1)
	f <- time.Time{}
	_, ok, late := Race(t.Context(), &bg, Deadline{After: f.after}, func(context.Context) int { <-release; return 2 })
	if ok || late == nil {
		t.Fatal("blocked work came back in time")
	}
	close(release)
	if v := <-late; v != 2 {
		t.Fatalf("late result %d", v)
	}
	bg.Wait()
}

// Background reuses its workers; whichever runs a piece of work, each runs
// once with its parent's values and without its cancellation, and Wait
// waits for all of it.
func TestBackgroundRunsEveryPieceOnce(t *testing.T) {
	type key struct{}
	var bg Background
	var ran atomic.Int64
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, "v"))
	cancel() // the request ended: its work goes on
	for round := range 5 {
		for range 50 {
			bg.Go(parent, func(ctx context.Context) {
				if ctx.Value(key{}) != "v" || ctx.Err() != nil {
					t.Errorf("round %d: value %v, err %v", round, ctx.Value(key{}), ctx.Err())
				}
				time.Sleep(time.Millisecond)
				ran.Add(1)
			})
		}
		bg.Wait()
		if got, want := ran.Load(), int64(50*(round+1)); got != want {
			t.Fatalf("round %d: %d pieces ran by Wait, want %d", round, got, want)
		}
	}
}

func TestAccountsCacheBothWays(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var calls atomic.Int64
	a := NewAccounts(func(_ context.Context, acct string) (access.User, error) {
		calls.Add(1)
		switch acct {
		case "U_ANA":
			return access.User{ID: "ana@x"}, nil
		case "U_DOWN":
			return access.User{}, errors.New("database is locked")
		}
		return access.User{}, access.Deny("not linked")
	}, AccountsConfig{Hit: 10 * time.Second, Miss: 30 * time.Second, Fail: 5 * time.Second, Max: 2, Now: clock})
	ctx := t.Context()
	for range 3 {
		if u, err := a.Get(ctx, "U_ANA"); err != nil || u.ID != "ana@x" {
			t.Fatalf("U_ANA: %v %v", u, err)
		}
		var denied *access.Denied
		if _, err := a.Get(ctx, "U_NOBODY"); !errors.As(err, &denied) {
			t.Fatalf("U_NOBODY: %v", err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d lookups for two accounts asked three times each, want 2 (found and not found are both remembered)", n)
	}
	advance(11 * time.Second) // the hit expired, the miss did not
	a.Get(ctx, "U_ANA")
	a.Get(ctx, "U_NOBODY")
	if n := calls.Load(); n != 3 {
		t.Fatalf("%d lookups after the hit expired, want 3", n)
	}
	a.Get(ctx, "U_DOWN")
	a.Get(ctx, "U_DOWN")
	if n := calls.Load(); n != 4 {
		t.Fatalf("a failed lookup is not remembered: %d lookups", n)
	}
	if a.Len() != 2 {
		t.Fatalf("%d accounts remembered, bound is 2", a.Len())
	}
}

// A lookup that never answers does not hold its caller past the caller's
// deadline, and callers of the same account share it.
func TestAccountsNeverBlockPastTheCaller(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	var calls atomic.Int64
	started := make(chan struct{}, 10)
	a := NewAccounts(func(ctx context.Context, _ string) (access.User, error) {
		calls.Add(1)
		started <- struct{}{}
		select {
		case <-block:
		case <-ctx.Done():
		}
		return access.User{}, ctx.Err()
	}, AccountsConfig{Timeout: time.Hour})
	for range 2 {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := a.Get(ctx, "U_SLOW"); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	}
	<-started
	if calls.Load() != 1 {
		t.Fatalf("%d lookups in flight for one account", calls.Load())
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(1, 3)
	for i := range 3 {
		if d := l.Reserve("C1", 1, now); d != 0 {
			t.Fatalf("message %d waits %v within the burst", i, d)
		}
	}
	if d := l.Reserve("C1", 1, now); d != time.Second {
		t.Fatalf("the fourth waits %v, want 1s", d)
	}
	if d := l.Reserve("C2", 1, now); d != 0 {
		t.Fatalf("another channel waits %v", d)
	}
	if d := l.Reserve("C1", 1, now.Add(time.Second)); d != 0 {
		t.Fatalf("a second later: %v", d)
	}
}

func TestCutShare(t *testing.T) {
	for in, want := range map[string][2]string{
		"deal show 1 --share": {"deal show 1", "true"},
		"--share":             {"", "true"},
		"deal show 1":         {"deal show 1", "false"},
		"note x--share":       {"note x--share", "false"},
	} {
		line, share := CutShare(in)
		if line != want[0] || (share && want[1] != "true") || (!share && want[1] == "true") {
			t.Errorf("CutShare(%q) = %q, %v", in, line, share)
		}
	}
}

func TestForms(t *testing.T) {
	f, ok := FormFor(chat.Action{Label: "Accept", Command: "deal accept 12"})
	if !ok || f.Kind != "accept" || len(f.Fields) > MaxFields {
		t.Fatalf("accept form %+v", f)
	}
	if _, ok := FormFor(chat.Action{Command: "deal accept 12 name=x value=1 close=2030-01-01 notes=y"}); ok {
		t.Fatal("a complete command opened a form")
	}
	if _, ok := FormFor(chat.Action{Command: "deal show 12"}); ok {
		t.Fatal("deal show opened a form")
	}
	f.Prefill(&command.DealView{Name: "Fabrikam BI", Value: ptr(60000.0), Currency: "EUR", CloseDate: "2031-03-01", Notes: `BI "now"`}, "Ana <ana@x> +46 1")
	got := map[string]string{}
	for _, fd := range f.Fields {
		got[fd.Key] = fd.Value
	}
	if got["name"] != "Fabrikam BI" || got["value"] != "60000 EUR" || got["close"] != "2031-03-01" || got["team"] != "Ana <ana@x> +46 1" {
		t.Fatalf("prefilled %v", got)
	}
	line := f.Line(got)
	want := `deal accept 12 name="Fabrikam BI" value="60000" currency="EUR" close="2031-03-01" notes="BI \"now\"" team="Ana <ana@x> +46 1"`
	if line != want {
		t.Fatalf("line\n%s\nwant\n%s", line, want)
	}
	args, err := command.Parse(line)
	if err != nil || args.Pairs["notes"] != `BI "now"` {
		t.Fatalf("the grammar reads back %v, %v", args.Pairs, err)
	}
	// Notes and a team longer than their inputs are not cut to fit (the
	// cut value, submitted unchanged, would replace the whole): the inputs
	// open empty and optional, and left empty the deal keeps its own.
	long, _ := FormFor(chat.Action{Command: "deal accept 12"})
	var team []deal.Person
	for i := range 30 {
		team = append(team, deal.Person{Name: fmt.Sprintf("Member %d", i), Email: fmt.Sprintf("m%d@contoso.com", i), Phone: "+46 8 000 00 00"})
	}
	notes := strings.Repeat("Notes that go on. ", 200) + "THE END"
	long.Prefill(&command.DealView{Name: "Big", Value: ptr(1.0), Currency: "EUR", CloseDate: "2031-03-01", Notes: notes, Team: team}, "Ana <ana@x> +46 1")
	sent := map[string]string{}
	for _, fd := range long.Fields {
		if (fd.Key == "notes" || fd.Key == "team") && (fd.Value != "" || !fd.Optional || !strings.Contains(fd.Hint, "Leave empty to keep")) {
			t.Errorf("a long %s opens as %q (optional %v, hint %q), want empty, optional, saying it is kept", fd.Key, fd.Value, fd.Optional, fd.Hint)
		}
		sent[fd.Key] = fd.Value
	}
	if l := long.Line(sent); strings.Contains(l, "notes=") || strings.Contains(l, "team=") {
		t.Errorf("submitted unchanged, the form sends %s; want the long values left out (kept)", l)
	}
	// The value-and-currency input: a number and a code split, a code alone
	// is the currency, any other word is the value for its parser to name.
	for in, want := range map[string]map[string]string{
		"60000 EUR": {"value": "60000", "currency": "EUR"},
		"sek":       {"currency": "SEK"},
		"abc":       {"value": "abc"},
		"45k":       {"value": "45k"},
	} {
		if got := f.Values(map[string]string{"value": in}); !maps.Equal(got, want) {
			t.Errorf("value input %q reads as %v, want %v", in, got, want)
		}
	}
	// Refusals land under their fields, currency under value; a key the
	// form lacks under none of them, but aside.
	mixed := command.Reply{Err: &command.Failure{Problems: []command.Problem{
		{Field: "currency", Message: "unknown currency"}, {Field: "close", Message: "bad date"}, {Field: "location", Message: "nope"},
	}}}
	errs := f.Errors(mixed)
	if len(errs) != 2 || errs["value"] != "unknown currency" || errs["close"] != "bad date" {
		t.Fatalf("errors %v", errs)
	}
	if aside := f.Aside(mixed); !slices.Equal(aside, []string{"location: nope"}) {
		t.Fatalf("aside %v", aside)
	}
	ms, _ := FormFor(chat.Action{Command: "deal invite 3 microsoft"})
	if l := ms.Line(map[string]string{"help": "technical"}); l != `deal invite 3 microsoft help="technical"` {
		t.Fatalf("invite microsoft: %s", l)
	}
	// Microsoft needs the customer's contact: the form asks for it while
	// the deal has none (once it could not be given anywhere), and not after.
	if l := ms.Line(map[string]string{"help": "technical", "contact": "Eva Lund <eva@fabrikam.se> +46 8 123 456", "consent": "yes"}); l != `deal invite 3 microsoft help="technical" contact="Eva Lund <eva@fabrikam.se> +46 8 123 456" consent="yes"` {
		t.Fatalf("invite microsoft with the contact: %s", l)
	}
	withContact := ms
	withContact.Fields = slices.Clone(ms.Fields)
	withContact.Prefill(&command.DealView{Customer: deal.Customer{Contact: &deal.Person{Name: "Eva Lund", Email: "eva@fabrikam.se", Phone: "+46 8 123 456"}, Consent: true}}, "")
	if len(withContact.Fields) != 1 || withContact.Fields[0].Key != "help" || len(ms.Fields) != 3 {
		t.Fatalf("invite microsoft on a deal with a contact asks %+v (without one %d fields)", withContact.Fields, len(ms.Fields))
	}
	inv, _ := FormFor(chat.Action{Command: "deal invite 3"})
	if l := inv.Line(map[string]string{"partner": "Litware", "value": "10 usd"}); l != `deal invite 3 partner="Litware" value="10" currency="USD"` {
		t.Fatalf("invite partner: %s", l)
	}
	ask, ok := FormFor(chat.Action{Command: "faq edit 3", Ask: []string{"answer"}})
	if !ok {
		t.Fatal("ask form")
	}
	back, ok := ParseRef(ask.Ref())
	if !ok || back.Command != "faq edit 3" || back.Fields[0].Key != "answer" {
		t.Fatalf("ParseRef(%q) = %+v", ask.Ref(), back)
	}
	if old, ok := ParseRef("ask:reason:deal decline 12"); !ok || old.Kind != "decline" {
		t.Fatalf("an older message's decline: %+v", old)
	}
}

// FuzzMayOpenForm checks that the allocation-free pre-check never turns
// away a command the form pattern matches.
func FuzzMayOpenForm(f *testing.F) {
	for _, s := range []string{"deal accept 12", " DEAL   Invite #3  microsoft ", "deal show 1", "deal\tlost\t9", "dealaccept 1", "deal error"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		matches := dealVerb.MatchString(strings.Join(strings.Fields(strings.ToLower(cmd)), " "))
		if matches && !mayOpenForm(cmd) {
			t.Fatalf("mayOpenForm(%q) = false, but the pattern matches", cmd)
		}
	})
}

// ParseRef reads what a button or modal carries back (Discord's custom_id,
// Slack's private_metadata): whatever it is given, it either refuses or
// returns a form whose every field holds at most what its input takes, and
// a retry reference reads back its values.
func FuzzParseRef(f *testing.F) {
	accept, _ := FormFor(chat.Action{Command: "deal accept 12"})
	f.Add(accept.RetryRef(map[string]string{"name": "Fabrikam", "value": "abc"}))
	f.Add("ask:reason:deal decline 12")
	f.Add("retry:\n")
	f.Add("retry:name=%ZZ\ndeal accept 1")
	f.Fuzz(func(t *testing.T, ref string) {
		form, ok := ParseRef(ref)
		if !ok {
			return
		}
		for _, fd := range form.Fields {
			if fd.Max > 0 && utf8.RuneCountInString(fd.Value) > fd.Max {
				t.Errorf("field %s holds %d characters, more than its %d", fd.Key, utf8.RuneCountInString(fd.Value), fd.Max)
			}
		}
	})
}

// Every deal form names its deal within Slack's 24-character modal title,
// up to six-digit deal ids: a clipped "Invite a partner onto #…" left the
// person with several forms open unable to tell which deal it was.
// A refusal about nothing in the form (the referral expired while the form
// was open, a permission, a refusal naming no key) is pinned under none of
// its inputs: Errors leaves it out, Aside has it, ErrorText is the
// command's own text and no resubmission is offered, since no input can
// fix it. A database that did not answer may be retried.
func TestRefusalAboutNoField(t *testing.T) {
	f, _ := FormFor(chat.Action{Command: "deal accept 20"})
	for _, tt := range []struct {
		name  string
		err   command.Failure
		text  string
		aside []string
		retry bool
	}{
		{"status", command.Failure{Code: "invalid", Field: "status", Message: "status: referral #20 expired on 2026-11-29 (tried to accept)"},
			"✗ status: referral #20 expired on 2026-11-29 (tried to accept)", []string{"status: referral #20 expired on 2026-11-29 (tried to accept)"}, false},
		{"no key", command.Failure{Code: "not_found", Message: "no deal #20"}, "✗ no deal #20", []string{"no deal #20"}, false},
		{"several, none in the form", command.Failure{Code: "invalid", Problems: []command.Problem{{Field: "status", Message: "expired"}, {Field: "location", Message: "not yours"}}},
			"✗ 2 things", []string{"status: expired", "location: not yours"}, false},
		{"database", command.Failure{Code: "unavailable", Message: "cosellbot could not reach its database"}, "✗ cosellbot could not", []string{"cosellbot could not reach its database"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reply := command.Reply{Text: "✗ " + tt.err.Message, Err: &tt.err}
			if tt.err.Message == "" {
				reply.Text = "✗ 2 things to fix: …"
			}
			if errs := f.Errors(reply); len(errs) != 0 {
				t.Errorf("pinned under inputs: %v", errs)
			}
			if aside := f.Aside(reply); !slices.Equal(aside, tt.aside) {
				t.Errorf("aside %q, want %q", aside, tt.aside)
			}
			if got := f.ErrorText(reply); !strings.HasPrefix(got, tt.text) || strings.Contains(got, "Deal name") {
				t.Errorf("error text %q, want the command's own, starting %q", got, tt.text)
			}
			if got := f.Retryable(reply); got != tt.retry {
				t.Errorf("retryable %v, want %v", got, tt.retry)
			}
		})
	}
	// With a problem about an input too, both are listed, by label then
	// aside, and fixing the form is offered.
	both := command.Reply{Text: "✗ 2 things to fix", Err: &command.Failure{Code: "invalid", Problems: []command.Problem{
		{Field: "status", Message: "expired"}, {Field: "close", Message: "bad date"}}}}
	if got, want := f.ErrorText(both), "✗ Nothing was changed. Fix these:\n• Estimated close date: bad date\n• status: expired"; got != want {
		t.Errorf("error text %q, want %q", got, want)
	}
	if !f.Retryable(both) {
		t.Error("a refusal about an input is not retryable")
	}
}

// Date inputs take every form the grammar reads, not only YYYY-MM-DD:
// Discord enforces an input's max_length as it is typed.
func TestDateInputsTakeLongForms(t *testing.T) {
	for _, cmd := range []string{"deal accept 3", "deal snooze 3", "deal invite 3"} {
		f, _ := FormFor(chat.Action{Command: cmd})
		dates := 0
		for _, fd := range f.Fields {
			if fd.Input != Date {
				continue
			}
			dates++
			for _, typed := range []string{"1er mars 2027", "Mar 1, 2027", "2027-03-01T00:00:00Z", "Wednesday, April 14, 2027", "2027-03-01T00:00:00+01:00"} {
				if n := utf8.RuneCountInString(typed); fd.Max < n {
					t.Errorf("%s: %s takes %d characters, %q has %d", cmd, fd.Key, fd.Max, typed, n)
				}
			}
		}
		if dates != 1 {
			t.Errorf("%s: %d date inputs", cmd, dates)
		}
	}
}

func TestFormTitlesKeepTheDeal(t *testing.T) {
	const slackTitle = 24
	for _, cmd := range []string{"deal accept 123456", "deal decline 123456", "deal lost 123456", "deal error 123456",
		"deal snooze 123456", "deal invite 123456", "deal invite 123456 microsoft"} {
		f, ok := FormFor(chat.Action{Command: cmd})
		if !ok {
			t.Fatalf("%s: no form", cmd)
		}
		if n := utf8.RuneCountInString(f.Title); n > slackTitle || !strings.Contains(f.Title, "#123456") {
			t.Errorf("%s: title %q (%d characters), want the deal within %d", cmd, f.Title, n, slackTitle)
		}
	}
}

// A clicker's display name is whatever they chose: written as a person it
// still reads back as that person, so the form's prefilled team is not one
// the same form refuses.
func TestPersonFromADisplayName(t *testing.T) {
	for name, want := range map[string]string{
		"Zoë <Admin> & *Boss*": "Zoë Admin & *Boss*",
		"Åsa *Admin* <@&1>":    "Åsa *Admin* @&1",
		"  Ana;Diaz ":          "Ana Diaz",
		"":                     "ana@contoso.com",
	} {
		s := Person(name, "ana@contoso.com", "+46 70 123 45 67")
		p, err := command.ParsePerson(s)
		if err != nil || p.Name != want || p.Email != "ana@contoso.com" || p.Phone != "+46 70 123 45 67" {
			t.Errorf("Person(%q) = %q, read back as %+v, %v; want the name %q", name, s, p, err, want)
		}
	}
}

// ptr is a pointer to v, for optional view fields.
func ptr[T any](v T) *T { return &v }
