package pipeline_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
)

// client is a browser without script: cookies, no redirects followed.
func client(t testing.TB) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t testing.TB, c *http.Client, u string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func post(t testing.TB, c *http.Client, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (e *env) link(t testing.TB, user string) string {
	t.Helper()
	l, exp, err := e.page.SignInLink(context.Background(), user, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(pipeline.LinkTTL).Truncate(time.Second); !exp.Equal(want) {
		t.Fatalf("link expires %s, want %s", exp, want)
	}
	return l
}

func token(link string) string { u, _ := url.Parse(link); return u.Query().Get("t") }

// signIn opens the link and presses its button, as a person does.
func (e *env) signIn(t testing.TB, c *http.Client, user string) {
	t.Helper()
	l := e.link(t, user)
	code, body, _ := get(t, c, l)
	if code != http.StatusOK || !strings.Contains(body, `id="signin-button"`) || !strings.Contains(body, user) {
		t.Fatalf("opening the link: %d\n%s", code, body)
	}
	code, _, h := post(t, c, e.url+"/signin", url.Values{"t": {token(l)}})
	if code != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("signing in: %d %v", code, h)
	}
	ck := h.Get("Set-Cookie")
	for _, want := range []string{"cosellbot_session=", "HttpOnly", "SameSite=Lax", "Max-Age=43200", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("session cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("session cookie %q is Secure on plain http: the browser would drop it", ck)
	}
}

var cardRE = regexp.MustCompile(`<article class="card[^"]*" data-deal="(\d+)"`)

func cards(body string) []int64 {
	var ids []int64
	for _, m := range cardRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func TestNoSessionRedirects(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	c := client(t)
	for _, p := range []string{"/", "/expiring", "/charts", "/claims", "/deals/1", "/?status=all"} {
		code, body, h := get(t, c, e.url+p)
		if code != http.StatusSeeOther || h.Get("Location") != "/signin" {
			t.Errorf("GET %s without a session: %d %s, want 303 to /signin", p, code, h.Get("Location"))
		}
		if strings.Contains(body, "Alpha") || strings.Contains(body, "data-deal") {
			t.Errorf("GET %s without a session shows deals", p)
		}
	}
	// A forged or ended session is no session.
	c.Jar.SetCookies(mustURL(e.url), []*http.Cookie{{Name: "cosellbot_session", Value: "forged"}})
	if code, _, h := get(t, c, e.url+"/"); code != http.StatusSeeOther || h.Get("Location") != "/signin" {
		t.Errorf("forged session: %d %v", code, h)
	}
	code, body, _ := get(t, c, e.url+"/signin")
	if code != http.StatusOK || !strings.Contains(body, "/cosell web") {
		t.Errorf("the sign-in page says how to get a link: %d\n%s", code, body)
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestLinkOnceWithinTenMinutes(t *testing.T) {
	e := newEnv(t)
	e.seed(t)

	// Used: the second use is refused, and opens nothing.
	c := client(t)
	l := e.link(t, "ana@contoso.com")
	if code, _, _ := post(t, c, e.url+"/signin", url.Values{"t": {token(l)}}); code != http.StatusSeeOther {
		t.Fatalf("first use: %d", code)
	}
	other := client(t)
	code, body, h := post(t, other, e.url+"/signin", url.Values{"t": {token(l)}})
	if code != http.StatusGone || !strings.Contains(body, "already used") || h.Get("Set-Cookie") != "" {
		t.Errorf("second use: %d %q\n%s", code, h.Get("Set-Cookie"), body)
	}
	if code, body, _ := get(t, other, l); code != http.StatusGone || strings.Contains(body, "signin-button") {
		t.Errorf("opening a used link: %d\n%s", code, body)
	}

	// Expired: ten minutes and it is over, used or not.
	l = e.link(t, "ana@contoso.com")
	e.clock.Add(pipeline.LinkTTL)
	code, body, _ = post(t, client(t), e.url+"/signin", url.Values{"t": {token(l)}})
	if code != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d\n%s", code, body)
	}
	e.clock.Set(t0)

	// Tampered: a changed expiry breaks the signature.
	l = e.link(t, "ana@contoso.com")
	tok := token(l)
	// A character well inside the signature, changed: every bit of it
	// counts (the last one's may be padding), and it always differs.
	at := len(tok) - 5
	swap := map[bool]string{true: "B", false: "A"}[tok[at] == 'A']
	bad := tok[:at] + swap + tok[at+1:]
	if code, body, _ := post(t, client(t), e.url+"/signin", url.Values{"t": {bad}}); code != http.StatusBadRequest || !strings.Contains(body, "not valid") {
		t.Errorf("tampered link: %d\n%s", code, body)
	}
	if code, _, _ := post(t, client(t), e.url+"/signin", url.Values{"t": {"nonsense"}}); code != http.StatusBadRequest {
		t.Errorf("nonsense link: %d", code)
	}
	// Still usable after the failed tries.
	if code, _, _ := post(t, client(t), e.url+"/signin", url.Values{"t": {tok}}); code != http.StatusSeeOther {
		t.Errorf("the good link after bad tries: %d", code)
	}
}

func TestSessionEnds(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	c := client(t)
	e.signIn(t, c, "ana@contoso.com")
	if code, _, _ := get(t, c, e.url+"/"); code != http.StatusOK {
		t.Fatalf("board: %d", code)
	}
	e.clock.Add(pipeline.SessionTTL)
	if code, _, h := get(t, c, e.url+"/"); code != http.StatusSeeOther || h.Get("Location") != "/signin" {
		t.Errorf("after 12 hours: %d %v", code, h)
	}
	e.clock.Set(t0)
	e.signIn(t, c, "ana@contoso.com")
	if code, _, h := post(t, c, e.url+"/signout", nil); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/signin") {
		t.Errorf("sign out: %d %v", code, h)
	}
	if code, _, _ := get(t, c, e.url+"/"); code != http.StatusSeeOther {
		t.Errorf("after sign out: %d", code)
	}
	// A user removed in chat loses the page at once.
	e.signIn(t, c, "ana@contoso.com")
	e.run(t, "", "user remove ana@contoso.com")
	if code, _, _ := get(t, c, e.url+"/"); code != http.StatusSeeOther {
		t.Errorf("after user remove: %d", code)
	}
}

// TestRemovedUserSignsNoOneIn: a link spent by someone removed since it
// was made opens no session and says why and whom to ask; user remove ends
// every session, and adding the address again brings none back (vis #6, #10).
func TestRemovedUserSignsNoOneIn(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	sessions := func() int {
		t.Helper()
		var n int
		if err := e.db.QueryRow(`SELECT count(*) FROM web_sessions WHERE user_id = 'ana@contoso.com'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c := client(t)
	e.signIn(t, c, "ana@contoso.com")
	l := e.link(t, "ana@contoso.com")
	e.run(t, "", "user remove ana@contoso.com")
	if n := sessions(); n != 0 {
		t.Errorf("user remove left %d sessions of ana", n)
	}
	for _, want := range []string{"ana@contoso.com is no longer a cosellbot user", "user add ana@contoso.com role="} {
		code, body, _ := get(t, client(t), l)
		if code != http.StatusForbidden || !strings.Contains(body, want) || strings.Contains(body, "signin-button") {
			t.Errorf("opening a removed user's link: %d, want 403 saying %q and no button\n%s", code, want, body)
		}
		code, body, h := post(t, client(t), e.url+"/signin", url.Values{"t": {token(l)}})
		if code != http.StatusForbidden || !strings.Contains(body, want) || strings.Contains(h.Get("Set-Cookie"), "cosellbot_session=") {
			t.Errorf("spending a removed user's link: %d %q, want 403 saying %q and no cookie\n%s", code, h.Get("Set-Cookie"), want, body)
		}
	}
	if n := sessions(); n != 0 {
		t.Errorf("a removed user's link opened %d sessions", n)
	}
	// Added again: neither the old session nor the old link comes back.
	e.run(t, "", "user add ana@contoso.com role=referrals-user locations=1111111")
	if code, _, h := get(t, c, e.url+"/"); code != http.StatusSeeOther || h.Get("Location") != "/signin" {
		t.Errorf("a session from before the removal, after adding ana again: %d %v", code, h)
	}
	if code, _, h := post(t, client(t), e.url+"/signin", url.Values{"t": {token(l)}}); code == http.StatusSeeOther || h.Get("Set-Cookie") != "" {
		t.Errorf("a link from before the removal, after adding ana again: %d %v", code, h)
	}
	if n := sessions(); n != 0 {
		t.Errorf("after adding ana again: %d sessions", n)
	}
	// A new link works.
	e.signIn(t, client(t), "ana@contoso.com")
}

func TestScopedBoardIsTheChatsRule(t *testing.T) {
	e := newEnv(t)
	hers := e.seed(t)
	c := client(t)
	e.signIn(t, c, "ana@contoso.com")
	code, body, h := get(t, c, e.url+"/?status=all")
	if code != http.StatusOK {
		t.Fatalf("board: %d\n%s", code, body)
	}
	var want []int64
	for id := range hers {
		want = append(want, id)
	}
	slices.Sort(want)
	if got := cards(body); !slices.Equal(got, want) {
		t.Errorf("ana's board holds %v, want %v", got, want)
	}
	if h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("headers: %v", h)
	}
	// The chat agrees, deal by deal.
	for id := int64(1); id <= 12; id++ {
		u, _ := e.svc.Resolve(context.Background(), "ana@contoso.com")
		r := e.svc.Run(context.Background(), u, placeTest, "deal show "+itoa(id))
		code, _, _ := get(t, c, e.url+"/deals/"+itoa(id))
		if r.OK() != (code == http.StatusOK) || r.OK() != hers[id] {
			t.Errorf("deal %d: chat ok=%v, page %d, hers=%v", id, r.OK(), code, hers[id])
		}
	}
	// Filters narrow it; a bad one says what to write.
	_, body, _ = get(t, c, e.url+"/?status=all&kind=sa")
	if got := cards(body); len(got) != 1 {
		t.Errorf("kind=sa: %v", got)
	}
	code, body, _ = get(t, c, e.url+"/?kind=nope")
	if code != http.StatusBadRequest || !strings.Contains(body, "kind=&#34;nope&#34; is not known: use one of ip_cosell") {
		t.Errorf("bad kind: %d", code)
	}
	_, body, _ = get(t, c, e.url+"/?status=all&q=kappa")
	if got := cards(body); len(got) != 1 {
		t.Errorf("q=kappa: %v", got)
	}
}

func TestLanguage(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	c := client(t)
	e.signIn(t, c, "ana@contoso.com")
	// Percentages as each language writes them: 20% in English (as chat
	// writes the stage), 20 % with a no-break space in French and Swedish.
	for _, tc := range []struct{ accept, lang, word, pct string }{
		{"fr-FR,fr;q=0.9,en;q=0.5", "fr", "Tableau", "20\u00a0%"},
		{"sv-SE,sv;q=0.9", "sv", "Tavla", "20\u00a0%"},
		{"de-DE", "en", "Board", ">20%<"},
		{"", "en", "Board", ">20%<"},
	} {
		_, body, _ := get(t, c, e.url+"/", "Accept-Language", tc.accept)
		if !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.word) || !strings.Contains(body, tc.pct) {
			t.Errorf("Accept-Language %q: want %s with %q and %q", tc.accept, tc.lang, tc.word, tc.pct)
		}
	}
	// A chosen language sticks, whatever the browser says.
	get(t, c, e.url+"/?lang=sv")
	_, body, _ := get(t, c, e.url+"/charts", "Accept-Language", "fr")
	if !strings.Contains(body, `<html lang="sv">`) {
		t.Error("the chosen language did not stick")
	}
}

var placeTest = chatPlace()

// The sign-in page in another language can still sign in: its language
// links keep the one-time token (to the same page only), and the token
// still works from there.
func TestSignInPageLanguageKeepsTheLink(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	c := client(t)
	l := e.link(t, "ana@contoso.com")
	_, body, _ := get(t, c, l)
	want := "/signin?" + url.Values{"lang": {"fr"}, "t": {token(l)}}.Encode()
	if !strings.Contains(body, strings.ReplaceAll(want, "&", "&amp;")) {
		t.Fatalf("the French link of the sign-in page lacks the token (want %s):\n%s", want, body)
	}
	_, fr, _ := get(t, c, e.url+want)
	if !strings.Contains(fr, `<html lang="fr">`) || !strings.Contains(fr, "signin-button") {
		t.Errorf("the sign-in page in French cannot sign in:\n%s", fr)
	}
	if code, _, _ := post(t, c, e.url+"/signin", url.Values{"t": {token(l)}}); code != http.StatusSeeOther {
		t.Errorf("signing in after the switch: %d", code)
	}
}

// The deal page names values as chat and Partner Center do, in the page's
// language: the account class, the intent, a solution's source and IP
// eligibility, not their codes.
func TestDealPageShowsLabels(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	c := client(t)
	e.signIn(t, c, "carl@contoso.com")
	_, body, _ := get(t, c, e.url+"/deals/1")
	for _, want := range []string{"Other (DUNS)", "My company&#39;s solutions", "Azure IP co-sell eligible", "Undecided"} {
		if !strings.Contains(body, want) {
			t.Errorf("the deal page lacks %q", want)
		}
	}
	for _, code := range []string{">other<", ">mine<", ">azure<", ">undecided<"} {
		if strings.Contains(body, code) {
			t.Errorf("the deal page shows the code %q", code)
		}
	}
}

// The claims page says a claim's dates as chat does, in the customer
// country's time: the day the customer was notified and the last day they
// may decline (in UTC it said the Tokyo customer was notified the day
// before, and gave London's last day a day late).
func TestClaimDatesAreTheCustomers(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	e.clock.Set(time.Date(2026, 11, 20, 20, 0, 0, 0, time.UTC)) // Saturday 05:00 in Tokyo
	notified := regexp.MustCompile(`notified the customer on (\d{4}-\d\d-\d\d); the customer may decline until the end of (\d{4}-\d\d-\d\d)`)
	for i, country := range []string{"JP", "GB", "US"} {
		e.run(t, "", "cpor claim customer=aaaaaaaa-bbbb-cccc-dddd-00000000000"+itoa(int64(i+1))+" country="+country+" engagement=bizapps-usage workload=Dynamics")
	}
	c := client(t)
	e.signIn(t, c, "carl@contoso.com")
	for i, country := range []string{"JP", "GB", "US"} {
		r := e.run(t, "", "cpor confirm "+itoa(int64(i+1)))
		m := notified.FindStringSubmatch(r.Text)
		if m == nil {
			t.Fatalf("cpor confirm %d: %q", i+1, r.Text)
		}
		_, body, _ := get(t, c, e.url+"/claims")
		row := regexp.MustCompile(`(?s)<tr data-claim="` + itoa(int64(i+1)) + `">.*?</tr>`).FindString(body)
		if !strings.Contains(row, "<td>"+m[1]+"</td>") || !strings.Contains(row, m[2]) {
			t.Errorf("%s: chat says notified %s, last day %s; the page's row:\n%s", country, m[1], m[2], row)
		}
	}
}

// A referral received without a value shows none, rather than "0 USD" (a
// tester read it as a deal worth nothing).
func TestDealPageOfAReferralWithoutValue(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	id := dealID(t, e.run(t, "", `deal receive kind=services customer="Zeta AB" customer_location=SE location=1111111 from=microsoft`))
	c := client(t)
	e.signIn(t, c, "carl@contoso.com")
	_, body, _ := get(t, c, e.url+"/deals/"+itoa(id))
	fields := regexp.MustCompile(`(?s)<dl[^>]*id="deal-fields".*?</dl>`).FindString(body)
	if fields == "" || strings.Contains(fields, ">0 USD<") || strings.Contains(fields, ">0 ") {
		t.Errorf("the deal fields of a referral with no value:\n%s", fields)
	}
}
