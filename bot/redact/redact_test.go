package redact_test

import (
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/redact"
)

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://crm.example.com/hooks/cosell", "https://crm.example.com/hooks/cosell"},
		{"https://fn.azurewebsites.net/api/hook?code=abcDEF123==", "https://fn.azurewebsites.net/api/hook?code=REDACTED"},
		{"https://x.blob.core.windows.net/c?sv=2022-11-02&sig=Zm9v%2Bbar&se=2027", "https://x.blob.core.windows.net/c?se=2027&sig=REDACTED&sv=2022-11-02"},
		{"https://h/p?key=k1&page=2", "https://h/p?key=REDACTED&page=2"},
		{"https://h/p?access_token=t&x_api_key=k&client-secret=s", "https://h/p?access_token=REDACTED&client-secret=REDACTED&x_api_key=REDACTED"},
		{"postgres://cosell:s3cret@db:5432/cosell?sslmode=require", "postgres://cosell:REDACTED@db:5432/cosell?sslmode=require"},
		{"https://ghp_tokentoken@github.com/x", "https://REDACTED@github.com/x"},
		{"https://h/p?monkey=banana", "https://h/p?monkey=banana"},
		{"not a url", "not a url"},
		{"https://h/p?code=abc%zz", "https://h/p?code=REDACTED"},
		{"https://us:pa ss@h/p", "https://REDACTED@h/p"},
	}
	for _, tt := range tests {
		if got := redact.URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	in := `send to crm: Post "https://fn.azurewebsites.net/api/hook?code=abc123": dial tcp 10.0.0.1:443: connection refused; also https://u:pw@h/x.`
	got := redact.Text(in)
	for _, secret := range []string{"abc123", "pw@"} {
		if strings.Contains(got, secret) {
			t.Errorf("Text kept %q: %s", secret, got)
		}
	}
	for _, kept := range []string{"dial tcp 10.0.0.1:443: connection refused", "code=REDACTED", "https://u:REDACTED@h/x."} {
		if !strings.Contains(got, kept) {
			t.Errorf("Text lost %q: %s", kept, got)
		}
	}
	if plain := "deal 4 is won"; redact.Text(plain) != plain {
		t.Errorf("Text changed %q", plain)
	}
}

// FuzzText: whatever text surrounds a URL with a key, the key does not
// come out.
func FuzzText(f *testing.F) {
	f.Add("send failed: Post \"", "fn.example.net/api/hook", "\": EOF")
	f.Add("", "h", "")
	f.Add("a://b@c ", "x/y?z=1&", " tail")
	f.Fuzz(func(t *testing.T, before, hostPath, after string) {
		const secret = "Zk3yS3cr3tV4lu3"
		if strings.Contains(before+hostPath+after, secret) || strings.ContainsAny(hostPath, " \t\n\"'<>`#?&;%") {
			return
		}
		in := before + " https://" + hostPath + "?code=" + secret + " " + after
		if out := redact.Text(in); strings.Contains(out, secret) {
			t.Fatalf("Text(%q) = %q kept the key", in, out)
		}
	})
}
