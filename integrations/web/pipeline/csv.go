package pipeline

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/cosellbot/cosellbot/bot/command"
)

// CSVURL is where a signed-in person downloads, as a CSV file, the deals
// they may see under query's filters (the board's): what `deal list
// format=csv` links to, since chat messages hold only so much.
func (s *Server) CSVURL(query url.Values) string {
	u := s.base.String() + "/deals.csv"
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// dealsCSV answers the deals the person may see, filtered as the board is,
// with every field (the columns of cosellbot export deals).
func (s *Server) dealsCSV(w http.ResponseWriter, r *http.Request, pg *page) {
	snap, f, code, ok := s.filtered(w, r, pg)
	if !ok {
		return
	}
	if code != http.StatusOK {
		http.Error(w, pg.Error, code)
		return
	}
	if !pg.Who.Referrals() {
		http.Error(w, "deals need a referrals role", http.StatusForbidden)
		return
	}
	ds := snap.visible(pg.Who, f, true)
	views := make([]command.DealView, len(ds))
	for i, d := range ds {
		views[i] = command.View(d)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="cosellbot-deals-%s.csv"`, pg.L.now.Format("2006-01-02")))
	w.Header().Set("Cache-Control", "no-store")
	if err := command.WriteCSV(w, views); err != nil {
		s.log.ErrorContext(r.Context(), "pipeline: writing the deals CSV", "err", err)
	}
}
