package partnercenter_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// pollID is the id of the i-th referral of a poll test.
func pollID(i int) string { return fmt.Sprintf("5a1e0000-0000-4000-8000-%012d", i) }

// incoming is the i-th new incoming referral (the new-referral fixture under
// another id and name), last updated at up.
func incoming(t *testing.T, i int, up time.Time) string {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal([]byte(fixture(t, "referral_new.json")), &r); err != nil {
		t.Fatal(err)
	}
	r["id"], r["name"] = pollID(i), fmt.Sprintf("Referral %d", i)
	r["createdDateTime"], r["updatedDateTime"] = up.Format(time.RFC3339Nano), up.Format(time.RFC3339Nano)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The poll imports every referral, however many there are and whatever
// changes in Partner Center between its polls or between the pages of one
// (which moves the changed referrals to the end of the updatedDateTime
// ordering and shifts the rest left): none is skipped, and none is said
// to have failed. A tester's 300 referrals lost 20 when 20 earlier ones
// changed between two polls: the poll resumed at the $skip of the next
// link, now 20 places too far, and its cursor then moved past them.
func TestPollSkipsNothing(t *testing.T) {
	cases := []struct {
		name  string
		n     int           // referrals, updated apart up to now
		apart time.Duration // 0: a millisecond
		// before runs before the first poll; between after it; during
		// after the given listing request.
		before  func(t *testing.T, e *env)
		between func(e *env)
		during  func(e *env, n int)
		changed []int // referrals whose notes Partner Center changed
	}{
		{
			name: "referrals changed between polls",
			n:    150,
			between: func(e *env) {
				e.h.Clock.Add(3 * time.Minute) // past the poll's look-back
				for i := range 20 {
					e.api.Set(pollID(i), "details/notes", fmt.Sprintf("changed %d", i))
				}
			},
			changed: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19},
		},
		{
			name: "referrals changed between the pages of one poll",
			n:    40,
			during: func(e *env, n int) {
				if n != 3 {
					return
				}
				e.h.Clock.Add(3 * time.Minute)
				for i := range 4 {
					e.api.Set(pollID(i), "details/notes", fmt.Sprintf("changed %d", i))
				}
			},
			changed: []int{0, 1, 2, 3},
		},
		{
			name: "many referrals of one instant",
			n:    -9, // nine at the same time
		},
		{
			name:  "a cursor an older cosellbot left mid-listing",
			n:     30,
			apart: 10 * time.Minute,
			before: func(t *testing.T, e *env) {
				// Its next link, whose $skip referrals changed since have
				// shifted: the listing starts again instead.
				old := change.Cursor{Next: e.api.APIURL() + "/engagements/referrals?%24orderby=updatedDateTime%20asc&%24skip=20"}
				if err := e.st.SaveCursor(t.Context(), "partnercenter-poll", old); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				e := setup(t, st)
				n := tc.n
				apart := cmp.Or(tc.apart, time.Millisecond)
				for i := range max(n, -n) {
					up := now.Add(time.Duration(i-n) * apart)
					if n < 0 {
						up = now.Add(-time.Second)
					}
					e.api.Put(incoming(t, i, up))
				}
				n = max(n, -n)
				if tc.before != nil {
					tc.before(t, e)
				}
				if tc.during != nil {
					e.api.AfterList(func(k int) { tc.during(e, k) })
				}
				poll := func(which string) {
					t.Helper()
					if _, failures, err := e.src.Poll(t.Context()); err != nil || len(failures) > 0 {
						t.Fatalf("%s poll: %v, failures %v", which, err, failures)
					}
				}
				poll("first")
				if tc.between != nil {
					tc.between(e)
				}
				for i := range 12 {
					e.h.Clock.Add(5 * time.Minute)
					poll(fmt.Sprintf("poll %d", i+2))
				}
				var missing []int
				for i := range n {
					if _, err := st.DealByExternalID(t.Context(), pollID(i)); err != nil {
						missing = append(missing, i)
					}
				}
				if len(missing) > 0 {
					t.Fatalf("%d of %d referrals never imported: %v", len(missing), n, missing)
				}
				for _, i := range tc.changed {
					d, _ := st.DealByExternalID(t.Context(), pollID(i))
					if want := fmt.Sprintf("changed %d", i); d.Notes != want {
						t.Errorf("referral %d: notes %q, want %q", i, d.Notes, want)
					}
				}
			})
		})
	}
}

// A referral that fails to apply (no MPN location, and no
// PARTNERCENTER_DEFAULT_LOCATION) is said at every poll and retried until
// it applies, however far the listing went on meanwhile; so many failing
// that something must be wrong with all of them hold the poll back at the
// next. A poll's failure in a listing that took several polls was
// forgotten, and the referral never imported. A retry Partner Center
// cannot answer (503) keeps the referral for the next poll.
func TestPollRetriesAFailedReferral(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		failing func(i int) bool
	}{
		{name: "one", n: 150, failing: func(i int) bool { return i == 10 }},
		{name: "more than the poll holds", n: 80, failing: func(i int) bool { return i < 60 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				e := setup(t, st)
				var want []string
				for i := range tc.n {
					r := incoming(t, i, now.Add(time.Duration(i-tc.n)*time.Millisecond))
					if tc.failing(i) {
						r = strings.Replace(r, `"mpnId":"4567890",`, "", 1)
						want = append(want, pollID(i))
					}
					e.api.Put(r)
				}
				failed := func(failures []error) []string {
					var ids []string
					for _, f := range failures {
						for _, id := range want {
							if strings.Contains(f.Error(), id) && !slices.Contains(ids, id) {
								ids = append(ids, id)
							}
						}
					}
					return ids
				}
				for i := range 6 {
					_, failures, err := e.src.Poll(t.Context())
					if err != nil || len(failures) == 0 || len(failed(failures)) != len(failures) {
						t.Fatalf("poll %d: %v, failures %v", i+1, err, failures)
					}
					switch i {
					case 0:
						e.h.Clock.Add(3 * time.Minute) // past the look-back
						e.api.Set(pollID(tc.n-1), "details/notes", "changed")
					case 2:
						e.api.FailNext(1) // the retry meets a 503: kept for the next poll
					}
					e.h.Clock.Add(5 * time.Minute)
				}
				// Restarted with PARTNERCENTER_DEFAULT_LOCATION set.
				src := pcsource.New(secret, pcsource.NewCerts(nil, nil, nil), e.client, st,
					change.New(st, e.h.Clock, map[string][]change.Field{pcsource.Name: nil}, nil, nil), "1234567", e.h.Clock, nil)
				for i := range 4 {
					if _, failures, err := src.Poll(t.Context()); err != nil || len(failures) > 0 {
						t.Fatalf("poll %d with a default location: %v, failures %v", i+1, err, failures)
					}
					e.h.Clock.Add(5 * time.Minute)
				}
				for i := range tc.n {
					d, err := st.DealByExternalID(t.Context(), pollID(i))
					switch {
					case err != nil:
						t.Errorf("referral %d never imported", i)
					case tc.failing(i) && d.Location != "1234567":
						t.Errorf("referral %d: location %q", i, d.Location)
					}
				}
			})
		})
	}
}

// staleView is a replica that read before another replica's commits: the
// poll's cursor as it was before the other's poll, and each referral as
// linked to no deal the first time it looks.
type staleView struct {
	*store.Store
	mu     sync.Mutex
	looked map[string]bool
}

func (v *staleView) first(id string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.looked[id] {
		return false
	}
	v.looked[id] = true
	return true
}

func (v *staleView) Cursor(ctx context.Context, name string) (change.Cursor, error) {
	if v.first("cursor " + name) {
		return change.Cursor{}, nil
	}
	return v.Store.Cursor(ctx, name)
}

func (v *staleView) LinksOfRecord(ctx context.Context, system, id string) ([]change.Link, error) {
	if v.first("links " + id) {
		return nil, nil
	}
	return v.Store.LinksOfRecord(ctx, system, id)
}

func (v *staleView) DealByExternalID(ctx context.Context, id string) (*deal.Deal, error) {
	if v.first("deal " + id) {
		return nil, fmt.Errorf("referral %s: %w", id, ledger.ErrNotFound)
	}
	return v.Store.DealByExternalID(ctx, id)
}

// Two replicas polling at the same moment both find the new referrals: the
// one whose deal the other made first merges into it. That referral was
// not applied "already exists", a failure holding the cursor back.
func TestPollOfTwoReplicas(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		for i := range 6 {
			e.api.Put(incoming(t, i, now.Add(time.Duration(i-6)*time.Millisecond)))
		}
		if n, failures, err := e.src.Poll(t.Context()); n != 6 || err != nil || len(failures) > 0 {
			t.Fatalf("first replica: %d applied, %v, failures %v", n, err, failures)
		}
		late := &staleView{Store: st, looked: map[string]bool{}}
		other := pcsource.New(secret, pcsource.NewCerts(nil, nil, nil), e.client, late,
			change.New(late, e.h.Clock, map[string][]change.Field{pcsource.Name: nil}, nil, nil), "", e.h.Clock, nil)
		if n, failures, err := other.Poll(t.Context()); n != 0 || err != nil || len(failures) > 0 {
			t.Fatalf("second replica: %d applied, %v, failures %v", n, err, failures)
		}
		for i := range 6 {
			if _, err := st.DealByExternalID(t.Context(), pollID(i)); err != nil {
				t.Errorf("referral %d: %v", i, err)
			}
		}
		if ds, err := st.ListDeals(t.Context(), store.DealFilter{}); err != nil || len(ds) != 6 {
			t.Errorf("%d deals, %v; want 6", len(ds), err)
		}
	})
}

// lateView is Partner Center's listing as one replica reads it, before a
// referral updated a little earlier is listed (the reason for
// PollOverlap): the referral is not there yet.
type lateView struct {
	*pc.Client
	late string
}

func (v lateView) From(ctx context.Context, since time.Time) ([]pc.Referral, string, error) {
	refs, next, err := v.Client.From(ctx, since)
	return v.without(refs), next, err
}

func (v lateView) Page(ctx context.Context, since time.Time, link string) ([]pc.Referral, string, error) {
	refs, next, err := v.Client.Page(ctx, since, link)
	return v.without(refs), next, err
}

func (v lateView) without(refs []pc.Referral) []pc.Referral {
	return slices.DeleteFunc(refs, func(r pc.Referral) bool { return r.ID == v.late })
}

// racer is a replica's view of the store whose poll reads the cursor
// before the other replica's poll saves it: its first read waits for
// read (the other's read) to close, or closes it itself; its first save
// waits for wait to close, and closes saved once it is done.
type racer struct {
	*store.Store
	read, wait, saved chan struct{}
	first, firstSave  sync.Once
}

func (r *racer) Cursor(ctx context.Context, name string) (change.Cursor, error) {
	c, err := r.Store.Cursor(ctx, name)
	r.first.Do(func() {
		if r.wait != nil { // the replica saving second: read, then let the other poll
			close(r.read)
			<-r.wait
			return
		}
		<-r.read
	})
	return c, err
}

func (r *racer) SaveCursor(ctx context.Context, name string, c change.Cursor) error {
	err := r.Store.SaveCursor(ctx, name, c)
	r.firstSave.Do(func() { close(r.saved) })
	return err
}

// Two replicas poll from one cursor, and each holds for retry a referral
// that failed to apply (no MPN location) which the other did not list
// yet: the second to save the cursor merges the first's failures into its
// own. It used to save over them, and the referral the first held, listed
// before the position both reached less PollOverlap, was never tried
// again: it never became a deal.
func TestPollOfTwoReplicasKeepsTheFailuresOfBoth(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		for i := range 6 { // a minute apart, the last five minutes ago
			r := incoming(t, i, now.Add(time.Duration(i-10)*time.Minute))
			if i == 1 || i == 3 {
				r = strings.Replace(r, `"mpnId":"4567890",`, "", 1)
			}
			e.api.Put(r)
		}
		read, firstSaved, secondSaved := make(chan struct{}), make(chan struct{}), make(chan struct{})
		replica := func(rec *racer, late int) *pcsource.Source {
			return pcsource.New(secret, pcsource.NewCerts(nil, nil, nil), lateView{e.client, pollID(late)}, rec,
				change.New(rec, e.h.Clock, map[string][]change.Field{pcsource.Name: nil}, nil, nil), "", e.h.Clock, nil)
		}
		first := replica(&racer{Store: st, read: read, saved: firstSaved}, 3)
		second := replica(&racer{Store: st, read: read, wait: firstSaved, saved: secondSaved}, 1)
		failed := make([][]error, 2)
		var wg sync.WaitGroup
		for i, src := range []*pcsource.Source{first, second} {
			wg.Go(func() {
				var err error
				if _, failed[i], err = src.Poll(t.Context()); err != nil {
					t.Errorf("replica %d: %v", i+1, err)
				}
			})
		}
		wg.Wait()
		if len(failed[0]) != 1 || !strings.Contains(failed[0][0].Error(), pollID(1)) ||
			len(failed[1]) != 1 || !strings.Contains(failed[1][0].Error(), pollID(3)) {
			t.Fatalf("failures %v; want referral 1 on the first replica, 3 on the second", failed)
		}

		// Restarted with PARTNERCENTER_DEFAULT_LOCATION set, seeing all.
		src := pcsource.New(secret, pcsource.NewCerts(nil, nil, nil), e.client, st,
			change.New(st, e.h.Clock, map[string][]change.Field{pcsource.Name: nil}, nil, nil), "1234567", e.h.Clock, nil)
		for i := range 2 {
			e.h.Clock.Add(5 * time.Minute)
			if _, failures, err := src.Poll(t.Context()); err != nil || len(failures) > 0 {
				t.Fatalf("poll %d with a default location: %v, failures %v", i+1, err, failures)
			}
		}
		for i := range 6 {
			if _, err := st.DealByExternalID(t.Context(), pollID(i)); err != nil {
				t.Errorf("referral %d never imported: %v", i, err)
			}
		}
	})
}
