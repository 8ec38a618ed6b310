package pipeline

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Sign-in: a link carries a random id and its expiry, signed with HMAC-SHA256
// under a key kept in the database (so every replica and the CLI share it).
// The signature and the expiry are checked before the database is asked; the
// database then spends the link once. Opening the link shows a button that
// spends it (POST), so that a chat client or proxy fetching the link to
// preview it cannot use it up.
const (
	// LinkTTL is how long a sign-in link works.
	LinkTTL = 10 * time.Minute
	// SessionTTL is how long a session lasts.
	SessionTTL = 12 * time.Hour

	sessionCookie = "cosellbot_session"
	keyName       = "pipeline-signin"
	linkContext   = "cosellbot pipeline sign-in v1\x00"
	idLen         = 16
	payloadLen    = idLen + 8
)

func (s *Server) signingKey(ctx context.Context, now time.Time) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	k, err := s.sess.WebKey(ctx, keyName, now)
	if err != nil {
		return nil, err
	}
	s.key = k
	return k, nil
}

func sign(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(linkContext))
	m.Write(payload)
	return m.Sum(nil)
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var b64 = base64.RawURLEncoding

// SignInLink makes a one-time link that opens a session for user, valid for
// LinkTTL from now. It implements command.WebLinks.
func (s *Server) SignInLink(ctx context.Context, user string, now time.Time) (string, time.Time, error) {
	user = strings.ToLower(strings.TrimSpace(user))
	if user == "" {
		return "", time.Time{}, errors.New("sign-in link: no user given")
	}
	key, err := s.signingKey(ctx, now)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign-in link: %w", err)
	}
	payload := make([]byte, payloadLen)
	_, _ = rand.Read(payload[:idLen]) // crypto/rand.Read never fails
	expires := now.Add(LinkTTL).UTC().Truncate(time.Second)
	binary.BigEndian.PutUint64(payload[idLen:], uint64(expires.Unix()))
	token := b64.EncodeToString(payload) + "." + b64.EncodeToString(sign(key, payload))
	e := ledger.Entry{At: now, Actor: user, Action: "web-link", Detail: "made a sign-in link to the pipeline page, valid until " + expires.Format(time.RFC3339)}
	if err := s.sess.CreateWebLink(ctx, hashHex(payload[:idLen]), user, expires, e); err != nil {
		return "", time.Time{}, fmt.Errorf("sign-in link: %w", err)
	}
	return s.base.String() + "/signin?t=" + token, expires, nil
}

// linkProblem is why a link cannot be used, as a message key and status.
type linkProblem struct {
	key  string
	code int
}

var (
	linkBad     = &linkProblem{"signin.bad", http.StatusBadRequest}
	linkExpired = &linkProblem{"signin.expired", http.StatusGone}
	linkUsed    = &linkProblem{"signin.used", http.StatusGone}
)

// verify checks a token's form, signature and expiry; it answers the link id.
func (s *Server) verify(ctx context.Context, token string, now time.Time) ([]byte, time.Time, *linkProblem, error) {
	p, sig, ok := strings.Cut(token, ".")
	payload, err1 := b64.DecodeString(p)
	mac, err2 := b64.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || len(payload) != payloadLen {
		return nil, time.Time{}, linkBad, nil
	}
	key, err := s.signingKey(ctx, now)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	if !hmac.Equal(mac, sign(key, payload)) {
		return nil, time.Time{}, linkBad, nil
	}
	expires := time.Unix(int64(binary.BigEndian.Uint64(payload[idLen:])), 0).UTC()
	if !now.Before(expires) {
		return nil, expires, linkExpired, nil
	}
	return bytes.Clone(payload[:idLen]), expires, nil, nil
}

// refusal maps the record's answer about a link to what the person reads.
func refusal(err error, expires, now time.Time) *linkProblem {
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return linkBad
	case errors.Is(err, ledger.ErrConflict) && !now.Before(expires):
		return linkExpired
	case errors.Is(err, ledger.ErrConflict):
		return linkUsed
	}
	return nil
}

type signinData struct {
	*page
	Token, User string
	Problem     string
	Again       bool
	// Ask, when set, replaces "get a new link" after the problem: what to
	// do when a new link would not help either.
	Ask string
}

// linkGone answers a link whose user is no longer a cosellbot user: Forbidden,
// saying so and whom to ask, since a new link would not help.
var linkGone = &linkProblem{"signin.gone", http.StatusForbidden}

// gone reports whether the user a link was made for is no longer a
// cosellbot user (removed since), as the chat would refuse them; a failed
// lookup is an error.
func (s *Server) gone(ctx context.Context, user string) (bool, error) {
	if user == "" {
		return false, nil
	}
	_, err := s.users.Resolve(ctx, user)
	var denied *access.Denied
	if errors.As(err, &denied) {
		return true, nil
	}
	return false, err
}

// refuse shows the sign-in page with why the link does not sign anyone in.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, d *signinData, prob *linkProblem) {
	d.Token, d.Again = "", true
	d.Problem = d.L.T(prob.key)
	if prob == linkGone {
		d.Problem, d.Ask = d.L.F(prob.key, d.User), d.L.F("signin.ask", d.User)
	}
	s.render(w, r, prob.code, "signin", d)
}

// signinForm is the page a link opens: the button that spends it, or why it
// cannot be used; without a link, how to get one.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	pg := s.newPage(w, r, now, access.User{}, "signin")
	token := r.URL.Query().Get("t")
	d := &signinData{page: pg}
	if token == "" {
		if r.URL.Query().Has("out") {
			d.Problem = pg.L.T("signedout")
		}
		s.render(w, r, http.StatusOK, "signin", d)
		return
	}
	id, expires, prob, err := s.verify(r.Context(), token, now)
	if err == nil && prob == nil {
		d.User, err = s.sess.WebLinkUser(r.Context(), hashHex(id), now)
		prob = refusal(err, expires, now)
		if prob != nil {
			err = nil
		}
	}
	if err == nil && prob != linkBad {
		// Removed since the link was made: say so rather than offer a
		// button, or a new link, that cannot help.
		var isGone bool
		if isGone, err = s.gone(r.Context(), d.User); isGone {
			prob = linkGone
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if prob != nil {
		s.refuse(w, r, d, prob)
		return
	}
	d.Token = token
	s.render(w, r, http.StatusOK, "signin", d)
}

// signin spends a link and opens the session. A link whose user is no
// longer a cosellbot user opens none: the record refuses it in the
// transaction that would open it (so a removal cannot slip in between),
// and the page says why and whom to ask.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	pg := s.newPage(w, r, now, access.User{}, "signin")
	d := &signinData{page: pg}
	token := r.PostFormValue("t")
	id, expires, prob, err := s.verify(r.Context(), token, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if prob == nil {
		// Whose link it is, to tell a removed user why it fails; the
		// record's own answer about the link comes from spending it.
		d.User, _ = s.sess.WebLinkUser(r.Context(), hashHex(id), now)
		isGone, err := s.gone(r.Context(), d.User)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if isGone {
			s.refuse(w, r, d, linkGone)
			return
		}
	}
	if prob == nil {
		var raw [32]byte
		_, _ = rand.Read(raw[:])
		cookie := b64.EncodeToString(raw[:])
		until := now.Add(SessionTTL)
		e := ledger.Entry{At: now, Actor: "web", Action: "signed-in", Detail: "signed in to the pipeline page until " + until.UTC().Format(time.RFC3339)}
		var user string
		user, err = s.sess.UseWebLink(r.Context(), hashHex(id), hashHex([]byte(cookie)), until, e)
		if prob = refusal(err, expires, now); prob == nil && err != nil {
			s.fail(w, r, err)
			return
		}
		if prob != nil && prob != linkBad {
			// Removed between the check above and the spending.
			if isGone, _ := s.gone(r.Context(), d.User); isGone {
				prob = linkGone
			}
		}
		if prob == nil {
			http.SetCookie(w, &http.Cookie{
				Name: sessionCookie, Value: cookie, Path: "/", Expires: until, MaxAge: int(SessionTTL / time.Second),
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil,
			})
			s.log.InfoContext(r.Context(), "pipeline page: signed in", "user", user)
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	}
	s.refuse(w, r, d, prob)
}

// signout ends the session.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.sess.EndWebSession(r.Context(), hashHex([]byte(c.Value))); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/signin?out", http.StatusSeeOther)
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
}

// authed lets a request through only with a live session of a user
// cosellbot still knows; anything else is sent to the sign-in page.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, pg *page)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := s.clock.Now()
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		id, _, err := s.sess.WebSession(r.Context(), hashHex([]byte(c.Value)), now)
		if errors.Is(err, ledger.ErrNotFound) {
			s.clearSession(w, r)
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		who, err := s.users.Resolve(r.Context(), id)
		if err != nil {
			var denied *access.Denied
			if errors.As(err, &denied) { // removed since: the session ends with the user
				_ = s.sess.EndWebSession(r.Context(), hashHex([]byte(c.Value)))
				s.clearSession(w, r)
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			s.fail(w, r, err)
			return
		}
		h(w, r, s.newPage(w, r, now, who, ""))
	}
}
