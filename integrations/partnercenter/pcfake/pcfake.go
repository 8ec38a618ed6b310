// Package pcfake is an in-memory Partner Center for tests: an OAuth2 token
// endpoint that trades a refresh token for access tokens, and the Referrals
// API (GET by id, list with $filter on updatedDateTime, PATCH with If-Match
// and eTags) on an httptest server.
package pcfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
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
	a := &API{referrals: map[string]map[string]any{}, clock: clock, refresh: RefreshToken}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", a.token)
	mux.HandleFunc("GET /v1.0/engagements/referrals", a.list)
	mux.HandleFunc("GET /v1.0/engagements/referrals/{id}", a.get)
	mux.HandleFunc("PATCH /v1.0/engagements/referrals/{id}", a.patch)
	mux.HandleFunc("POST /v1.0/engagements/referrals", a.create)
	a.Server = httptest.NewServer(mux)
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

// list supports "$filter=updatedDateTime gt T" and orders by updatedDateTime,
// two per page, so that paging is exercised.
func (a *API) list(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	var since time.Time
	if f := r.URL.Query().Get("$filter"); f != "" {
		v, ok := strings.CutPrefix(f, "updatedDateTime gt ")
		t, err := time.Parse(time.RFC3339Nano, v)
		if !ok || err != nil {
			http.Error(w, `{"code":"BadFilter"}`, http.StatusBadRequest)
			return
		}
		since = t
	}
	a.mu.Lock()
	var all []map[string]any
	for _, ref := range a.referrals {
		u, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(ref["updatedDateTime"]))
		if u.After(since) {
			all = append(all, ref)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		return fmt.Sprint(all[i]["updatedDateTime"]) < fmt.Sprint(all[j]["updatedDateTime"])
	})
	skip := 0
	fmt.Sscan(r.URL.Query().Get("$skip"), &skip)
	page := all[min(skip, len(all)):min(skip+2, len(all))]
	out := map[string]any{"@odata.count": len(all), "value": page}
	if skip+2 < len(all) {
		q := r.URL.Query()
		q.Set("$skip", fmt.Sprint(skip+2))
		out["@odata.nextLink"] = a.Server.URL + r.URL.Path + "?" + q.Encode()
	}
	body, _ := json.Marshal(out)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
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
