package match

import (
	"fmt"
	"strings"
	"testing"

	"tripline"
)

// manyWords returns a name of n distinct seven-letter words.
func manyWords(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Na%c%c%cme ", 'a'+i/676%26, 'a'+i/26%26, 'a'+i%26)
	}
	return strings.TrimSpace(b.String())
}

// maxQueryKeys bounds the keys of one query: per token its spelling,
// spelling variant, class, skeleton, phonetic form and original (6), its
// typo keys (17), three birth years; the pairs of maxTokens tokens; the
// whole name, the full birth date and a document.
const maxQueryKeys = maxTokens*(6+17+3) + maxTokens*(maxTokens-1)/2 + 1 + 1 + 2

// Key building was quadratic in a name's words: a 54 KB name took 22 s and
// 1.4 GB. A query's keys are now bounded, whatever the name's length, even
// for a caller that skips validation.
func TestQueryKeysBounded(t *testing.T) {
	for _, name := range []string{manyWords(3000), strings.Repeat("ab ", 8<<20/3), strings.Repeat("Muhammad ", 100)} {
		tr := &tripline.Traveller{Name: name, DOB: date(1961, 3, 14), Document: &tripline.Document{Type: "P", Number: "OA454044"}}
		q := newQuery(tr)
		if len(q.toks) > maxTokens {
			t.Errorf("%d-byte name: %d tokens, want at most %d", len(name), len(q.toks), maxTokens)
		}
		if n := len(queryKeys(q)); n > maxQueryKeys {
			t.Errorf("%d-byte name: %d query keys, want at most %d", len(name), n, maxQueryKeys)
		}
		q.release()
	}
}

// A listing's keys are bounded the same way: its names, their words and
// its birth years.
func TestListingKeysBounded(t *testing.T) {
	l := listed()
	l.Names = nil
	for i := 0; i < tripline.MaxNames+50; i++ {
		l.Names = append(l.Names, tripline.Name{Full: manyWords(200) + " X" + fmt.Sprint(i), Kind: tripline.NameAlias})
	}
	for y := 1900; y < 2000; y++ {
		l.BirthDates = append(l.BirthDates, tripline.PartialDate{Year: y})
	}
	p := Prepare(l)
	if len(p.p.names) > tripline.MaxNames {
		t.Errorf("%d names prepared, want at most %d", len(p.p.names), tripline.MaxNames)
	}
	perName := maxTokens*(6+17+maxKeyYears) + maxTokens*(maxTokens-1)/2 + 1
	if want := tripline.MaxNames*perName + 2*len(l.Documents) + maxKeyYears; len(p.keys) > want {
		t.Errorf("%d listing keys, want at most %d", len(p.keys), want)
	}
}

// Words past maxTokens were never scored; dropping them from the keys
// leaves a long listed name found by its first words.
func TestLongNameStillMatches(t *testing.T) {
	ix := NewIndex(Options{})
	l := listed()
	long := "Muhammad Taher ANWARI " + manyWords(tripline.MaxNameWords-3)
	l.Names = []tripline.Name{{Full: long, Kind: tripline.NamePrimary}}
	ix.Upsert(l)
	if got := decisions(ix, traveller(long)); got["test:1"] != tripline.DecisionHit {
		t.Errorf("the same long name: %v, want a hit on test:1", got)
	}
	if got := decisions(ix, traveller("Muhammad Taher ANWARI")); got["test:1"] == "" {
		t.Errorf("the first words of a long listed name: %v, want test:1", got)
	}
}

// BenchmarkKeysMaxName builds the keys of a traveller and of a listing
// whose name is at the largest size validation accepts
// (tripline.MaxNameBytes, tripline.MaxNameWords).
func BenchmarkKeysMaxName(b *testing.B) {
	name := maxSizeName()
	if err := tripline.ValidateName("name", name); err != nil {
		b.Fatal(err)
	}
	tr := &tripline.Traveller{Name: name, DOB: date(1961, 3, 14)}
	b.Run("query", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q := newQuery(tr)
			queryKeys(q)
			q.release()
		}
	})
	l := listed()
	l.Names = []tripline.Name{{Full: name, Kind: tripline.NamePrimary}}
	b.Run("listing", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Prepare(l)
		}
	})
	ix := unIndex(b)
	b.Run("screen-un", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.Screen(tr, now, nil)
		}
	})
}

// maxSizeName is a name of tripline.MaxNameWords words, padded to
// tripline.MaxNameBytes.
func maxSizeName() string {
	ws := strings.Fields(manyWords(tripline.MaxNameWords))
	name := strings.Join(ws, " ")
	for i := 0; len(name) < tripline.MaxNameBytes; i = (i + 1) % len(ws) {
		ws[i] += "x"
		name = strings.Join(ws, " ")
	}
	return name[:tripline.MaxNameBytes]
}

func TestMaxSizeNameIsValid(t *testing.T) {
	name := maxSizeName()
	if len(name) != tripline.MaxNameBytes || len(strings.Fields(name)) != tripline.MaxNameWords {
		t.Fatalf("maxSizeName: %d bytes, %d words", len(name), len(strings.Fields(name)))
	}
	if err := tripline.ValidateName("name", name); err != nil {
		t.Fatal(err)
	}
}
