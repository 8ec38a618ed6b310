package partnercenter_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const (
	newID    = "7b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8"
	activeID = "e4db6e31-1900-43b9-a0c8-6f1d7e8f9a0b"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func setup(t *testing.T) (*pcfake.API, *partnercenter.Client) {
	t.Helper()
	api := pcfake.New(t, func() time.Time { return now })
	c, err := partnercenter.New(partnercenter.Config{
		APIURL: api.APIURL(), TokenURL: api.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken,
	})
	if err != nil {
		t.Fatal(err)
	}
	return api, c
}

func TestGetDecodesTheVendorShapes(t *testing.T) {
	t.Parallel()
	api, c := setup(t)
	api.Put(fixture(t, "referral_new.json"))
	api.Put(fixture(t, "referral_active.json"))
	ctx := t.Context()

	r, err := c.Get(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "New" || r.Substatus != "Pending" || r.Type != "Shared" || r.Direction != "Incoming" ||
		r.CustomerProfile.Name != "Tailspin Toys GmbH" || r.CustomerProfile.Address.Country != "DE" ||
		r.Details.DealValue != 75000 || r.Details.Currency != "EUR" || len(r.Team) != 1 || r.Team[0].Name() != "Mara Seller" ||
		r.InviteContext.InvitedBy.OrganizationID != "msft" || r.ETag == "" ||
		!r.ExpirationDateTime.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("new referral decoded as %+v", r)
	}
	a, err := c.Get(ctx, activeID)
	if err != nil {
		t.Fatal(err)
	}
	// The customer team is an object in this capture, the value has cents
	// and many fields are null.
	if len(a.CustomerProfile.Team) != 1 || a.CustomerProfile.Team[0].Email != "lucia.cliente@woodgrove.example" ||
		a.Details.DealValue != 12000.5 || a.Details.Notes != "" || a.ExpirationDateTime != nil || a.AcceptedDateTime == nil {
		t.Errorf("active referral decoded as %+v", a)
	}
	// One token for both calls: it is reused until it expires.
	if api.Tokens() != 1 {
		t.Errorf("%d tokens fetched, want 1", api.Tokens())
	}
	var nf *partnercenter.APIError
	if _, err := c.Get(ctx, "0000-missing"); !errors.As(err, &nf) || !nf.NotFound() {
		t.Errorf("missing referral: %v", err)
	}
	if _, err := c.Get(ctx, "../../etc/passwd"); err == nil || len(api.Requests()) != 3 {
		t.Errorf("a path in place of an id: %v after %d requests", err, len(api.Requests()))
	}
}

func TestNewNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	_, err := partnercenter.New(partnercenter.Config{APIURL: "https://api.example"})
	if err == nil || !strings.Contains(err.Error(), "PARTNERCENTER_CLIENT_ID") || !strings.Contains(err.Error(), "PARTNERCENTER_REFRESH_TOKEN") || !strings.Contains(err.Error(), "PARTNERCENTER_TOKEN_URL") {
		t.Errorf("New without credentials: %v", err)
	}
	_, err = partnercenter.New(partnercenter.Config{APIURL: "ftp://x", TokenURL: "https://t", ClientID: "c", RefreshToken: "r"})
	if err == nil || !strings.Contains(err.Error(), "PARTNERCENTER_API_URL") {
		t.Errorf("New with an ftp URL: %v", err)
	}
}

// The token request follows the identity platform's refresh grant for an
// app acting for a user: a request the fake (like the platform) refuses
// fails with the platform's reason and never reaches the API.
func TestTokenRequestRefusals(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  partnercenter.Config
		want string
	}{
		{"revoked refresh token", partnercenter.Config{ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: "revoked"}, "invalid_grant"},
		{"no client secret", partnercenter.Config{ClientID: pcfake.ClientID, RefreshToken: pcfake.RefreshToken}, "invalid_client"},
		{"a scope without the API's", partnercenter.Config{ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken, Scope: "offline_access"}, "AADSTS900144"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := pcfake.New(t, func() time.Time { return now })
			api.Put(fixture(t, "referral_new.json"))
			tt.cfg.APIURL, tt.cfg.TokenURL = api.APIURL(), api.TokenURL()
			c, err := partnercenter.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(t.Context(), newID); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Get = %v, want %s", err, tt.want)
			}
			if len(api.Requests()) != 0 {
				t.Errorf("the API was called without a token: %v", api.Requests())
			}
		})
	}
}

// The default request (client secret, default scope) is taken, and the
// rotated refresh token is the one used next.
func TestTokenRefreshRotates(t *testing.T) {
	t.Parallel()
	api := pcfake.New(t, func() time.Time { return now })
	api.Put(fixture(t, "referral_new.json"))
	c, err := partnercenter.New(partnercenter.Config{APIURL: api.APIURL(), TokenURL: api.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(t.Context(), newID); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if api.Tokens() != 1 {
		t.Errorf("%d tokens issued, want 1 reused", api.Tokens())
	}
}

func TestUpdatedSincePages(t *testing.T) {
	t.Parallel()
	api, c := setup(t)
	for i, id := range []string{"a1", "a2", "a3", "a4", "a5"} {
		api.Put(`{"id":"` + id + `","status":"New","updatedDateTime":"` + now.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano) + `"}`)
	}
	got, err := c.UpdatedSince(t.Context(), now.Add(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "a3,a4,a5" {
		t.Errorf("UpdatedSince = %v, want a3,a4,a5 in update order", ids)
	}
	all, err := c.UpdatedSince(t.Context(), time.Time{})
	if err != nil || len(all) != 5 {
		t.Errorf("UpdatedSince(zero) = %d referrals, %v", len(all), err)
	}
}

// From asks for the referrals updated at or after a time, oldest first: a
// page, and the API's link to the next one when there is more.
func TestFromAsksFromATime(t *testing.T) {
	t.Parallel()
	api, c := setup(t)
	for i, id := range []string{"a1", "a2", "a3", "a4", "a5"} {
		api.Put(`{"id":"` + id + `","status":"New","updatedDateTime":"` + now.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano) + `"}`)
	}
	cases := []struct {
		since time.Time
		want  string
		more  bool
	}{
		{time.Time{}, "a1,a2", true},
		{now.Add(2 * time.Minute), "a3,a4", true}, // at the time itself too
		{now.Add(90 * time.Second), "a3,a4", true},
		{now.Add(4 * time.Minute), "a5", false},
		{now.Add(5 * time.Minute), "", false},
	}
	for _, tc := range cases {
		refs, next, err := c.From(t.Context(), tc.since)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range refs {
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, ",") != tc.want || (next != "") != tc.more {
			t.Errorf("From(%s) = %v, next %q; want %s, more %v", tc.since.Format(time.RFC3339), ids, next, tc.want, tc.more)
		}
	}
}

func TestUpdatedSinceStaysOnTheConfiguredHost(t *testing.T) {
	t.Parallel()
	api := pcfake.New(t, func() time.Time { return now })
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the client followed a next link to another host: %s", r.URL)
	}))
	defer evil.Close()
	list := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"value": []any{}, "@odata.nextLink": evil.URL + "/v1.0/engagements/referrals?$skip=2"})
	}))
	defer list.Close()
	c, err := partnercenter.New(partnercenter.Config{APIURL: list.URL + "/v1.0", TokenURL: api.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdatedSince(t.Context(), now); err == nil || !strings.Contains(err.Error(), "not on the configured API host") {
		t.Errorf("UpdatedSince with a foreign next link: %v", err)
	}
}

// Partner Center is called on https, and its next links say http (its
// documented example: "@odata.nextLink":
// "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=…"). The
// client refused them as another host's and could not read past a first
// page; it follows them on https, on the configured host only, and never
// sends its token over plain http (the fake's TLS server would refuse
// that).
func TestNextLinksSayingHTTPAreFollowedOnHTTPS(t *testing.T) {
	t.Parallel()
	api := pcfake.NewTLS(t, func() time.Time { return now })
	c, err := partnercenter.New(partnercenter.Config{APIURL: api.APIURL(), TokenURL: api.TokenURL(), ClientID: pcfake.ClientID,
		ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken, HTTPClient: api.Server.Client()})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"a1", "a2", "a3", "a4", "a5"} {
		api.Put(`{"id":"` + id + `","status":"New","updatedDateTime":"` + now.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano) + `"}`)
	}
	_, next, err := c.From(t.Context(), time.Time{})
	if err != nil || !strings.HasPrefix(next, api.Server.URL+"/") {
		t.Fatalf("the first page's next link %q, %v; want it on %s", next, err, api.Server.URL)
	}
	all, err := c.UpdatedSince(t.Context(), time.Time{})
	if err != nil || len(all) != 5 {
		t.Errorf("UpdatedSince over three pages = %d referrals, %v; want 5", len(all), err)
	}
}

// The https the client upgrades a next link to is for the configured host
// only: an http link to another host, or to the configured host on another
// port, is refused.
func TestNextLinksToAnotherHostAreRefusedWhateverTheScheme(t *testing.T) {
	t.Parallel()
	api := pcfake.New(t, func() time.Time { return now })
	var link string
	list := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("$skiptoken") != "" {
			t.Errorf("the client followed %s", r.URL)
		}
		json.NewEncoder(w).Encode(map[string]any{"value": []any{}, "@odata.nextLink": link})
	}))
	defer list.Close()
	c, err := partnercenter.New(partnercenter.Config{APIURL: list.URL + "/v1.0", TokenURL: api.TokenURL(), ClientID: pcfake.ClientID,
		ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken, HTTPClient: list.Client()})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(list.URL, "https://")
	name, _, _ := strings.Cut(host, ":")
	for _, l := range []string{
		"http://evil.example/v1.0/engagements/referrals?$skiptoken=x",
		"https://evil.example/v1.0/engagements/referrals?$skiptoken=x",
		"http://" + name + ":1/v1.0/engagements/referrals?$skiptoken=x",
		"http://" + name + "/v1.0/engagements/referrals?$skiptoken=x", // the default port, not the configured one
	} {
		link = l
		if _, next, err := c.From(t.Context(), now); err == nil || !strings.Contains(err.Error(), "not on the configured API host") {
			t.Errorf("next link %s: followed as %q, %v", l, next, err)
		}
	}
}

func TestPatchSendsIfMatch(t *testing.T) {
	t.Parallel()
	api, c := setup(t)
	etag := api.Put(fixture(t, "referral_new.json"))
	ops := []partnercenter.Op{partnercenter.Replace("/status", "Active"), partnercenter.Replace("/substatus", "Accepted")}
	r, err := c.Patch(t.Context(), newID, etag, ops)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "Active" || r.Substatus != "Accepted" || r.ETag == etag || !r.UpdatedDateTime.Equal(now) {
		t.Errorf("patched referral: status %s/%s eTag %s updated %v", r.Status, r.Substatus, r.ETag, r.UpdatedDateTime)
	}

	// Someone changes the referral in Partner Center: the old eTag is refused
	// with 412, and the error carries the referral as it is now.
	api.Set(newID, "details/dealValue", 90000)
	_, err = c.Patch(t.Context(), newID, r.ETag, []partnercenter.Op{partnercenter.Replace("/salesStage", "Develop")})
	var stale *partnercenter.StaleError
	if !errors.As(err, &stale) {
		t.Fatalf("Patch with an old eTag: %v, want a StaleError", err)
	}
	if stale.Current.Details.DealValue != 90000 || stale.Current.SalesStage != "" {
		t.Errorf("StaleError.Current = %+v", stale.Current)
	}
	if got := api.Referral(newID)["salesStage"]; got != nil {
		t.Errorf("a refused patch changed the referral: salesStage %v", got)
	}
}

func TestIDFromURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri, want string
	}{
		{"https://api.partnercenter.microsoft.com/engagements/v1/referrals/" + newID, newID},
		{"https://api.partnercenter.microsoft.com/engagements/v1/Referrals/" + newID + "/", newID},
		{"https://evil.example/x/referrals/abc-1?x=1", "abc-1"},
		{"https://api.partnercenter.microsoft.com/engagements/v1/referrals/", ""},
		{"https://api.partnercenter.microsoft.com/v1/webhooks/registration/test", ""},
		{"https://x/referrals/..%2F..", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := partnercenter.IDFromURI(tt.uri)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("IDFromURI(%q) = %q, %v; want %q", tt.uri, got, err, tt.want)
		}
	}
}

func FuzzReferralDecode(f *testing.F) {
	for _, name := range []string{"referral_new.json", "referral_active.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","details":{"dealValue":"10000"},"team":{"email":"a@b.c"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r partnercenter.Referral
		if err := json.Unmarshal(b, &r); err != nil {
			return
		}
		if r.Details.DealValue < 0 {
			t.Errorf("negative deal value %v decoded", r.Details.DealValue)
		}
	})
}

func FuzzIDFromURI(f *testing.F) {
	f.Add("https://api.partnercenter.microsoft.com/engagements/v1/referrals/" + newID)
	f.Add("https://x/referrals/../../a")
	f.Fuzz(func(t *testing.T, uri string) {
		id, err := partnercenter.IDFromURI(uri)
		if err == nil && !partnercenter.ValidID(id) {
			t.Errorf("IDFromURI(%q) = %q, not a valid id", uri, id)
		}
	})
}

// Partner Center throttles with 429 and a Retry-After of seconds: the error
// says how long it asked to wait.
func TestThrottledCallSaysHowLongToWait(t *testing.T) {
	api, c := setup(t)
	api.ThrottleNext(1)
	_, err := c.Get(t.Context(), "anything")
	var apiErr *partnercenter.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.RetryAfter != 2*time.Second {
		t.Fatalf("got %v (%+v), want a 429 asking to wait 2s", err, apiErr)
	}
}
