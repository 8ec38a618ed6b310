package partnercenter

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Signature headers of a Partner Center notification.
const (
	HeaderCertURL   = "X-MS-Certificate-Url"
	HeaderAlgorithm = "X-MS-Signature-Algorithm"
	HeaderSignature = "X-MS-Signature" // when the registration moved it out of Authorization
)

// Organization is what the signing certificate's subject must name.
const Organization = "Microsoft Corporation"

// certTTL is how long a fetched certificate is trusted before it is fetched
// and checked again.
const certTTL = 12 * time.Hour

// Certs fetches, checks and caches the certificates notifications are
// signed with: only from allowed hosts, over HTTPS, chaining to the
// configured roots and issued to Microsoft.
type Certs struct {
	hosts []string
	roots *x509.CertPool
	http  *http.Client
	mu    sync.Mutex
	cache map[string]cachedCert
}

type cachedCert struct {
	cert    *x509.Certificate
	fetched time.Time
}

// NewCerts builds a certificate fetcher. hosts is the allow-list of
// certificate hosts; roots nil means the system pool; hc nil a client with a
// 10-second timeout.
func NewCerts(hosts []string, roots *x509.CertPool, hc *http.Client) *Certs {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Certs{hosts: hosts, roots: roots, http: hc, cache: map[string]cachedCert{}}
}

// Cert returns the checked certificate at rawURL.
func (c *Certs) Cert(ctx context.Context, rawURL string, now time.Time) (*x509.Certificate, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" {
		return nil, fmt.Errorf("%s %q is not an https URL", HeaderCertURL, rawURL)
	}
	if !slices.Contains(c.hosts, strings.ToLower(u.Hostname())) {
		return nil, fmt.Errorf("%s host %q is not in PARTNERCENTER_CERT_HOSTS", HeaderCertURL, u.Hostname())
	}
	c.mu.Lock()
	hit, ok := c.cache[rawURL]
	c.mu.Unlock()
	if ok && now.Sub(hit.fetched) < certTTL && now.Before(hit.cert.NotAfter) {
		return hit.cert, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch the signing certificate: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch the signing certificate: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch the signing certificate: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	if err != nil {
		return nil, fmt.Errorf("fetch the signing certificate: %w", err)
	}
	certs, err := parseCerts(data)
	if err != nil {
		return nil, err
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, ic := range certs[1:] {
		inter.AddCert(ic)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: c.roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, fmt.Errorf("the signing certificate does not chain to a trusted root: %w", err)
	}
	if !slices.Contains(leaf.Subject.Organization, Organization) {
		return nil, fmt.Errorf("the signing certificate is issued to %v, not %s", leaf.Subject.Organization, Organization)
	}
	if _, ok := leaf.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("the signing certificate's key is not RSA")
	}
	c.mu.Lock()
	c.cache[rawURL] = cachedCert{leaf, now}
	c.mu.Unlock()
	return leaf, nil
}

// parseCerts reads DER (a .cer file) or PEM, leaf first.
func parseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the signing certificate: %w", err)
			}
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("the signing certificate is neither DER nor PEM: %v", err)
	}
	return certs, nil
}

// signature reads "Signature <base64>" from X-MS-Signature or Authorization.
func signature(r *http.Request) ([]byte, error) {
	v := r.Header.Get(HeaderSignature)
	if v == "" {
		v = r.Header.Get("Authorization")
	}
	scheme, b64, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Signature") {
		return nil, fmt.Errorf("the Authorization (or %s) header must be \"Signature <base64>\"", HeaderSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("the signature is not base64: %w", err)
	}
	return sig, nil
}

// Verify checks the URL's shared secret, then the notification's RSA-SHA256
// signature over the raw body with the certificate named by
// X-MS-Certificate-Url.
func (s *Source) Verify(r *http.Request, body []byte, now time.Time) error {
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("secret")), s.secret) != 1 {
		return crm.Unverified("the ?secret= of the registered URL is missing or does not match WEBHOOK_SECRET_PARTNERCENTER")
	}
	if alg := r.Header.Get(HeaderAlgorithm); !strings.EqualFold(alg, "rsa-sha256") {
		return crm.Unverified("%s must be rsa-sha256, got %q", HeaderAlgorithm, alg)
	}
	certURL := r.Header.Get(HeaderCertURL)
	if certURL == "" {
		return crm.Unverified("%s is required", HeaderCertURL)
	}
	sig, err := signature(r)
	if err != nil {
		return crm.Unverified("%v", err)
	}
	cert, err := s.certs.Cert(r.Context(), certURL, now)
	if err != nil {
		return crm.Unverified("%v", err)
	}
	sum := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		return crm.Unverified("the RSA-SHA256 signature does not match the body")
	}
	return nil
}
