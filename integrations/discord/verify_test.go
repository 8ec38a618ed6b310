package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
)

// testKey is a fixed Ed25519 key for the signature tests.
func testKey(t testing.TB) (ed25519.PrivateKey, signatureKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	k, err := newSignatureKey(priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return priv, k
}

// groupOrder is ℓ, the order of Ed25519's base point.
var groupOrder, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// withNonCanonicalS is sig with S replaced by S + ℓ (still 32 bytes): the
// same point equation, a malleated signature crypto/ed25519 refuses.
func withNonCanonicalS(sig []byte) []byte {
	le := func(b []byte) []byte {
		r := bytes.Clone(b)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return r
	}
	s := new(big.Int).SetBytes(le(sig[32:]))
	s.Add(s, groupOrder)
	out := make([]byte, 32)
	s.FillBytes(out)
	return append(bytes.Clone(sig[:32]), le(out)...)
}

func TestSignatureKey(t *testing.T) {
	priv, k := testKey(t)
	ts, body := "1764345600", []byte(`{"type":2,"data":{"name":"cosell"}}`)
	good := ed25519.Sign(priv, append([]byte(ts), body...))
	flipped := bytes.Clone(good)
	flipped[10] ^= 1
	otherPriv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	for _, tc := range []struct {
		name   string
		ts     string
		body   []byte
		sigHex string
		want   bool
	}{
		{"signed by the application", ts, body, hex.EncodeToString(good), true},
		{"upper-case hex", ts, body, strings.ToUpper(hex.EncodeToString(good)), true},
		{"another body", ts, []byte(`{"type":2}`), hex.EncodeToString(good), false},
		{"another timestamp", "1764345601", body, hex.EncodeToString(good), false},
		{"timestamp moved into the body", "", append([]byte(ts), body...), hex.EncodeToString(good), false},
		{"a flipped bit", ts, body, hex.EncodeToString(flipped), false},
		{"another key", ts, body, hex.EncodeToString(ed25519.Sign(otherPriv, append([]byte(ts), body...))), false},
		{"S not reduced (malleated)", ts, body, hex.EncodeToString(withNonCanonicalS(good)), false},
		{"no signature", ts, body, "", false},
		{"not hex", ts, body, "zz" + hex.EncodeToString(good)[2:], false},
		{"too short", ts, body, hex.EncodeToString(good[:63]), false},
		{"too long", ts, body, hex.EncodeToString(append(bytes.Clone(good), 0)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := k.verify(tc.ts, tc.body, tc.sigHex); got != tc.want {
				t.Errorf("verify = %v, want %v", got, tc.want)
			}
		})
	}
	if ed25519.Verify(priv.Public().(ed25519.PublicKey), append([]byte(ts), body...), withNonCanonicalS(good)) {
		t.Error("crypto/ed25519 accepts the malleated signature: the case above no longer tests what it says")
	}
}

// The expanded key passes exactly the signatures crypto/ed25519 passes.
func FuzzSignatureKeyMatchesStdlib(f *testing.F) {
	priv, k := testKey(f)
	pub := priv.Public().(ed25519.PublicKey)
	ts, body := "1764345600", []byte(`{"type":1}`)
	good := ed25519.Sign(priv, append([]byte(ts), body...))
	f.Add(ts, body, good, 0, byte(0))
	f.Add(ts, body, good, 5, byte(1))
	f.Add(ts, body, good, 63, byte(0x80))
	f.Add(ts, body, withNonCanonicalS(good), 0, byte(0))
	f.Add("", body, good, 0, byte(0))
	f.Add(ts, []byte{}, make([]byte, 64), 0, byte(0))
	f.Fuzz(func(t *testing.T, ts string, body, sig []byte, at int, xor byte) {
		sig = bytes.Clone(sig)
		if len(sig) > 0 {
			sig[(at%len(sig)+len(sig))%len(sig)] ^= xor
		}
		want := ts != "" && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, append([]byte(ts), body...), sig)
		if got := k.verify(ts, body, hex.EncodeToString(sig)); got != want {
			t.Fatalf("verify(%q, %q, %x) = %v, crypto/ed25519 says %v", ts, body, sig, got, want)
		}
	})
}
