package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

type staticUsers struct{}

func (staticUsers) Resolve(context.Context, string) (access.User, error) {
	return access.User{ID: "admin@bench.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}, nil
}

// BenchmarkBoardInProcess renders the board of 5,000 deals without the
// network, for profiling (-cpuprofile); the product figure is
// BenchmarkServePipeline's.
func BenchmarkBoardInProcess(b *testing.B) {
	dbURL := storetest.SQLiteURL(b)
	now := time.Now().UTC()
	if err := seedBench(dbURL, BenchDeals, now); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := clocktest.New(now)
	p, err := pipeline.New(pipeline.Config{PublicURL: "http://127.0.0.1", Record: st, Sessions: st, Users: staticUsers{}, Clock: c, Rates: deal.DefaultRates(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	r := mux.NewRouter()
	p.Mount(r)
	link, _, err := p.SignInLink(context.Background(), "admin@bench.example", now)
	if err != nil {
		b.Fatal(err)
	}
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/signin", nil)
	req.PostForm = map[string][]string{"t": {token(link)}}
	r.ServeHTTP(w, req)
	cookie := w.Result().Cookies()[0]
	for _, path := range []string{"/", "/charts"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				w := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(cookie)
				r.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
