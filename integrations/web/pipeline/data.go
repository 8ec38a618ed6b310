package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// OutcomeWindow is how far back the referrals chart looks.
const OutcomeWindow = 90 * 24 * time.Hour

// snapshot is the whole pipeline as of one PipelineVersion: every deal,
// every claim and the referral outcomes of the chart's window. Nothing in
// it is changed once built; requests share it.
type snapshot struct {
	version  string
	day      string // the outcomes window moves with the day
	since    time.Time
	deals    []*deal.Deal // by id
	byID     map[int64]*deal.Deal
	search   map[int64]string // lower-case text a search matches
	claims   []*cpor.Claim
	outcomes map[int64][]ledger.Entry
	usd      map[int64]converted // each deal's value in USD, converted once

	mu      sync.Mutex
	orders  map[string][]*deal.Deal // every deal, by each sort order, made on first use
	options map[string]options      // filter choices by scope, made on first use
	cards   sync.Map                // cardKey → *[2]string: a card's HTML around its countdown
}

// converted is a value in US dollars; ok is false for a currency the rates
// table lacks.
type converted struct {
	usd float64
	ok  bool
}

// ordered is every deal in a sort order, sorted once per snapshot.
func (snap *snapshot) ordered(by string) []*deal.Deal {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if ds, ok := snap.orders[by]; ok {
		return ds
	}
	ds := slices.Clone(snap.deals)
	sortDeals(ds, by)
	snap.orders[by] = ds
	return ds
}

// current answers the snapshot for now, reloading it when the record moved
// on. Loads are one at a time; requests meanwhile wait for the new one.
func (s *Server) current(ctx context.Context, now time.Time) (*snapshot, error) {
	v, err := s.rec.PipelineVersion(ctx)
	if err != nil {
		return nil, err
	}
	day := now.UTC().Format(time.DateOnly)
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if s.snap != nil && s.snap.version == v && s.snap.day == day {
		return s.snap, nil
	}
	snap, err := s.load(ctx, v, now)
	if err != nil {
		return nil, err
	}
	s.snap = snap
	return snap, nil
}

func (s *Server) load(ctx context.Context, version string, now time.Time) (*snapshot, error) {
	deals, err := s.rec.ListDeals(ctx, ledger.DealFilter{})
	if err != nil {
		return nil, fmt.Errorf("pipeline page: %w", err)
	}
	claims, err := s.rec.Claims(ctx)
	if err != nil {
		return nil, fmt.Errorf("pipeline page: %w", err)
	}
	y, m, d := now.UTC().Date()
	since := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(-OutcomeWindow)
	outcomes, err := s.rec.DealOutcomes(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("pipeline page: %w", err)
	}
	snap := &snapshot{
		version: version, day: now.UTC().Format(time.DateOnly), since: since, deals: deals,
		byID: make(map[int64]*deal.Deal, len(deals)), search: make(map[int64]string, len(deals)),
		claims: claims, outcomes: outcomes, usd: make(map[int64]converted, len(deals)),
		orders: map[string][]*deal.Deal{}, options: map[string]options{},
	}
	for _, dl := range deals {
		v, ok := s.rates.USD(dl.Value, dl.Currency)
		snap.usd[dl.ID] = converted{v, ok}
		snap.byID[dl.ID] = dl
		snap.search[dl.ID] = strings.ToLower(strings.Join([]string{"#" + strconv.FormatInt(dl.ID, 10), dl.Name, dl.Customer.Name, dl.CRMID, dl.ExternalID, dl.CampaignID}, "\x00"))
	}
	return snap, nil
}
