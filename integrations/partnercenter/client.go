package partnercenter

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Config says where the API and its token endpoint are, and whose delegated
// refresh token to use (a Referrals admin of the partner's tenant).
type Config struct {
	APIURL       string // e.g. https://api.partner.microsoft.com/v1.0
	TokenURL     string // e.g. https://login.microsoftonline.com/TENANT/oauth2/v2.0/token
	ClientID     string
	ClientSecret string // a confidential (web) app's secret; empty for a public client
	RefreshToken string
	// Scope defaults to DefaultScope.
	Scope string
	// HTTPClient carries timeouts and trusted roots for both the API and the
	// token endpoint; nil uses a client with a 30-second timeout.
	HTTPClient *http.Client
	// Tokens keeps the rotated refresh token for every process (the
	// database); nil keeps it in this process's memory only, which a
	// restart loses.
	Tokens TokenStore
	// Log receives what an operator must act on (a refused refresh token);
	// nil uses slog.Default().
	Log *slog.Logger
}

// Client calls the Referrals API. It is safe for concurrent use.
type Client struct {
	base *url.URL
	http *http.Client
}

// maxResponse bounds what is read of an API answer.
const maxResponse = 8 << 20

// maxPages bounds how many pages one listing follows.
const maxPages = 100

// New builds a client. Tokens are fetched lazily, refreshed when they expire,
// and reused across calls.
func New(cfg Config) (*Client, error) {
	var missing []string
	for name, v := range map[string]string{"PARTNERCENTER_API_URL": cfg.APIURL, "PARTNERCENTER_TOKEN_URL": cfg.TokenURL, "PARTNERCENTER_CLIENT_ID": cfg.ClientID, "PARTNERCENTER_REFRESH_TOKEN": cfg.RefreshToken} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("partnercenter: %s must be set", strings.Join(missing, ", "))
	}
	base, err := url.Parse(strings.TrimRight(cfg.APIURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("partnercenter: PARTNERCENTER_API_URL %q is not an http(s) URL", cfg.APIURL)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	scope := strings.TrimSpace(cfg.Scope)
	if scope == "" {
		scope = DefaultScope
	}
	ts := oauth2.ReuseTokenSource(nil, newRefresher(cfg, hc, scope))
	transport := hc.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Client{
		base: base,
		http: &http.Client{Timeout: hc.Timeout, Transport: &oauth2.Transport{Source: ts, Base: transport}},
	}, nil
}

// APIError is an answer other than success.
type APIError struct {
	Method, URL string
	Status      int
	Body        string // the start of the answer, for the log
	// RetryAfter is how long the API asked to wait (429 or 503 with a
	// Retry-After of seconds or a date); 0 when it did not say.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("partnercenter: %s %s: %d %s: %s", e.Method, e.URL, e.Status, http.StatusText(e.Status), e.Body)
}

// NotFound reports whether the API said there is no such referral.
func (e *APIError) NotFound() bool { return e.Status == http.StatusNotFound }

// StaleError is the API's 412 to a PATCH: the referral changed since the
// eTag sent. Current is the referral as it is now.
type StaleError struct {
	ID      string
	Current *Referral
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("partnercenter: referral %s changed in Partner Center since it was last read (eTag now %s)", e.ID, e.Current.ETag)
}

// Get fetches one referral from the configured API host.
func (c *Client) Get(ctx context.Context, id string) (*Referral, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("partnercenter: %q is not a referral id", id)
	}
	var r Referral
	resp, err := c.do(ctx, http.MethodGet, c.referralURL(id), nil, nil, &r)
	if err != nil {
		return nil, err
	}
	if r.ETag == "" {
		r.ETag = resp.Header.Get("ETag")
	}
	if r.ID == "" {
		return nil, fmt.Errorf("partnercenter: referral %s: the answer has no id", id)
	}
	return &r, nil
}

// UpdatedSince lists the referrals updated after since, oldest update first,
// following the API's pages (on the configured host only).
func (c *Client) UpdatedSince(ctx context.Context, since time.Time) ([]Referral, error) {
	var out []Referral
	next := ""
	for page := 0; ; page++ {
		if page == maxPages {
			return out, fmt.Errorf("partnercenter: listing referrals updated since %s: more than %d pages", since.Format(time.RFC3339), maxPages)
		}
		refs, link, err := c.Page(ctx, since, next)
		out = append(out, refs...)
		if err != nil || link == "" {
			return out, err
		}
		next = link
	}
}

// Page reads one page of the referrals updated after since, oldest update
// first: the first page when next is "", else the page a previous one
// linked to. It returns the link to the page after ("" at the end), which
// is checked to be on the configured host. A link is a position in the
// listing as the API orders it when the link is followed: a referral
// updated meanwhile moves to its end and shifts the rest, so a walk by
// links can skip referrals updated during it (see From).
func (c *Client) Page(ctx context.Context, since time.Time, next string) ([]Referral, string, error) {
	if next == "" {
		next = c.listURL(since, "gt")
	}
	return c.list(ctx, next)
}

// From reads the first page of the referrals updated at or after since
// (every referral when since is zero), oldest update first, as many as the
// API pages. It asks from a time, not from a position: a referral updated between two calls moves to the end of the
// ordering and shifts nothing a later call from a later time reads, where
// a next link (a position) would then skip as many as moved. It returns
// the API's link to the page after ("" when there is none), checked to be
// on the configured host, for a caller that must read past a page of
// referrals all updated at the same instant.
func (c *Client) From(ctx context.Context, since time.Time) ([]Referral, string, error) {
	return c.list(ctx, c.listURL(since, "ge"))
}

// listURL is the listing of the referrals whose updatedDateTime compares
// with since by op (no filter when since is zero), oldest update first.
func (c *Client) listURL(since time.Time, op string) string {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("$filter", "updatedDateTime "+op+" "+since.UTC().Format(time.RFC3339Nano))
	}
	q.Set("$orderby", "updatedDateTime asc")
	return c.base.String() + "/engagements/referrals?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// list reads one page of a listing at u, and the link to the next.
func (c *Client) list(ctx context.Context, u string) ([]Referral, string, error) {
	var body struct {
		Value    []Referral `json:"value"`
		NextLink string     `json:"@odata.nextLink"`
	}
	if _, err := c.do(ctx, http.MethodGet, u, nil, nil, &body); err != nil {
		return nil, "", err
	}
	if body.NextLink == "" {
		return body.Value, "", nil
	}
	next, err := c.nextURL(body.NextLink)
	if err != nil {
		return body.Value, "", err
	}
	return body.Value, next, nil
}

// nextURL is the URL to follow for a listing's @odata.nextLink: on the
// configured host (with its port) only, where the access token is meant
// to go. Partner Center's links say http (its documented example:
// "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=…", the
// scheme of the service behind its TLS front), though the API is called on
// https: such a link is followed on https, as the API is configured, and
// the token never goes over plain http.
func (c *Client) nextURL(link string) (string, error) {
	next, err := c.base.Parse(link)
	if err == nil && next.Scheme == "http" && c.base.Scheme == "https" {
		next.Scheme = "https"
	}
	if err != nil || next.Scheme != c.base.Scheme || !strings.EqualFold(next.Host, c.base.Host) {
		return "", fmt.Errorf("partnercenter: the next page %q is not on the configured API host %s", link, c.base.Host)
	}
	return next.String(), nil
}

// Patch applies JSON Patch operations to a referral, sending eTag as
// If-Match. It returns the referral as it is after the change. When the
// referral changed since eTag, the API answers 412: Patch then fetches it and
// returns a *StaleError holding it.
func (c *Client) Patch(ctx context.Context, id, eTag string, ops []Op) (*Referral, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("partnercenter: %q is not a referral id", id)
	}
	body, err := json.Marshal(ops)
	if err != nil {
		return nil, fmt.Errorf("partnercenter: encode the patch of %s: %w", id, err)
	}
	h := http.Header{"Content-Type": {"application/json"}, "Prefer": {"return=representation"}}
	if eTag != "" {
		h.Set("If-Match", eTag)
	}
	var r Referral
	resp, err := c.do(ctx, http.MethodPatch, c.referralURL(id), h, body, &r)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusPreconditionFailed {
		cur, gerr := c.Get(ctx, id)
		if gerr != nil {
			return nil, fmt.Errorf("partnercenter: referral %s changed since it was read, and reading it again failed: %w", id, gerr)
		}
		return nil, &StaleError{ID: id, Current: cur}
	}
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNoContent || r.ID == "" {
		return c.Get(ctx, id)
	}
	if r.ETag == "" {
		r.ETag = resp.Header.Get("ETag")
	}
	return &r, nil
}

func (c *Client) referralURL(id string) string {
	return c.base.String() + "/engagements/referrals/" + url.PathEscape(id)
}

// do sends one request and decodes a successful JSON answer into out.
func (c *Client) do(ctx context.Context, method, u string, h http.Header, body []byte, out any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("partnercenter: %s %s: %w", method, u, err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("client-request-id", requestID())
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("partnercenter: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("partnercenter: %s %s: read the answer: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		snippet := string(data)
		if len(snippet) > 300 {
			snippet = snippet[:300] + "…"
		}
		return resp, &APIError{Method: method, URL: u, Status: resp.StatusCode, Body: snippet, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	if resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 {
		return resp, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp, fmt.Errorf("partnercenter: %s %s: decode the answer: %w", method, u, err)
	}
	return resp, nil
}

// requestID is a fresh client-request-id (a random version 4 UUID), as the
// API asks on every call.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Create posts a new referral (the partner's own, Outgoing) and returns it
// as Partner Center stored it, with its id and eTag.
func (c *Client) Create(ctx context.Context, r *Referral) (*Referral, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("partnercenter: encode the new referral: %w", err)
	}
	var out Referral
	resp, err := c.do(ctx, http.MethodPost, c.base.String()+"/engagements/referrals", http.Header{"Content-Type": {"application/json"}}, body, &out)
	if err != nil {
		return nil, err
	}
	if out.ETag == "" {
		out.ETag = resp.Header.Get("ETag")
	}
	if !ValidID(out.ID) {
		return nil, fmt.Errorf("partnercenter: the created referral has no id in the answer")
	}
	return &out, nil
}

// retryAfter reads a Retry-After header in seconds, as Partner Center
// sends it; 0 when absent or not a number of seconds.
func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}
