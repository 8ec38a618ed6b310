// Package redact keeps credentials that travel inside URLs out of what
// cosellbot prints and stores: a password in the userinfo
// (postgres://user:pw@host), and keys in the query string
// (https://fn.azurewebsites.net/api/hook?code=…, a SAS ?sig=…, ?token=…).
// An outgoing webhook URL configured with its key is then logged, stored in
// outbox.last_error and shown by `cosellbot config` without it.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces what was hidden.
const Mask = "REDACTED"

// secretParams are query parameters that carry a credential, lower case.
// Azure Functions and Logic Apps use code and sig, SAS URLs sig, many
// webhooks token, key or api_key.
var secretParams = map[string]bool{
	"code": true, "key": true, "sig": true, "signature": true, "token": true, "secret": true,
	"password": true, "pass": true, "pwd": true, "apikey": true, "api_key": true, "api-key": true,
	"access_token": true, "refresh_token": true, "id_token": true, "client_secret": true,
	"auth": true, "authorization": true, "x-api-key": true, "subscription-key": true,
	"private_token": true, "session": true, "sid": true,
}

// secretParam reports a query parameter name that holds a credential: a
// known one, or one that ends in token, secret, key, signature or password.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	if secretParams[n] {
		return true
	}
	for _, suffix := range []string{"token", "secret", "key", "signature", "password", "sig"} {
		if strings.HasSuffix(n, suffix) && len(n) > len(suffix) && strings.ContainsAny(n[len(n)-len(suffix)-1:len(n)-len(suffix)], "_-.") {
			return true
		}
	}
	return false
}

// URL hides the credentials of one URL: the userinfo's password (and a
// userinfo with no password, which is a token), and the values of
// credential-like query parameters. Anything that is not an absolute URL
// comes back unchanged.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" && u.User == nil {
		return fallback(raw)
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Mask)
		} else {
			u.User = url.User(Mask)
		}
		changed = true
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return fallback(raw)
		}
		for k, vs := range q {
			if secretParam(k) {
				for i := range vs {
					vs[i] = Mask
				}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return raw
	}
	return u.String()
}

// fallback hides what looks like a credential in a URL that does not parse:
// everything between "://" and "@", and every value after a credential-like
// parameter name.
func fallback(raw string) string {
	out := raw
	if scheme, rest, ok := strings.Cut(out, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 && !strings.Contains(rest[:at], "/") {
			out = scheme + "://" + Mask + rest[at:]
		}
	}
	return paramPattern.ReplaceAllStringFunc(out, func(m string) string {
		name, _, _ := strings.Cut(m[1:], "=")
		if !secretParam(name) {
			return m
		}
		return m[:1] + name + "=" + Mask
	})
}

var (
	// urlPattern finds URLs in free text (an error message, a log value).
	urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>` + "`" + `]+`)
	// paramPattern finds query parameters in a URL that did not parse.
	paramPattern = regexp.MustCompile(`[?&;][^=&#\s]+=[^&#\s]*`)
)

// Text hides the credentials of every URL in s, such as the one Go's HTTP
// client quotes in its errors (Post "https://…?code=…": dial tcp …).
func Text(s string) string {
	if !strings.Contains(s, "://") && !strings.ContainsAny(s, "?&;") {
		return s
	}
	s = urlPattern.ReplaceAllStringFunc(s, func(m string) string {
		// A URL quoted in a sentence may end with punctuation.
		trail := ""
		for len(m) > 0 && strings.ContainsAny(m[len(m)-1:], ".,;:)]}") {
			trail = m[len(m)-1:] + trail
			m = m[:len(m)-1]
		}
		return URL(m) + trail
	})
	// A query string cut from its URL (by a space or a line break) still
	// hides its keys.
	return paramPattern.ReplaceAllStringFunc(s, func(m string) string {
		name, v, _ := strings.Cut(m[1:], "=")
		if !secretParam(name) || v == Mask {
			return m
		}
		return m[:1] + name + "=" + Mask
	})
}
