package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// HeaderRequestID carries a request's id: taken from the caller when it
// sends a sane one (a load balancer's or a proxy's), made up otherwise, and
// always sent back.
const HeaderRequestID = "X-Request-Id"

type ctxKey int

const (
	requestIDKey ctxKey = iota
	routeKey
)

// RequestID is the id of the HTTP request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// validRequestID accepts up to 64 letters, digits, '.', '_' and '-', so that
// a caller cannot forge log lines or blow up their size.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// LogHandler adds the request id of the context to every record logged
// with one (log.InfoContext(r.Context(), …)), so that the lines of one
// request can be found together.
type LogHandler struct{ slog.Handler }

// Handle adds request_id when ctx carries one.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }

// Observer is the HTTP middleware of metrics, request ids and the access
// log. Requests are labelled by route template ("/webhooks/{source}"), never
// by raw path, so that the label set stays bounded; requests no route
// matched are "unmatched".
type Observer struct {
	log      *slog.Logger
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// NewObserver builds the collectors; Register exposes them.
func NewObserver(log *slog.Logger) *Observer {
	return &Observer{
		log: log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cosellbot", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cosellbot", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "HTTP request latency by route template and method, until the handler returns.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "cosellbot", Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being handled.",
		}),
	}
}

// Register adds the collectors to reg.
func (o *Observer) Register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{o.requests, o.duration, o.inFlight} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// quietRoutes are the probes and the scrape: logged at debug level only,
// since they come every few seconds.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// methods bounds the method label; anything else is "other".
var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// Wrap returns r observed. Routes are known only once r matched one, on
// the request r passes down, so a middleware inside r writes the template
// into a slot the outer handler made.
func (o *Observer) Wrap(r *mux.Router) http.Handler {
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if slot, ok := req.Context().Value(routeKey).(*string); ok {
				if route := mux.CurrentRoute(req); route != nil {
					if tpl, err := route.GetPathTemplate(); err == nil {
						*slot = tpl
					}
				}
			}
			next.ServeHTTP(w, req)
		})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		id := req.Header.Get(HeaderRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(HeaderRequestID, id)
		route := "unmatched"
		ctx := context.WithValue(context.WithValue(req.Context(), requestIDKey, id), routeKey, &route)
		rec := &statusRecorder{ResponseWriter: w}
		o.inFlight.Inc()
		defer o.inFlight.Dec()
		r.ServeHTTP(rec, req.WithContext(ctx))
		d := time.Since(start)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		method := req.Method
		if !methods[method] {
			method = "other"
		}
		o.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
		o.duration.WithLabelValues(route, method).Observe(d.Seconds())
		level := slog.LevelInfo
		if quietRoutes[route] {
			level = slog.LevelDebug
		}
		o.log.Log(ctx, level, "http request", "method", req.Method, "route", route, "code", code,
			"duration_ms", float64(d.Microseconds())/1000, "bytes", rec.bytes)
	})
}

// statusRecorder notes the status code and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer
// (flushing, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
