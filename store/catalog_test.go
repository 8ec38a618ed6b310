package store_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestSolutions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		adds := []struct {
			sol     deal.Solution
			wantErr error
		}{
			{deal.Solution{Name: "gamma", Source: deal.Microsoft}, nil},
			{deal.Solution{Name: "Contoso Insights", Source: deal.Mine, IP: deal.IPAzure, MACC: true, Incentivized: true}, nil},
			{deal.Solution{Name: "Alpha", Source: deal.ThirdParty}, nil},
			{deal.Solution{Name: "beta", Source: deal.Mine, IP: deal.IPBizAppsPremium}, nil},
			{deal.Solution{Name: "Contoso Insights", Source: deal.Mine}, store.ErrExists},
			{deal.Solution{Name: "contoso insights", Source: deal.Microsoft}, store.ErrExists},
			{deal.Solution{Name: "  CONTOSO INSIGHTS ", Source: deal.Microsoft}, store.ErrExists},
			{deal.Solution{Name: "ALPHA", Source: deal.Mine}, store.ErrExists},
		}
		for _, add := range adds {
			err := s.AddSolution(ctx, add.sol, at("admin@x.example", "solution added", add.sol.Name))
			if !errors.Is(err, add.wantErr) {
				t.Errorf("AddSolution(%q) = %v, want %v", add.sol.Name, err, add.wantErr)
			}
		}
		if err := s.AddSolution(ctx, deal.Solution{Name: "  "}, at("admin@x.example", "solution added", "")); err == nil {
			t.Error("AddSolution with an empty name succeeded")
		}
		got, err := s.Solutions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []deal.Solution{
			{Name: "Alpha", Source: deal.ThirdParty},
			{Name: "beta", Source: deal.Mine, IP: deal.IPBizAppsPremium},
			{Name: "Contoso Insights", Source: deal.Mine, IP: deal.IPAzure, MACC: true, Incentivized: true},
			{Name: "gamma", Source: deal.Microsoft},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Solutions:\n got %+v\nwant %+v", got, want)
		}
		// One audit event per solution added, none for refusals.
		events, err := store.EventsOf(ctx, s, "solution", "contoso insights")
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Detail != "Contoso Insights" {
			t.Errorf("audit of contoso insights: %+v, want the one addition", events)
		}
	})
}

func TestSolutionsEmpty(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		got, err := s.Solutions(t.Context())
		if err != nil || len(got) != 0 {
			t.Errorf("Solutions of an empty catalog = %v, %v", got, err)
		}
	})
}
