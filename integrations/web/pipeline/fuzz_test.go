package pipeline_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzSignInToken posts whatever arrives as a sign-in token: nothing but a
// link cosellbot made may open a session, and nothing may fail the server.
func FuzzSignInToken(f *testing.F) {
	f.Add("")
	f.Add("abc.def")
	f.Add("lyF2O0eOtDuy_-X-YBnWDAAAAABrCpg9.T2LKURFN9FA3W28bwrXpBY4RH-hIkjzW0t5Hjr_aWB4")
	f.Add(strings.Repeat("A", 5000) + "." + strings.Repeat("B", 43))
	f.Add("....")
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, tok string) {
		c := client(t)
		code, _, h := post(t, c, e.url+"/signin", url.Values{"t": {tok}})
		if code >= 500 || h.Get("Set-Cookie") != "" || code == http.StatusSeeOther {
			t.Fatalf("token %q: %d, cookie %q", tok, code, h.Get("Set-Cookie"))
		}
		code, _, _ = get(t, c, e.url+"/signin?t="+url.QueryEscape(tok))
		if code >= 500 {
			t.Fatalf("opening token %q: %d", tok, code)
		}
	})
}

// FuzzFilters sends whatever arrives as the board's query: a bad filter is
// a 400 that says what to write, never a failure.
func FuzzFilters(f *testing.F) {
	for _, q := range []string{"", "kind=sa", "kind=nope&sale=x&status=y&sort=z", "q=%00%ff", "location=1111111&member=ana@contoso.com", "q=" + strings.Repeat("x", 300)} {
		f.Add(q)
	}
	e := newEnv(f)
	c := client(f)
	e.signIn(f, c, "admin@localhost")
	f.Fuzz(func(t *testing.T, raw string) {
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return // a browser sends no such query
		}
		q := vals.Encode()
		for _, p := range []string{"/", "/charts", "/expiring"} {
			code, body, _ := get(t, c, e.url+p+"?"+q)
			if code != http.StatusOK && code != http.StatusBadRequest {
				t.Fatalf("%s?%s: %d", p, q, code)
			}
			if code == http.StatusBadRequest && !strings.Contains(body, "use one of") && !strings.Contains(body, "shorten it") {
				t.Fatalf("%s?%s: a 400 that does not say what to write", p, q)
			}
		}
	})
}
