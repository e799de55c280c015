package blind_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/cloudflare/circl/oprf"

	"tripline"
	"tripline/blind"
	"tripline/match"
)

// benchPair is an originator of n generated blind listings and a client
// screening against it in-process (no quota: the benchmark is the work).
func benchPair(b *testing.B, n int) (*blind.Originator, *blind.Client) {
	b.Helper()
	ls := match.GenerateListings(n, 1)
	for _, l := range ls {
		l.Handling, l.Provenance.Originator = tripline.Handling{Blind: []string{"agency-b"}}, "agency-a"
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	sec, _ := blind.NewSecrets(priv.Seed())
	o := &blind.Originator{Node: "A", Agency: "agency-a", Priv: priv, Secret: sec, Listings: func() []*tripline.Listing { return ls }}
	c := &blind.Client{}
	c.SetRemotes([]*blind.Remote{{Origin: "A", Agency: "agency-a", Key: priv.Public().(ed25519.PublicKey), T: &blind.Local{Origin: o, Node: "B", Agency: "agency-b"}}})
	if _, err := o.Table(context.Background(), "B", "agency-b"); err != nil {
		b.Fatal(err)
	}
	return o, c
}

// BenchmarkEvaluate is the originator's side of a 400-passenger manifest:
// one batch of 3,600 blinded keys evaluated with its proof.
func BenchmarkEvaluate(b *testing.B) {
	o, _ := benchPair(b, 10)
	inputs := make([][]byte, 3600)
	for i := range inputs {
		inputs[i] = []byte{byte(i), byte(i >> 8), 'k'}
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	sec, _ := blind.NewSecrets(priv.Seed())
	k, _ := sec.EpochKey("x", 1)
	_, req, err := oprf.NewVerifiableClient(blind.Suite, k.Public()).Blind(inputs)
	if err != nil {
		b.Fatal(err)
	}
	body := &blind.EvaluateRequest{}
	for _, e := range req.Elements {
		m, _ := e.MarshalBinaryCompress()
		body.Elements = append(body.Elements, m)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := o.Evaluate(context.Background(), "B", body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(inputs)*b.N)/b.Elapsed().Seconds(), "evaluations/s")
}

// BenchmarkManifest400 is the blind screening of a 400-passenger manifest
// end to end, in-process: keys, blinding, the originator's evaluation and
// proof, verification, finalising and look-ups (no outputs cached).
func BenchmarkManifest400(b *testing.B) {
	_, c := benchPair(b, 1000)
	ts := match.GenerateTravellers(400, 2)
	c.Screen(context.Background(), ts[:1]) // the table is fetched once, not per manifest
	b.ResetTimer()
	for b.Loop() {
		blind.ForgetOutputs(c.Remotes()[0])
		for _, f := range c.Screen(context.Background(), ts) {
			if len(f.Notes) > 0 {
				b.Fatal(f.Notes)
			}
		}
	}
}

// BenchmarkListingEntries is the table build's unit: the keys of one
// generated listing evaluated and sealed.
func BenchmarkListingEntries(b *testing.B) {
	ls := match.GenerateListings(1000, 3)
	_, priv, _ := ed25519.GenerateKey(nil)
	sec, _ := blind.NewSecrets(priv.Seed())
	k, _ := sec.EpochKey("A", 1)
	srv := oprf.NewVerifiableServer(blind.Suite, k)
	p := &tripline.BlindPayload{Ref: "BLREF", Action: tripline.ActionDetain, Contact: "desk"}
	keys := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		es, err := blind.ListingEntries(srv, "A", 1, ls[i%len(ls)], p, nil)
		if err != nil {
			b.Fatal(err)
		}
		keys += len(es)
	}
	b.ReportMetric(float64(keys)/float64(b.N), "keys/listing")
	b.ReportMetric(float64(keys)/b.Elapsed().Seconds(), "keys/s")
}
