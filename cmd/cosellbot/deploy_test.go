package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/cosellbot/cosellbot/integrations/web"
)

// deployDir is deploy/ from this package.
const deployDir = "../../deploy"

// manifests decodes every document of deploy/k8s strictly into its
// Kubernetes API type: a misspelt or misplaced field fails.
type manifests struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	config     *corev1.ConfigMap
	pdb        *policyv1.PodDisruptionBudget
	job        *batchv1.Job
	ingress    *networkingv1.Ingress
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s: %v", err)
	}
	var m manifests
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			where := fmt.Sprintf("%s document %d", filepath.Base(f), i+1)
			var meta metav1.TypeMeta
			if err := sigsyaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var obj any
			switch meta.APIVersion + " " + meta.Kind {
			case "apps/v1 Deployment":
				m.deployment = &appsv1.Deployment{}
				obj = m.deployment
			case "v1 Service":
				m.service = &corev1.Service{}
				obj = m.service
			case "v1 ConfigMap":
				m.config = &corev1.ConfigMap{}
				obj = m.config
			case "policy/v1 PodDisruptionBudget":
				m.pdb = &policyv1.PodDisruptionBudget{}
				obj = m.pdb
			case "batch/v1 Job":
				m.job = &batchv1.Job{}
				obj = m.job
			case "networking.k8s.io/v1 Ingress":
				m.ingress = &networkingv1.Ingress{}
				obj = m.ingress
			default:
				t.Fatalf("%s: unexpected %s %s; teach this test about it", where, meta.APIVersion, meta.Kind)
			}
			if err := sigsyaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
		}
	}
	if m.deployment == nil || m.service == nil || m.config == nil || m.pdb == nil || m.job == nil || m.ingress == nil {
		t.Fatalf("deploy/k8s lacks a Deployment, Service, ConfigMap, PodDisruptionBudget, Job or Ingress: %+v", m)
	}
	return m
}

// The manifests decode strictly, and what they say matches the server: the
// probes answer on the port the configuration listens on, the variables
// are ones cosellbot reads, the grace period covers the drain and the
// shutdown timeout, and the pods run unprivileged.
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	m := loadManifests(t)
	d := m.deployment
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("Deployment replicas %v, want 2 or more", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	// The image is the release the changelog names last (a tester found
	// 0.3.0 pinned at 0.18.0).
	readme, err := os.ReadFile(filepath.Join(deployDir, "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	latest := regexp.MustCompile(`(?m)^- \*\*(\d+\.\d+\.\d+)\*\*`).FindSubmatch(readme)
	if latest == nil {
		t.Fatal("the README's changelog names no release")
	}
	for _, img := range []string{c.Image, m.job.Spec.Template.Spec.Containers[0].Image} {
		if _, tag, _ := strings.Cut(img, ":"); tag != string(latest[1]) {
			t.Errorf("image %s, want the changelog's latest release %s", img, latest[1])
		}
	}
	if !slices.Equal(c.Args, []string{"serve"}) || !slices.Equal(m.job.Spec.Template.Spec.Containers[0].Args, []string{"migrate"}) {
		t.Errorf("args: deployment %q, job %q", c.Args, m.job.Spec.Template.Spec.Containers[0].Args)
	}

	// The configuration the ConfigMap gives is valid, and names only known variables.
	for k := range m.config.Data {
		if !knownSetting(k) {
			t.Errorf("ConfigMap sets %s, which cosellbot does not read", k)
		}
	}
	cfg, err := loadConfig(func(k string) string { return m.config.Data[k] })
	if err != nil {
		t.Fatalf("the ConfigMap's configuration: %v", err)
	}
	_, port, _ := net.SplitHostPort(cfg.Addr)
	var httpPort int32
	for _, p := range c.Ports {
		if p.Name == "http" {
			httpPort = p.ContainerPort
		}
	}
	if strconv.Itoa(int(httpPort)) != port {
		t.Errorf("containerPort http %d, but the server listens on %s", httpPort, cfg.Addr)
	}
	if d.Spec.Template.Annotations["prometheus.io/port"] != port {
		t.Errorf("the scrape annotation's port %q, want %s", d.Spec.Template.Annotations["prometheus.io/port"], port)
	}

	// Each probe asks a route the real router answers 200, on the http port.
	router := web.Router(web.NewDrain(pingOK{}), slog.New(slog.DiscardHandler))
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe: not an HTTP probe", name)
			continue
		}
		if p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe on port %s, want http", name, p.HTTPGet.Port.String())
		}
		w := httptest.NewRecorder()
		router.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p.HTTPGet.Path, nil))
		if w.Code != http.StatusOK {
			t.Errorf("%s probe %s: the server answers %d", name, p.HTTPGet.Path, w.Code)
		}
	}
	if c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("liveness %s, readiness %s; want /healthz (alive while draining) and /readyz", c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
	}
	if m.service.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service targetPort %s, want http", m.service.Spec.Ports[0].TargetPort.String())
	}

	grace := pod.TerminationGracePeriodSeconds
	need := cfg.Lifecycle.DrainDelay + cfg.Lifecycle.ShutdownTimeout
	if grace == nil || float64(*grace) <= need.Seconds() {
		t.Errorf("terminationGracePeriodSeconds %v, want more than drain + shutdown timeout (%s)", grace, need)
	}
	if rs := d.Spec.Strategy.RollingUpdate; rs == nil || rs.MaxUnavailable == nil || rs.MaxUnavailable.IntValue() != 0 {
		t.Errorf("rolling update %+v: want maxUnavailable 0", rs)
	}

	// Pods and the job run unprivileged, with their settings from the ConfigMap and the Secret.
	for name, spec := range map[string]corev1.PodSpec{"deployment": pod, "job": m.job.Spec.Template.Spec} {
		if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("%s: runAsNonRoot is not set", name)
		}
		for _, c := range spec.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s/%s: want readOnlyRootFilesystem and no privilege escalation", name, c.Name)
			}
			if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s/%s: want memory requests and limits", name, c.Name)
			}
			var refs []string
			for _, e := range c.EnvFrom {
				switch {
				case e.ConfigMapRef != nil:
					refs = append(refs, "configmap/"+e.ConfigMapRef.Name)
				case e.SecretRef != nil:
					refs = append(refs, "secret/"+e.SecretRef.Name)
				}
			}
			if !slices.Equal(refs, []string{"configmap/" + m.config.Name, "secret/cosellbot-secrets"}) {
				t.Errorf("%s/%s: envFrom %q", name, c.Name, refs)
			}
		}
	}

	// The Go heap's soft limit sits under the container's: a pod whose
	// first start trains the FAQ ranker must not be killed mid-training.
	var memLimit string
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			memLimit = e.Value
		}
	}
	if q, err := resource.ParseQuantity(strings.TrimSuffix(memLimit, "B")); memLimit == "" || err != nil {
		t.Errorf("deployment: GOMEMLIMIT %q, want a size such as 440MiB (%v)", memLimit, err)
	} else if lim := c.Resources.Limits.Memory(); q.Cmp(*lim) >= 0 {
		t.Errorf("deployment: GOMEMLIMIT %s is not under limits.memory %s", memLimit, lim)
	}

	sel := d.Spec.Selector.MatchLabels
	for what, labels := range map[string]map[string]string{"PodDisruptionBudget": m.pdb.Spec.Selector.MatchLabels, "Service": m.service.Spec.Selector} {
		for k, v := range labels {
			if sel[k] != v || d.Spec.Template.Labels[k] != v {
				t.Errorf("%s selects %s=%s, which the Deployment's pods do not carry", what, k, v)
			}
		}
	}
	if m.pdb.Spec.MinAvailable == nil || m.pdb.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("PodDisruptionBudget minAvailable %v, want 1", m.pdb.Spec.MinAvailable)
	}
}

type pingOK struct{}

func (pingOK) Ping(context.Context) error { return nil }

// A strict decoder catches a misplaced field (this is what the test above
// relies on).
// TestIngress: the example Ingress serves every route Slack, Discord and
// the webhooks call, over TLS for the same host, to the Service's port.
func TestIngress(t *testing.T) {
	t.Parallel()
	m := loadManifests(t)
	in := m.ingress
	if len(in.Spec.TLS) == 0 || in.Spec.TLS[0].SecretName == "" {
		t.Fatal("the Ingress has no TLS: Slack and Discord call HTTPS endpoints only")
	}
	var paths []networkingv1.HTTPIngressPath
	for _, rule := range in.Spec.Rules {
		if !slices.Contains(in.Spec.TLS[0].Hosts, rule.Host) {
			t.Errorf("host %s is not covered by the TLS certificate %v", rule.Host, in.Spec.TLS[0].Hosts)
		}
		for _, p := range rule.HTTP.Paths {
			b := p.Backend.Service
			if b == nil || b.Name != m.service.Name || b.Port.Name != m.service.Spec.Ports[0].Name {
				t.Errorf("path %s goes to %+v, want Service %s port %s", p.Path, b, m.service.Name, m.service.Spec.Ports[0].Name)
			}
			paths = append(paths, p)
		}
	}
	routed := func(route string) bool {
		return slices.ContainsFunc(paths, func(p networkingv1.HTTPIngressPath) bool { return ingressMatches(p, route) })
	}
	for _, route := range []string{"/slack/commands", "/slack/interactions", "/slack/events", "/discord/interactions", "/webhooks/generic", "/webhooks/partnercenter",
		// the pipeline page's routes (integrations/web/pipeline)
		"/", "/expiring", "/deals/12", "/deals.csv", "/claims", "/charts", "/signin", "/signout", "/static/style.css"} {
		if !routed(route) {
			t.Errorf("the Ingress does not route %s", route)
		}
	}
	// NGINX refuses larger bodies itself (413, not in the sender's form):
	// the annotation must let the largest delivery cosellbot takes through,
	// a Salesforce outbound message of 16 MiB.
	size := in.Annotations["nginx.ingress.kubernetes.io/proxy-body-size"]
	if mb, err := strconv.Atoi(strings.TrimSuffix(size, "m")); err != nil || !strings.HasSuffix(size, "m") || mb < 16 {
		t.Errorf("proxy-body-size %q: want at least 16m for Salesforce's 16 MiB messages", size)
	}
	for _, inside := range []string{"/metrics", "/healthz", "/readyz"} {
		if routed(inside) {
			t.Errorf("the Ingress exposes %s to the internet", inside)
		}
	}
}

// ingressMatches reports whether an Ingress path routes a request path, as
// Kubernetes defines pathType: Exact matches the path as written; Prefix
// matches it element by element ("/deals" routes "/deals/12", not
// "/deals.csv").
func ingressMatches(p networkingv1.HTTPIngressPath, route string) bool {
	if p.PathType != nil && *p.PathType == networkingv1.PathTypeExact {
		return route == p.Path
	}
	prefix := strings.TrimSuffix(p.Path, "/")
	return route == prefix || prefix == "" || strings.HasPrefix(route, prefix+"/")
}

func TestStrictDecodingCatchesTypos(t *testing.T) {
	t.Parallel()
	doc := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n")
	if err := sigsyaml.UnmarshalStrict(doc, &appsv1.Deployment{}); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Fatalf("a misspelt field decoded: %v", err)
	}
}

// The Dockerfile builds this package, statically, with the version stamped
// where main reads it, runs it unprivileged, probes it with its own probe
// command, and ships the CRM mappings where the configuration looks.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	build := regexp.MustCompile(`go build [^\n]*-o \S+ (\./\S+)`).FindStringSubmatch(df)
	if build == nil {
		t.Fatal("the Dockerfile runs no go build -o … ./package")
	}
	wd, _ := os.Getwd()
	if abs, _ := filepath.Abs(filepath.Join("../..", build[1])); abs != wd {
		t.Errorf("the Dockerfile builds %s, not this package (%s)", build[1], wd)
	}
	for _, want := range []string{"FROM golang:1.26 AS build", "CGO_ENABLED=0", "-trimpath", `-X main.version=${VERSION}`,
		"FROM gcr.io/distroless/static", "USER 65532:65532", "COPY deploy/crm /app/deploy/crm", "COSELLBOT_CRM_MAPPING=/app/deploy/crm",
		`CMD ["/usr/local/bin/cosellbot", "probe"]`, "EXPOSE 8080"} {
		if !strings.Contains(df, want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
	if version == "" {
		t.Error("main.version, which -X sets, is gone")
	}
	envs := regexp.MustCompile(`(?m)^(?:ENV\s+|\s+)([A-Z][A-Z_]+)=`).FindAllStringSubmatch(df, -1)
	if len(envs) < 4 {
		t.Errorf("found %d ENV settings in the Dockerfile, want 4", len(envs))
	}
	for _, m := range envs {
		if !knownSetting(m[1]) {
			t.Errorf("the Dockerfile sets %s, which cosellbot does not read", m[1])
		}
	}
	if _, err := os.Stat(filepath.Join(deployDir, "crm", "hubspot.yaml")); err != nil {
		t.Errorf("the mappings the image copies: %v", err)
	}
}

// compose.yaml sets only variables cosellbot reads, health-checks both
// services, and lets the bot start only after the migration.
func TestCompose(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(deployDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Build *struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
			ReadOnly bool     `yaml:"read_only"`
			Tmpfs    []string `yaml:"tmpfs"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(false)
	if err := dec.Decode(&compose); err != nil {
		t.Fatal(err)
	}
	db, bot, migrate := compose.Services["db"], compose.Services["bot"], compose.Services["migrate"]
	if !strings.HasPrefix(db.Image, "postgres:16") || db.Healthcheck == nil || len(compose.Volumes) == 0 {
		t.Errorf("db: image %q, healthcheck %v, volumes %v", db.Image, db.Healthcheck, compose.Volumes)
	}
	if bot.Healthcheck == nil || !slices.Contains(bot.Healthcheck.Test, "probe") {
		t.Errorf("bot healthcheck %+v: want the probe command", bot.Healthcheck)
	}
	// A read-only container writes its FAQ cache nowhere unless the
	// folder is a tmpfs: every start trained the ranker again.
	cacheDir := strings.TrimSuffix(strings.TrimPrefix(bot.Environment["COSELLBOT_CACHE_DIR"], "${COSELLBOT_CACHE_DIR:-"), "}")
	if bot.ReadOnly && !slices.ContainsFunc(bot.Tmpfs, func(m string) bool {
		return cacheDir == m || strings.HasPrefix(cacheDir, strings.TrimSuffix(m, "/")+"/")
	}) {
		t.Errorf("the bot is read-only and its cache %s is on no tmpfs (%v)", cacheDir, bot.Tmpfs)
	}
	if bot.DependsOn["migrate"].Condition != "service_completed_successfully" || migrate.DependsOn["db"].Condition != "service_healthy" {
		t.Errorf("start order: bot after %+v, migrate after %+v", bot.DependsOn, migrate.DependsOn)
	}
	if migrate.Build == nil || filepath.Join(deployDir, migrate.Build.Context, migrate.Build.Dockerfile) != filepath.Join(deployDir, "Dockerfile") {
		t.Errorf("migrate builds %+v, want deploy/Dockerfile from the repository root", migrate.Build)
	}
	for _, name := range []string{"bot", "migrate"} {
		s := compose.Services[name]
		if s.Image != bot.Image {
			t.Errorf("%s runs %s, the bot %s", name, s.Image, bot.Image)
		}
		for k, v := range s.Environment {
			if !knownSetting(k) {
				t.Errorf("compose %s sets %s, which cosellbot does not read", name, k)
			}
			if k == "DATABASE_URL" && !strings.HasPrefix(v, "postgres://") {
				t.Errorf("compose %s DATABASE_URL %s, want PostgreSQL", name, v)
			}
		}
	}
	// Every variable cosellbot reads reaches the bot: one left out is a
	// setting in .env that is silently ignored.
	for _, s := range settings() {
		if _, ok := bot.Environment[s.Name]; !ok {
			t.Errorf("compose bot does not pass %s: add %s: ${%s:-}", s.Name, s.Name, s.Name)
		}
	}
	// A variable the image sets (Dockerfile ENV) must not be blanked by
	// the pass-through when the shell leaves it unset: "${X:-}" would
	// replace the image's value with nothing (the FAQ cache went to a
	// folder the image's user cannot write).
	df, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^(?:ENV\s+|\s+)([A-Z][A-Z_]+)=(\S+?)\s*\\?$`).FindAllStringSubmatch(string(df), -1) {
		name, image := m[1], m[2]
		if v, ok := bot.Environment[name]; ok && strings.HasSuffix(v, ":-}") {
			t.Errorf("compose bot sets %s to %q: unset in the shell, it blanks the image's %s; write ${%s:-%s}", name, v, image, name, image)
		}
	}
	if !slices.Equal(bot.Command, []string{"serve"}) || !slices.Equal(migrate.Command, []string{"migrate"}) {
		t.Errorf("commands: bot %q, migrate %q", bot.Command, migrate.Command)
	}
}

// TestImageBinary builds cosellbot exactly as the Dockerfile does (static,
// CGO off, version stamped) and runs it with the image's settings: the
// pure-Go SQLite must work in a static binary, serve must come up on the
// image's data path, and the image's health check (probe) must pass.
func TestImageBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "cosellbot")
	if out, err := staticBuild(bin, "-s -w -X main.version=v9.9.9-test").CombinedOutput(); err != nil {
		t.Fatalf("static build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.Contains(string(out), "v9.9.9-test") {
		t.Fatalf("version of the static binary: %q, %v", out, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	mappings, _ := filepath.Abs(filepath.Join(deployDir, "crm"))
	env := append(os.Environ(), "COSELLBOT_ADDR="+addr, "COSELLBOT_LOG_FORMAT=json",
		"COSELLBOT_CRM_MAPPING="+mappings, "DATABASE_URL=sqlite:"+filepath.Join(dir, "data", "cosellbot.db"))
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	serve := exec.Command(bin, "serve")
	serve.Env = env
	var logs strings.Builder
	serve.Stderr = &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Process.Kill(); _ = serve.Wait() })
	healthy := eventually(func() bool {
		probe := exec.Command(bin, "probe")
		probe.Env = env
		return probe.Run() == nil
	})
	if !healthy {
		// The server writes its log until it has exited.
		_ = serve.Process.Kill()
		_ = serve.Wait()
		t.Fatalf("the image's health check never passed; server log:\n%s", logs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "cosellbot.db")); err != nil {
		t.Fatalf("no SQLite file on the image's data path: %v", err)
	}
}

// knownSetting tells whether name is a variable cosellbot reads (deploy
// tests check compose and Kubernetes files with it).
func knownSetting(name string) bool {
	return name == configEnv || slices.ContainsFunc(settings(), func(s setting) bool { return s.Name == name })
}
