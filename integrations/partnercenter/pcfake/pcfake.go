// Package pcfake is an in-memory Partner Center for tests: an OAuth2 token
// endpoint that trades a refresh token for access tokens, and the Referrals
// API (GET by id, list with $filter, $orderby, $top and $skiptoken pages,
// PATCH with If-Match and eTags) on an httptest server.
package pcfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RefreshToken is the refresh token the fake accepts first. Like the
// identity platform as cosellbot must expect it, the fake rotates the
// refresh token on every use and refuses one it replaced (invalid_grant):
// only the newest token answered works, so a client that forgets it (a
// restart, another replica) is locked out.
const RefreshToken = "fake-refresh-token"

// ClientSecret is the client secret the fake requires.
const ClientSecret = "fake-client-secret"

// ClientID is the client id the fake accepts.
const ClientID = "fake-client-id"

// API is the fake. Referrals are JSON objects kept as maps, so a test can
// load the research fixtures as they are.
type API struct {
	Server *httptest.Server

	mu        sync.Mutex
	referrals map[string]map[string]any
	etags     int
	tokens    int
	requests  []string
	clock     func() time.Time
	failNext  int
	throttle  int // the next calls answer 429 with Retry-After: 2
	// notices are the changes Partner Center would notify (referral-updated),
	// as it does after every change, a PATCH of cosellbot's own included.
	notices []Notice
	refresh string   // the one refresh token accepted: the newest answered
	issued  []string // refresh tokens answered, each refused once replaced
	signIns int
	// accessFor is the lifetime of the access tokens answered; 0: an hour.
	accessFor time.Duration
	created   int
	// loseCreate: the next create is stored and notified, and its answer
	// is a 504, as when the gateway gives up on a create the service
	// carries out.
	loseCreate bool
	// pageSize is how many referrals a page of the listing holds at most
	// (0: 2, so that paging is exercised); lists counts the listing
	// requests answered, and afterList runs after each.
	pageSize  int
	lists     int
	afterList func(n int)
}

// Notice is a notification the fake owes: the referral that changed, when.
type Notice struct {
	Event string // referral-created, referral-updated
	ID    string
	At    time.Time
}

// Notifications returns the notifications owed since the last call, in the
// order of the changes.
func (a *API) Notifications() []Notice {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.notices
	a.notices = nil
	return out
}

func (a *API) notify(event, id string) {
	a.notices = append(a.notices, Notice{Event: event, ID: id, At: a.clock().UTC()})
}

// New starts a fake; it is closed when the test ends. clock stamps the
// updatedDateTime of patched referrals.
func New(tb interface{ Cleanup(func()) }, clock func() time.Time) *API {
	return start(tb, clock, httptest.NewServer)
}

// NewTLS starts a fake that answers on https, as Partner Center does; its
// next links say http all the same, as Partner Center's documented ones
// do. A client trusts it through Server.Client().
func NewTLS(tb interface{ Cleanup(func()) }, clock func() time.Time) *API {
	return start(tb, clock, httptest.NewTLSServer)
}

func start(tb interface{ Cleanup(func()) }, clock func() time.Time, serve func(http.Handler) *httptest.Server) *API {
	a := &API{referrals: map[string]map[string]any{}, clock: clock, refresh: RefreshToken}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", a.token)
	mux.HandleFunc("GET /v1.0/engagements/referrals", a.list)
	mux.HandleFunc("GET /v1.0/engagements/referrals/{id}", a.get)
	mux.HandleFunc("PATCH /v1.0/engagements/referrals/{id}", a.patch)
	mux.HandleFunc("POST /v1.0/engagements/referrals", a.create)
	a.Server = serve(mux)
	tb.Cleanup(a.Server.Close)
	return a
}

// APIURL is the base URL to configure (PARTNERCENTER_API_URL).
func (a *API) APIURL() string { return a.Server.URL + "/v1.0" }

// TokenURL is the token endpoint to configure (PARTNERCENTER_TOKEN_URL).
func (a *API) TokenURL() string { return a.Server.URL + "/token" }

// Put stores a referral given as JSON, with a fresh eTag, and returns that
// eTag.
func (a *API) Put(referralJSON string) string {
	var r map[string]any
	if err := json.Unmarshal([]byte(referralJSON), &r); err != nil {
		panic(fmt.Sprintf("pcfake: bad referral JSON: %v", err))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r["eTag"] = a.nextETag()
	a.referrals[r["id"].(string)] = r
	a.notify("referral-created", r["id"].(string))
	return r["eTag"].(string)
}

// Set changes one top-level or nested field ("details/dealValue") of a stored
// referral as someone in Partner Center would, with a new eTag and
// updatedDateTime.
func (a *API) Set(id, path string, value any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.referrals[id]
	setPath(r, path, value)
	r["eTag"] = a.nextETag()
	r["updatedDateTime"] = a.clock().UTC().Format(time.RFC3339Nano)
	a.notify("referral-updated", id)
}

// Referral returns a copy of a stored referral.
func (a *API) Referral(id string) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, _ := json.Marshal(a.referrals[id])
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// Requests lists the API calls received, as "METHOD path".
func (a *API) Requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.requests...)
}

// Tokens is how many access tokens were issued.
func (a *API) Tokens() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokens
}

// SignIn is an admin signing in again: it returns a new refresh token, the
// only one accepted from then on (every earlier one is refused).
func (a *API) SignIn() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.signIns++
	a.refresh = fmt.Sprintf("%s-signin-%d", RefreshToken, a.signIns)
	a.issued = append(a.issued, a.refresh)
	return a.refresh
}

// AccessTokensLast sets the lifetime of the access tokens answered next
// (an hour by default). Under golang.org/x/oauth2's ten seconds of margin a
// client refreshes before every call, which makes a test's refreshes many.
func (a *API) AccessTokensLast(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.accessFor = d
}

// ThrottleNext makes the next n API calls answer 429 with Retry-After: 2,
// as Partner Center throttles a partner's calls.
func (a *API) ThrottleNext(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.throttle = n
}

// LoseNextCreateAnswer makes the next create store the referral and
// notify it, then answer 504 Gateway Timeout: the caller cannot tell it
// was made.
func (a *API) LoseNextCreateAnswer() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.loseCreate = true
}

// Created is how many referrals were created.
func (a *API) Created() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.created
}

// FailNext makes the next n API calls answer 503.
func (a *API) FailNext(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failNext = n
}

// SetPageSize makes the listing's pages hold at most n referrals (2 by
// default).
func (a *API) SetPageSize(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pageSize = n
}

// AfterList runs fn after each listing request is answered, with how many
// were answered so far (this one included): a test changes referrals there,
// as people do in Partner Center while a client walks the listing's pages.
func (a *API) AfterList(fn func(n int)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.afterList = fn
}

func (a *API) nextETag() string {
	a.etags++
	return fmt.Sprintf(`"%08d-0000-0000-0000-000000000000"`, a.etags)
}

// token answers the identity platform's refresh grant as it documents it
// for an app acting for a user: it refuses a request without the scope
// (which golang.org/x/oauth2 leaves out of a refresh), without the client's
// id and secret, or with a refresh token it did not issue or has replaced;
// and it rotates the refresh token with every answer.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	refuse := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, desc)
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" {
		refuse("unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
		return
	}
	if r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret {
		refuse("invalid_client", "AADSTS7000215: Invalid client secret provided.")
		return
	}
	if !slices.Contains(strings.Fields(r.PostForm.Get("scope")), "https://api.partner.microsoft.com/.default") {
		refuse("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	got := r.PostForm.Get("refresh_token")
	if got != a.refresh {
		if got == RefreshToken || slices.Contains(a.issued, got) {
			refuse("invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.")
			return
		}
		refuse("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.")
		return
	}
	a.tokens++
	next := fmt.Sprintf("%s-%d", RefreshToken, a.tokens)
	a.issued = append(a.issued, next)
	a.refresh = next
	w.Header().Set("Content-Type", "application/json")
	lifetime := int64(3600)
	if a.accessFor > 0 {
		lifetime = int64(a.accessFor / time.Second)
	}
	fmt.Fprintf(w, `{"access_token":"access-%d","token_type":"Bearer","expires_in":%d,"scope":"https://api.partner.microsoft.com/user_impersonation","refresh_token":%q}`, a.tokens, lifetime, next)
}

// authorized checks the bearer token and the client-request-id, and records
// the call.
func (a *API) authorized(w http.ResponseWriter, r *http.Request) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, r.Method+" "+r.URL.Path)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer access-") {
		http.Error(w, `{"code":"Unauthorized"}`, http.StatusUnauthorized)
		return false
	}
	if r.Header.Get("client-request-id") == "" {
		http.Error(w, `{"code":"MissingClientRequestId"}`, http.StatusBadRequest)
		return false
	}
	if a.throttle > 0 {
		a.throttle--
		w.Header().Set("Retry-After", "2")
		http.Error(w, `{"code":"TooManyRequests"}`, http.StatusTooManyRequests)
		return false
	}
	if a.failNext > 0 {
		a.failNext--
		http.Error(w, `{"code":"ServiceUnavailable"}`, http.StatusServiceUnavailable)
		return false
	}
	return true
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	a.mu.Lock()
	ref, ok := a.referrals[r.PathValue("id")]
	var body []byte
	if ok {
		body, _ = json.Marshal(ref)
	}
	a.mu.Unlock()
	if !ok {
		http.Error(w, `{"code":"NotFound"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", ref["eTag"].(string))
	_, _ = w.Write(body)
}

// list answers GET /engagements/referrals as the Referrals API documents it
// (Microsoft's "Get a list of leads and opportunities", and the OData
// options of the certified Partner Center Referrals connector): $filter on
// updatedDateTime or createdDateTime (gt, ge, lt, le, eq; clauses joined
// by "and"), $orderby on either (asc or desc), $top (how many in all),
// $skip, and server-driven pages of at most PageSize, each linked to the
// next by an @odata.nextLink holding an opaque $skiptoken (an http link,
// as Microsoft's example shows it, even on https).
//
// Like an offset, a $skiptoken is a position in the ordering as it is when
// its page is asked for, not a snapshot: a referral updated while a client
// walks the pages moves to the end of an updatedDateTime ordering, the ones
// after it shift one place left, and a client following the next links
// skips as many as moved. Referrals of the same time come in no promised
// order (here, reverse id order, so that a client cannot lean on ids).
func (a *API) list(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	keep, err := filterOf(q.Get("$filter"))
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"code":"BadFilter","message":%q}`, err.Error()), http.StatusBadRequest)
		return
	}
	field, desc, err := orderOf(q.Get("$orderby"))
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"code":"BadOrderBy","message":%q}`, err.Error()), http.StatusBadRequest)
		return
	}
	offset, left, err := positionOf(q)
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"code":"BadRequest","message":%q}`, err.Error()), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	var all []map[string]any
	for _, ref := range a.referrals {
		if keep(ref) {
			all = append(all, ref)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		ti, tj := timeOf(all[i], field), timeOf(all[j], field)
		if !ti.Equal(tj) {
			return ti.Before(tj) != desc
		}
		return fmt.Sprint(all[i]["id"]) > fmt.Sprint(all[j]["id"])
	})
	size := a.pageSize
	if size <= 0 {
		size = 2
	}
	if left >= 0 {
		size = min(size, left)
	}
	page := all[min(offset, len(all)):min(offset+size, len(all))]
	out := map[string]any{"@odata.count": len(all), "value": page}
	if end := offset + len(page); end < len(all) && (left < 0 || left > len(page)) {
		next := url.Values{}
		for k, v := range q {
			if k != "$skip" && k != "$top" && k != "$skiptoken" {
				next[k] = v
			}
		}
		rest := -1
		if left >= 0 {
			rest = left - len(page)
		}
		next.Set("$skiptoken", base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%d", end, rest)))
		// http whatever the scheme asked on, as in Microsoft's example
		// ("@odata.nextLink": "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=…").
		out["@odata.nextLink"] = "http://" + strings.TrimPrefix(strings.TrimPrefix(a.Server.URL, "https://"), "http://") + r.URL.Path + "?" + next.Encode()
	}
	body, _ := json.Marshal(out)
	a.lists++
	n, after := a.lists, a.afterList
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	if after != nil {
		after(n) // before the answer ends: the client's next request sees the change
	}
}

// positionOf reads where a page starts and how many may follow in all (-1:
// no $top): from a $skiptoken, or from $skip and $top.
func positionOf(q url.Values) (offset, left int, err error) {
	if tok := q.Get("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err == nil {
			_, err = fmt.Sscanf(string(b), "%d:%d", &offset, &left)
		}
		if err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("$skiptoken %q is not one this API gave", tok)
		}
		return offset, left, nil
	}
	left = -1
	if v := q.Get("$top"); v != "" {
		if left, err = strconv.Atoi(v); err != nil || left < 0 {
			return 0, 0, fmt.Errorf("$top %q is not a count", v)
		}
	}
	if v := q.Get("$skip"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("$skip %q is not a count", v)
		}
	}
	return offset, left, nil
}

// filterOf reads a $filter of clauses "FIELD OP TIME" joined by "and",
// FIELD updatedDateTime or createdDateTime, OP gt, ge, lt, le or eq.
func filterOf(f string) (func(map[string]any) bool, error) {
	type clause struct {
		field, op string
		at        time.Time
	}
	var cs []clause
	if strings.TrimSpace(f) != "" {
		for _, part := range strings.Split(f, " and ") {
			words := strings.Fields(strings.Trim(strings.TrimSpace(part), "()"))
			if len(words) != 3 || (words[0] != "updatedDateTime" && words[0] != "createdDateTime") {
				return nil, fmt.Errorf("%q: this fake filters on updatedDateTime and createdDateTime only", part)
			}
			at, err := time.Parse(time.RFC3339Nano, words[2])
			if err != nil {
				return nil, fmt.Errorf("%q: %q is not a DateTimeOffset", part, words[2])
			}
			switch words[1] {
			case "gt", "ge", "lt", "le", "eq":
			default:
				return nil, fmt.Errorf("%q: unknown operator %q", part, words[1])
			}
			cs = append(cs, clause{words[0], words[1], at})
		}
	}
	return func(ref map[string]any) bool {
		for _, c := range cs {
			t := timeOf(ref, c.field)
			ok := map[string]bool{"gt": t.After(c.at), "ge": !t.Before(c.at), "lt": t.Before(c.at), "le": !t.After(c.at), "eq": t.Equal(c.at)}[c.op]
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

// orderOf reads a $orderby of one documented field: updatedDateTime (the
// default) or createdDateTime, asc (the default) or desc.
func orderOf(o string) (field string, desc bool, err error) {
	words := strings.Fields(o)
	if len(words) == 0 {
		return "updatedDateTime", false, nil
	}
	if len(words) > 2 || (words[0] != "updatedDateTime" && words[0] != "createdDateTime") || (len(words) == 2 && words[1] != "asc" && words[1] != "desc") {
		return "", false, fmt.Errorf("$orderby %q: the API orders by createdDateTime or updatedDateTime, asc or desc", o)
	}
	return words[0], len(words) == 2 && words[1] == "desc", nil
}

// timeOf is a referral's time field; the zero time when it has none.
func timeOf(ref map[string]any, field string) time.Time {
	s, _ := ref[field].(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func (a *API) patch(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	var ops []struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}
	if err := json.NewDecoder(r.Body).Decode(&ops); err != nil || len(ops) == 0 {
		http.Error(w, `{"code":"BadPatch"}`, http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	ref, ok := a.referrals[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"code":"NotFound"}`, http.StatusNotFound)
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && m != ref["eTag"] {
		http.Error(w, `{"code":"PreconditionFailed"}`, http.StatusPreconditionFailed)
		return
	}
	if ref["status"] == "Closed" {
		// Partner Center takes no change to a closed referral.
		http.Error(w, `{"code":"InvalidReferralState","message":"The referral is closed and cannot be updated."}`, http.StatusBadRequest)
		return
	}
	for _, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			http.Error(w, `{"code":"UnsupportedOp"}`, http.StatusBadRequest)
			return
		}
		setPath(ref, strings.TrimPrefix(op.Path, "/"), op.Value)
	}
	ref["eTag"] = a.nextETag()
	ref["updatedDateTime"] = a.clock().UTC().Format(time.RFC3339Nano)
	a.notify("referral-updated", r.PathValue("id"))
	w.Header().Set("ETag", ref["eTag"].(string))
	if r.Header.Get("Prefer") != "return=representation" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, _ := json.Marshal(ref)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// create stores a referral the partner made: Partner Center gives it an
// id, an eTag, its times and the Outgoing direction, refuses one without a
// name or the customer's country, and notifies referral-created.
func (a *API) create(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	var ref map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ref); err != nil {
		http.Error(w, `{"code":"BadRequest"}`, http.StatusBadRequest)
		return
	}
	cp, _ := ref["customerProfile"].(map[string]any)
	addr, _ := cp["address"].(map[string]any)
	if ref["name"] == nil || ref["name"] == "" || addr["country"] == nil || addr["country"] == "" {
		http.Error(w, `{"code":"InvalidInput","message":"name and customerProfile.address.country are required"}`, http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.created++
	id := fmt.Sprintf("0c0ffee0-0000-4000-8000-%012d", a.created)
	now := a.clock().UTC().Format(time.RFC3339Nano)
	ref["id"], ref["eTag"], ref["direction"] = id, a.nextETag(), "Outgoing"
	ref["createdDateTime"], ref["updatedDateTime"] = now, now
	if ref["status"] == nil || ref["status"] == "" {
		ref["status"], ref["substatus"] = "New", "Pending"
	}
	a.referrals[id] = ref
	a.notify("referral-created", id)
	if a.loseCreate {
		a.loseCreate = false
		http.Error(w, `{"code":"GatewayTimeout"}`, http.StatusGatewayTimeout)
		return
	}
	body, _ := json.Marshal(ref)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", ref["eTag"].(string))
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(body)
}

func setPath(obj map[string]any, path string, value any) {
	parts := strings.Split(path, "/")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[p] = next
		}
		obj = next
	}
	obj[parts[len(parts)-1]] = value
}
