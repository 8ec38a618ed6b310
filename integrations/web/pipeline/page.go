package pipeline

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
)

// page is what every template gets: the locale, the person, and where they are.
type page struct {
	L     *locale
	Who   access.User
	Nav   string // the section shown: board, expiring, charts, claims, deal, signin
	Langs []langLink
	Title string
	Error string // a bad filter, shown above the content
}

type langLink struct {
	Code, Name, Href string
	Current          bool
}

var langNames = [][2]string{{"en", "English"}, {"fr", "Français"}, {"sv", "Svenska"}}

func (s *Server) newPage(w http.ResponseWriter, r *http.Request, now time.Time, who access.User, nav string) *page {
	lang := pickLang(r)
	if v := r.URL.Query().Get("lang"); known(v) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: v, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	}
	pg := &page{L: newLocale(lang, now), Who: who, Nav: nav}
	if nav == "signin" {
		pg.Title = pg.L.T("signin.title")
	}
	for _, ln := range langNames {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			if k != "lang" && k != "t" {
				q[k] = v
			}
		}
		q.Set("lang", ln[0])
		href := r.URL.Path + "?" + q.Encode()
		switch t := r.URL.Query().Get("t"); {
		case nav == "signin" && r.Method == http.MethodGet && t != "":
			// The sign-in page in another language, still able to sign in:
			// the token goes only to this same page (no-referrer holds it in).
			href = "/signin?" + url.Values{"t": {t}, "lang": {ln[0]}}.Encode()
		case r.URL.Query().Has("t") || r.Method != http.MethodGet: // never copy a sign-in token into another link
			href = "/signin?lang=" + ln[0]
		}
		pg.Langs = append(pg.Langs, langLink{Code: ln[0], Name: ln[1], Href: href, Current: ln[0] == lang})
	}
	return pg
}

// render executes a template into a buffer, so that a failure half way
// sends a clean error instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // keep the usual sizes, not an outlier's
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := s.tmpl.ExecuteTemplate(buf, name, data); err != nil {
		s.fail(w, r, err)
		return
	}
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// buffers hold pages being rendered: a board is some 100 kB, and growing a
// fresh buffer to that size each time was a fifth of a request's garbage.
var buffers = sync.Pool{New: func() any { b := new(bytes.Buffer); b.Grow(128 << 10); return b }}

// fail answers 500 and logs why; the page says only that it failed.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "pipeline page failed", "path", r.URL.Path, "err", err)
	secureHeaders(w)
	http.Error(w, "The pipeline page could not be built: the database did not answer. Try again in a moment.", http.StatusInternalServerError)
}

var funcs = template.FuncMap{}
