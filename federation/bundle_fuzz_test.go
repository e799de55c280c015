package federation_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// FuzzReadBundle: a bundle file is hostile input (it comes by hand from
// an air-gapped partner). Whatever its bytes, reading it never panics,
// and one that does not verify is refused with a coded error and applies
// nothing. The seeds are a real bundle from partner A and its damaged
// forms.
func FuzzReadBundle(f *testing.F) {
	ctx := context.Background()
	pubA, privA, _ := ed25519.GenerateKey(nil)
	aStore := sqlstore.NewFederationStore(mustDB(f, "A"))
	a := federation.NewPeer("A", privA, aStore, quiet())
	_, privB, _ := ed25519.GenerateKey(nil)
	bStore := sqlstore.NewFederationStore(mustDB(f, "B"))
	if err := bStore.PutPartner(ctx, &tripline.Partner{ID: "A", Agency: "agency-a", PublicKey: federation.PublicKeyString(pubA)}); err != nil {
		f.Fatal(err)
	}
	b := federation.NewPeer("B", privB, bStore, quiet())
	if _, err := b.Reload(ctx); err != nil {
		f.Fatal(err)
	}
	if err := aStore.PutPartner(ctx, &tripline.Partner{ID: "B", Agency: "agency-b", PublicKey: federation.PublicKeyString(privB.Public().(ed25519.PublicKey))}); err != nil {
		f.Fatal(err)
	}
	if _, err := a.Reload(ctx); err != nil {
		f.Fatal(err)
	}
	bundle, err := a.PrepareBundle(ctx, "B", signedEvents(f, "A", privA, 1, 3))
	if err != nil {
		f.Fatal(err)
	}
	var buf strings.Builder
	if err := a.WriteBundle(&buf, bundle); err != nil {
		f.Fatal(err)
	}
	good := buf.String()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(strings.Replace(good, "Person 2", "Person 9", 1))
	f.Add(strings.Replace(good, `"to":"B"`, `"to":"C"`, 1))
	f.Add("{\"tripline_bundle\":2,\"from\":\"A\",\"to\":\"B\",\"seq\":1}\n{\"report\":{}}\n")
	f.Add("")
	recv := func(context.Context, string, *federation.SignedReport) (string, error) {
		return "", tripline.Errorf(tripline.EFORBIDDEN, "no report may apply from a fuzzed bundle")
	}
	f.Fuzz(func(t *testing.T, data string) {
		res, err := b.ReadBundle(ctx, strings.NewReader(data), "f.tlb", recv)
		if err == nil {
			// Only A's bundle verifies, and only once (its number).
			if data != good || res.From != "A" {
				t.Fatalf("accepted %q: %+v", data, res)
			}
			return
		}
		if tripline.ErrorCode(err) == tripline.EINTERNAL {
			t.Fatalf("uncoded error: %v", err)
		}
	})
}
