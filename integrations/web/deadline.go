package web

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gorilla/mux"
)

// BodyLimit is how long a route waits for a request body and how large a
// body it accepts.
type BodyLimit struct {
	Read time.Duration // from the end of the headers to the end of the body
	Max  int64         // bytes
}

// BodyGuard puts a read deadline and a size limit on every request body,
// per route template, so that an upload that stalls after its headers
// holds a goroutine for Read at most, not forever. At shutdown, Cut
// shortens every deadline still running, so that the server's Shutdown
// finishes within its timeout.
type BodyGuard struct {
	def    BodyLimit
	routes map[string]BodyLimit
	now    func() time.Time // the wall clock: deadlines are set on sockets

	mu       sync.Mutex
	inFlight map[*guarded]struct{}
	fresh    map[net.Conn]struct{} // connections that sent nothing yet
	cutAt    time.Time             // once Cut: no deadline later than this
}

type guarded struct {
	rc       *http.ResponseController
	deadline time.Time
}

// NewBodyGuard applies def to every route but those in routes (keyed by
// path template, such as "/webhooks/{source}").
func NewBodyGuard(def BodyLimit, routes map[string]BodyLimit) *BodyGuard {
	return &BodyGuard{def: def, routes: routes, now: time.Now, inFlight: map[*guarded]struct{}{}, fresh: map[net.Conn]struct{}{}}
}

// ConnState is the http.Server's ConnState hook: it notes connections that
// have not sent a request yet. http.Server.Shutdown waits up to 5 seconds
// for those before it treats them as idle; Cut gives them the grace
// instead.
func (g *BodyGuard) ConnState(c net.Conn, state http.ConnState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if state == http.StateNew {
		g.fresh[c] = struct{}{}
		if !g.cutAt.IsZero() {
			_ = c.SetReadDeadline(g.cutAt)
		}
		return
	}
	delete(g.fresh, c)
}

// Middleware sets the deadline and the limit before next reads the body.
func (g *BodyGuard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		limit := g.def
		if cur := mux.CurrentRoute(r); cur != nil {
			if tpl, err := cur.GetPathTemplate(); err == nil {
				if l, ok := g.routes[tpl]; ok {
					limit = l
				}
			}
		}
		if limit.Max > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit.Max)
		}
		if limit.Read <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		gr := &guarded{rc: http.NewResponseController(w), deadline: g.now().Add(limit.Read)}
		g.mu.Lock()
		if !g.cutAt.IsZero() && g.cutAt.Before(gr.deadline) {
			gr.deadline = g.cutAt
		}
		g.inFlight[gr] = struct{}{}
		// An error means the writer cannot set deadlines (a test recorder):
		// the server's ReadTimeout still bounds the request.
		_ = gr.rc.SetReadDeadline(gr.deadline)
		g.mu.Unlock()
		// Once the body is read, the deadline goes: net/http's background
		// read would otherwise hit it while the handler still works, and
		// cancel the request's context.
		release := func(clear bool) {
			g.mu.Lock()
			defer g.mu.Unlock()
			if _, ok := g.inFlight[gr]; !ok {
				return
			}
			delete(g.inFlight, gr)
			if clear {
				_ = gr.rc.SetReadDeadline(time.Time{})
			}
		}
		r.Body = &guardedBody{ReadCloser: r.Body, release: release}
		defer release(false)
		next.ServeHTTP(w, r)
	})
}

// guardedBody releases the deadline when the body has been read whole.
type guardedBody struct {
	io.ReadCloser
	release func(clear bool)
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.release(true)
	}
	return n, err
}

// Cut gives every body still being read at most grace more, and every
// request that starts from now on as well. Register it with
// http.Server.RegisterOnShutdown.
func (g *BodyGuard) Cut(grace time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cutAt = g.now().Add(grace)
	for gr := range g.inFlight {
		if gr.deadline.After(g.cutAt) {
			gr.deadline = g.cutAt
			_ = gr.rc.SetReadDeadline(g.cutAt)
		}
	}
	for c := range g.fresh {
		_ = c.SetReadDeadline(g.cutAt) // a request header arriving in time is still served
	}
}

// TimedOut reports a body read that ran past its deadline, which a
// handler answers 408.
func TimedOut(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
