package match

import (
	"strings"
	"testing"

	"tripline"
)

// TestPartialNames: a name that matches only some words of a listed name
// decides only with a birth date that agrees; a name cut to its first
// words, in order, with the birth year and nationality agreeing reaches
// review; the same words in another shape, or against a listing with no
// birth date, do not.
func TestPartialNames(t *testing.T) {
	year := func(y int) []tripline.PartialDate { return []tripline.PartialDate{{Year: y}} }
	full := tripline.PartialDate{Year: 1963, Month: 11, Day: 11}
	for _, c := range []struct {
		name, listed string
		dobs         []tripline.PartialDate
		trav         string
		dob          tripline.PartialDate
		nat          string
		review       bool
	}{
		{"cut to two words, year and nationality agree", "SALEM NOR ELDIN AMOHAMED AL-DABSKI", year(1963), "SALEM NOR", full, "LBY", true},
		{"cut after a particle, full date agrees", "MOHAMED BEN BELGACEM BEN ABDALLAH AL-AOUADI", []tripline.PartialDate{full}, "MOHAMED BEN", full, "LBY", true},
		// Up to a review, a cut name's year counts as a full date.
		{"cut after a particle, year and nationality agree", "MOHAMED BEN BELKACEM AOUADI", year(1963), "MOHAMED BEN", full, "LBY", true},
		{"cut, year contradicts", "SALEM NOR ELDIN AMOHAMED AL-DABSKI", year(1963), "SALEM NOR", tripline.PartialDate{Year: 1988, Month: 2, Day: 3}, "LBY", false},
		{"two of three short words, listing without a birth date", "PAK IL KYU", nil, "PAK KYU", full, "LBY", false},
		{"one word of four, year agrees only as a year", "QUSAY SADDAM HUSSEIN AL-TIKRITI", year(1963), "MULLAH AL-TIKRITI", tripline.PartialDate{Year: 1962, Month: 5, Day: 1}, "LBY", false},
		{"one-word alias, full date agrees", "YAHYA", []tripline.PartialDate{full}, "YAHIA", full, "LBY", true},
		{"the whole name, no birth date listed", "FRANK KAKOLELE BWAMBALE", nil, "FRANK KAKOLELE BWAMBALE", full, "LBY", true},
		{"the listed given name missing, full date agrees", "RANA SADDAM HUSSEIN AL-TIKRITI", []tripline.PartialDate{full}, "HUSSEIN AL-TIKRITI", full, "LBY", true},
		{"a kunya kept, its name dropped, year agrees", "ABU MOHAMMED AL-JAWLANI", year(1963), "ABU AL-JAWLANI", full, "LBY", true},
		{"two of three syllables, cut, no birth date listed", "CHOE CHUN YONG", nil, "CHOE CHUN", full, "LBY", false},
		// A year agreeing does not make up for another nationality.
		{"part of the name, year agrees", "MOHAMMAD HASSAN AKHUND", year(1949), "HAJI MOHAMMED AKHUND", tripline.PartialDate{Year: 1949, Month: 8, Day: 5}, "LBY", true},
		{"part of the name, year agrees, another nationality", "MOHAMMAD HASSAN AKHUND", year(1949), "HAJI MOHAMMED AKHUND", tripline.PartialDate{Year: 1949, Month: 8, Day: 5}, "HTI", false},
		{"part of the name, full date agrees, another nationality", "MOHAMMAD HASSAN AKHUND", []tripline.PartialDate{{Year: 1949, Month: 8, Day: 5}}, "HAJI MOHAMMED AKHUND", tripline.PartialDate{Year: 1949, Month: 8, Day: 5}, "HTI", true},
	} {
		l := &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: c.listed, Kind: tripline.NamePrimary}}, BirthDates: c.dobs, Nationalities: []string{"LBY"}}
		tr := &tripline.Traveller{Name: c.trav, DOB: c.dob, Nationality: c.nat}
		s, feats := Score(tr, l)
		if got := s >= DefaultThresholds.Review; got != c.review {
			t.Errorf("%s: %q against %q scores %.3f, review %v, want %v (%v)", c.name, c.trav, c.listed, s, got, c.review, feats)
		}
	}
}

// TestCutNameAgainstItsListedName: a name cut to its first words is judged
// against the listed name it starts, not against an alias whose words
// agree as well but where it is a kunya with the given name missing.
func TestCutNameAgainstItsListedName(t *testing.T) {
	l := &tripline.Listing{ID: "x", Names: []tripline.Name{
		{Full: "ABU UBAYDAH YUSUF AL-ANABI", Kind: tripline.NamePrimary},
		{Full: "Yusuf Abu Ubaydah", Kind: tripline.NameAlias},
	}, BirthDates: []tripline.PartialDate{{Year: 1969}}, Nationalities: []string{"DZA"}}
	tr := &tripline.Traveller{Name: "ABU UBAYDAH", DOB: tripline.PartialDate{Year: 1969, Month: 10, Day: 17}, Nationality: "DZA"}
	s, feats := Score(tr, l)
	if s < DefaultThresholds.Review || s >= DefaultThresholds.Hit {
		t.Errorf("%q scores %.3f, want a review (%v)", tr.Name, s, feats)
	}
	if len(feats) == 0 || !strings.Contains(feats[0].Detail, `listed "ABU UBAYDAH YUSUF AL-ANABI"`) {
		t.Errorf("explained against another name: %v", feats)
	}
	// Another year: the alias's reading stands, and no review.
	tr.DOB.Year = 1975
	if s, feats := Score(tr, l); s >= DefaultThresholds.Review {
		t.Errorf("born 1975: %q scores %.3f, want below review (%v)", tr.Name, s, feats)
	}
}

// TestPartialNameDateOff: a birth date that disagrees counts against a
// partial name, more than no date listed at all, even a year one off an
// approximate listed year (which a whole name takes as near).
func TestPartialNameDateOff(t *testing.T) {
	listing := func(dobs ...tripline.PartialDate) *tripline.Listing {
		return &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: "SAB'AWI IBRAHIM HASSAN AL-TIKRITI", Kind: tripline.NamePrimary}}, BirthDates: dobs, Nationalities: []string{"IRQ"}}
	}
	tr := &tripline.Traveller{Name: "SABAWI AL-TIKRITI", DOB: tripline.PartialDate{Year: 1948, Month: 9, Day: 27}, Nationality: "IRQ"}
	none, _ := Score(tr, listing())
	for _, d := range []tripline.PartialDate{{Year: 1947}, {Year: 1947, Month: 3, Day: 1}, {Year: 1970}} {
		if s, feats := Score(tr, listing(d)); s >= none {
			t.Errorf("listed born %v: %.3f, want below %.3f (no date listed) (%v)", d, s, none, feats)
		}
	}
	// Nor does it lift a name weakened for its shape: short syllables,
	// one changed.
	kim := &tripline.Traveller{Name: "KIM JANG SIK", DOB: tripline.PartialDate{Year: 1970, Month: 9, Day: 6}, Nationality: "PRK"}
	sk := func(dobs ...tripline.PartialDate) float64 {
		s, _ := Score(kim, &tripline.Listing{ID: "k", Names: []tripline.Name{{Full: "KIM JONG SIK", Kind: tripline.NamePrimary}}, BirthDates: dobs, Nationalities: []string{"PRK"}})
		return s
	}
	if off, none := sk(tripline.PartialDate{Year: 1969}), sk(); off > none {
		t.Errorf("%q, listed born 1969: %.3f, want at most %.3f (no date listed)", kim.Name, off, none)
	}
	// A whole name keeps a year one off as near.
	tr.Name = "SAB'AWI IBRAHIM HASSAN AL-TIKRITI"
	none, _ = Score(tr, listing())
	if s, feats := Score(tr, listing(tripline.PartialDate{Year: 1947})); s <= none {
		t.Errorf("whole name, listed born 1947: %.3f, want above %.3f (no date listed) (%v)", s, none, feats)
	}
}

// TestHonorificBySound: a title spelt another way is dropped like the title
// (Maoulana for Maulana); a short word that sounds like a short title is
// kept.
func TestHonorificBySound(t *testing.T) {
	for _, c := range []struct {
		name string
		want []string
	}{
		{"MAOULANA FAZLOULLAH", []string{"fazloullah"}},
		{"Moullah Omar", []string{"omar"}},
		{"Dar Rahman", []string{"dar", "rahman"}},
	} {
		if got := Normalise(c.name); !slicesEqual(got, c.want) {
			t.Errorf("Normalise(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestListRarity: a name borne by many listed people weighs what the list
// says, not only what the tables say, in the index that holds them; the
// package's Score knows no list; removing the listings restores the weight.
func TestListRarity(t *testing.T) {
	ix := NewIndex(Options{})
	letters := "bcdfghjklmnpqrstvwxz"
	word := func(i int) string { // a made-up given name per listing
		return "Ka" + string(letters[i%20]) + string(letters[i/20%20]) + "ari"
	}
	var ids []string
	for i := 0; i < 300; i++ {
		family := "Zubeidi" + word(i + 7)[2:4] // one listed person each
		if i < 60 {
			family = "Tikriti" // borne by a fifth of the list
		}
		id := "l" + word(i)
		ids = append(ids, id)
		ix.Upsert(&tripline.Listing{ID: id, Status: tripline.StatusActive, Names: []tripline.Name{{Full: word(i) + " Hussein " + family, Kind: tripline.NamePrimary}}})
	}
	tok := func() *token { return ix.slots[ix.byID[ids[0]]].names[0].toks[2] }
	if w, lw := float64(tok().weight), weightOf(tok(), listLog(ix.Len())); lw >= w || lw > 0.75 {
		t.Errorf("Tikriti, borne by 60 of 300 listings: weight %.2f in the index, %.2f in the tables; want lower", lw, w)
	}
	l := ix.Listing(ids[0])
	tr := &tripline.Traveller{Name: "Hussein Tikriti", DOB: tripline.PartialDate{Year: 1970, Month: 1, Day: 2}}
	inList, _ := ix.Score(tr, l)
	alone, _ := Score(tr, l)
	if inList >= alone {
		t.Errorf("a partial name on a list-common family name: index %.3f, alone %.3f; want lower in the index", inList, alone)
	}
	// Replace hands the counts over with the listings.
	moved := NewIndex(Options{})
	moved.Replace(ix)
	ix = moved
	if len(ix.freq) == 0 {
		t.Fatal("Replace dropped the list counts")
	}
	ix.Upsert(&tripline.Listing{ID: "extra", Status: tripline.StatusActive, Names: []tripline.Name{{Full: "Omar Tikriti", Kind: tripline.NamePrimary}}})
	if n := tok().list.n; n != 61 {
		t.Errorf("after Replace and one more listing Tikriti is counted %d times, want 61", n)
	}
	ix.Remove("extra")
	kept := tok()
	for _, id := range ids[1:] {
		ix.Remove(id)
	}
	if w, lw := float64(kept.weight), weightOf(kept, listLog(ix.Len())); lw != w {
		t.Errorf("after removals: weight %.2f, want the tables' %.2f", lw, w)
	}
	if kept.list.n != 1 {
		t.Errorf("after removals Tikriti is counted %d times, want 1", kept.list.n)
	}
}

// TestShortSyllables: a short syllable with another vowel (Jang/Jong) or
// one more letter (Son/Song) is mostly another syllable: it still meets as
// a weak agreement, well below a known variant.
func TestShortSyllables(t *testing.T) {
	for _, c := range [][2]string{{"jang", "jong"}, {"son", "song"}, {"kang", "kong"}} {
		a, b := prepare(c[0])[0], prepare(c[1])[0]
		if s, how := tokenSim(a, b); s < minTokenSim || s > 0.821 {
			t.Errorf("tokenSim(%s, %s) = %.2f (%s), want in [%.2f, 0.82]", c[0], c[1], s, how, minTokenSim)
		}
	}
}

// TestSyllableOrder: the syllables of a Korean name moved from one end to
// the other are its surname written first or last, but a given name of two
// syllables is one unit: CHOE YONG CHUN is another person than Choe Chun
// Yong. A particle moved (AWAD AUF IBN) is not a syllable out of order.
func TestSyllableOrder(t *testing.T) {
	for _, c := range []struct {
		lower, higher, listed string
	}{
		{"CHOE YONG CHUN", "CHUN YONG CHOE", "Choe Chun Yong"},
		{"SONG CHOE IL", "SONG IL CHOE", "Choe Song Il"},
	} {
		if lo, hi := CompareNames(c.lower, c.listed), CompareNames(c.higher, c.listed); lo > 0.8*hi+0.001 {
			t.Errorf("CompareNames(%q, %q) = %.3f, want at most 0.8 x %q's %.3f", c.lower, c.listed, lo, c.higher, hi)
		}
	}
	if moved, kept := CompareNames("AWAD AUF IBN", "Awad Ibn Auf"), CompareNames("AWAD AUF", "Awad Ibn Auf"); moved < swapPenalty*kept-0.001 {
		t.Errorf("CompareNames(AWAD AUF IBN, Awad Ibn Auf) = %.3f, want AWAD AUF's %.3f x %.2f (a word moved) or more", moved, kept, swapPenalty)
	}
}

// TestOneWordAliasFoundWithTypo: a one-word alias of four letters is found
// through a typo (Yaja for Yaya): its deletions are keys too.
func TestOneWordAliasFoundWithTypo(t *testing.T) {
	ix := NewIndex(Options{})
	ix.Upsert(&tripline.Listing{ID: "a", Status: tripline.StatusActive, Nationalities: []string{"AFG"}, BirthDates: []tripline.PartialDate{{Year: 1978}},
		Names: []tripline.Name{{Full: "YAHYA HAQQANI", Kind: tripline.NamePrimary}, {Full: "Yaya", Kind: tripline.NameAlias}}})
	tr := &tripline.Traveller{Name: "Yaja", Nationality: "AFG", DOB: tripline.PartialDate{Year: 1978, Month: 12, Day: 14}}
	if ms := ix.Screen(tr, now, nil); len(ms) != 1 || ms[0].Listing != "a" {
		t.Errorf("Screen(Yaja) = %+v, want the listing with alias Yaya", ms)
	}
}

// TestOneWordAliasYear: a one-word alias misspelt (Hasqan for the weak
// alias Hassan) with the listed birth year reaches review: the year is all
// a one-word name has beside the word. A kunya (Abu Ahmad) is not the one
// word Ahmad, and gets no such lift.
func TestOneWordAliasYear(t *testing.T) {
	l := &tripline.Listing{ID: "a", Status: tripline.StatusActive, Nationalities: []string{"IRQ"}, BirthDates: []tripline.PartialDate{{Year: 1983}},
		Names: []tripline.Name{{Full: "ALI SADDAM HUSSEIN AL-TIKRITI", Kind: tripline.NamePrimary}, {Full: "Hassan", Kind: tripline.NameWeakAlias}, {Full: "Abu Ahmad", Kind: tripline.NameAlias}}}
	born := tripline.PartialDate{Year: 1983, Month: 7, Day: 1}
	if s, feats := Score(&tripline.Traveller{Name: "Hasqan", DOB: born, Nationality: "IRQ"}, l); s < DefaultThresholds.Review {
		t.Errorf("Hasqan, born 1983: score %.3f, want review (%v)", s, feats)
	}
	// A typo the weak alias's skeleton does not keep, with the year and
	// nothing else: a review (0.615 when the year counted a fifth of a
	// full date). Another year, or another nationality, is not.
	for _, c := range []struct {
		name string
		dob  tripline.PartialDate
		nat  string
		want bool
	}{
		{"Hxssan", born, "", true},
		{"Hxssan", born, "IRQ", true},
		{"Hxssan", tripline.PartialDate{Year: 1990, Month: 7, Day: 1}, "IRQ", false},
		{"Hxssan", born, "SYR", false},
	} {
		s, feats := Score(&tripline.Traveller{Name: c.name, DOB: c.dob, Nationality: c.nat}, l)
		if got := s >= DefaultThresholds.Review; got != c.want {
			t.Errorf("%s, born %v, %q: score %.3f, review %v, want %v (%v)", c.name, c.dob, c.nat, s, got, c.want, feats)
		}
	}
	// A short weak alias with a letter changed, the year and nationality
	// agreeing: a review (0.612 when the year counted half a full date).
	short := &tripline.Listing{ID: "b", Status: tripline.StatusActive, Nationalities: []string{"IRQ"}, BirthDates: []tripline.PartialDate{{Year: 1938}},
		Names: []tripline.Name{{Full: "Kamal Jabir Ali", Kind: tripline.NamePrimary}, {Full: "Cana", Kind: tripline.NameWeakAlias}}}
	for _, c := range []struct {
		dob  tripline.PartialDate
		nat  string
		want bool
	}{
		{tripline.PartialDate{Year: 1938, Month: 2, Day: 15}, "IRQ", true},
		{tripline.PartialDate{Year: 1948, Month: 2, Day: 15}, "IRQ", false},
		{tripline.PartialDate{Year: 1938, Month: 2, Day: 15}, "SYR", false},
	} {
		s, feats := Score(&tripline.Traveller{Name: "Canl", DOB: c.dob, Nationality: c.nat}, short)
		if got := s >= DefaultThresholds.Review; got != c.want {
			t.Errorf("Canl, born %v, %q: score %.3f, review %v, want %v (%v)", c.dob, c.nat, s, got, c.want, feats)
		}
	}
	l.Names = l.Names[2:]
	s, feats := Score(&tripline.Traveller{Name: "Ahmad", DOB: born, Nationality: "IRQ"}, l)
	for _, f := range feats {
		if f.Feature == FeatureDOB && strings.Contains(f.Detail, "one-word") {
			t.Errorf("Ahmad against the kunya Abu Ahmad: %.3f, lifted as a one-word name: %s", s, f.Detail)
		}
	}
}

// TestOneWordAbdFoundWithTypo: a one-word Abd compound (Abdelrazaq, split
// into abd + razaq) is found through a typo in its Abd ("Abvelrazaq",
// which no longer splits): the word as written has deletion keys too.
func TestOneWordAbdFoundWithTypo(t *testing.T) {
	ix := NewIndex(Options{})
	ix.Upsert(&tripline.Listing{ID: "a", Status: tripline.StatusActive, Nationalities: []string{"ERI"},
		Names: []tripline.Name{{Full: "Fitiwi Abdelrazak", Kind: tripline.NamePrimary}, {Full: "Abdelrazaq", Kind: tripline.NameAlias}}})
	for _, name := range []string{"Abvelrazaq", "Abdelrazaw"} {
		tr := &tripline.Traveller{Name: name, Nationality: "ERI"}
		if ms := ix.Screen(tr, now, nil); len(ms) != 1 || ms[0].Listing != "a" {
			t.Errorf("Screen(%s) = %+v, want the listing with alias Abdelrazaq", name, ms)
		}
	}
}

// TestHeadlessName: a traveller's name without the listed name's first
// word (a father's and a family name: a relative's name) weighs less than
// the same words with the first kept, unless the birth date agrees to the
// month.
func TestHeadlessName(t *testing.T) {
	full := tripline.PartialDate{Year: 1963, Month: 11, Day: 11}
	score := func(listed, trav string, dob tripline.PartialDate) float64 {
		l := &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: listed, Kind: tripline.NamePrimary}}, BirthDates: []tripline.PartialDate{dob}, Nationalities: []string{"AFG"}}
		s, _ := Score(&tripline.Traveller{Name: trav, DOB: full, Nationality: "AFG"}, l)
		return s
	}
	for _, c := range [][3]string{
		{"RANA SADDAM HUSSEIN AL-TIKRITI", "RANA AL-TIKRITI", "HUSSEIN AL-TIKRITI"},
		{"KHALIL AL-RAHMAN HAQQANI", "KHALIL HAQQANI", "RAHMAN HAQQANI"},
	} {
		kept, headless := score(c[0], c[1], tripline.PartialDate{Year: 1963}), score(c[0], c[2], tripline.PartialDate{Year: 1963})
		if headless > 0.87*kept {
			t.Errorf("%q against %q, year agreeing: %.3f, want well below %q (%.3f)", c[2], c[0], headless, c[1], kept)
		}
		if s := score(c[0], c[2], full); s < DefaultThresholds.Review {
			t.Errorf("%q against %q, full date agreeing: %.3f, want review", c[2], c[0], s)
		}
	}
}

// TestHeadlessMRZCut: a machine-readable zone that cut the only given
// name where it reads as an article ("ASH" for Ashraf) leaves the listed
// name's first word missing; that is the cut, not a relative's name.
func TestHeadlessMRZCut(t *testing.T) {
	l := &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: "ASHRAF MUHAMMAD YUSUF 'UTHMAN 'ABD AL-SALAM", Kind: tripline.NamePrimary}},
		BirthDates: []tripline.PartialDate{{Year: 1984}}, Nationalities: []string{"JOR"}}
	tr := &tripline.Traveller{Surname: "MUHAMMAD YUSUF UTHMAN ABD AL SALAM", GivenNames: "ASH", DOB: tripline.PartialDate{Year: 1984, Month: 9, Day: 26}, Nationality: "JOR"}
	if s, feats := Score(tr, l); s < DefaultThresholds.Hit {
		t.Errorf("MRZ cut at an article: %.3f, want a hit; %v", s, feats)
	}
}

// TestSyllableNameNoHitWithoutDate: a name of short syllables with one of
// them changed (Cho for Choe) is a review, not a hit, when no birth date agrees; with
// the date it is a hit.
func TestSyllableNameNoHitWithoutDate(t *testing.T) {
	full := tripline.PartialDate{Year: 1963, Month: 11, Day: 11}
	for _, c := range []struct {
		dobs []tripline.PartialDate
		hit  bool
	}{{nil, false}, {[]tripline.PartialDate{full}, true}} {
		l := &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: "CHOE CHUN YONG", Kind: tripline.NamePrimary}}, BirthDates: c.dobs, Nationalities: []string{"PRK"}}
		s, feats := Score(&tripline.Traveller{Name: "CHO CHUN YONG", DOB: full, Nationality: "PRK"}, l)
		if s < DefaultThresholds.Review || (s >= DefaultThresholds.Hit) != c.hit {
			t.Errorf("listed dates %v: %.3f, want review and hit %v; %v", c.dobs, s, c.hit, feats)
		}
	}
}

// TestMovedTypo: a short word a letter away from a listed one counts as
// little when it also moved among the other words (two errors, or another
// syllable), and not when other words moved past it (a surname moved to
// the end).
func TestMovedTypo(t *testing.T) {
	for _, c := range []struct {
		moved, inPlace, listed string
	}{
		{"SONG CHOE CHUN", "CHOE CHUN SONG", "CHOE CHUN YONG"},
		{"SON CHOE IL", "CHOE SON IL", "CHOE SONG IL"},
	} {
		m, p := CompareNames(c.moved, c.listed), CompareNames(c.inPlace, c.listed)
		if m > 0.85*p || m >= 0.72 {
			t.Errorf("%q against %q: %.3f, want below 0.72 and well below %q (%.3f)", c.moved, c.listed, m, c.inPlace, p)
		}
	}
	for _, c := range [][2]string{
		{"MOHAMMADHASNI HAJI SSAD KHAN ZARKARI", "HAJI ASAD KHAN ZARKARI MOHAMMADHASNI"},
		{"JPMorgan Chase Bank, N.A.", "JPMorgan Chase Bank NA"},
	} {
		if s := CompareNames(c[0], c[1]); s < 0.85 {
			t.Errorf("CompareNames(%q, %q) = %.3f, want >= 0.85", c[0], c[1], s)
		}
	}
}

// TestSplitJoinsPastWeakPair: a word split at its apostrophes joins again
// even when one of its pieces was first paired, by a typo, with another
// word.
func TestSplitJoinsPastWeakPair(t *testing.T) {
	if s := CompareNames("MUN CHO NG CH O L", "MUN CHO'NG-CH'O'L"); s < 0.8 {
		t.Errorf("split at apostrophes: %.3f, want >= 0.8", s)
	}
}

// TestNameCutAfterArticle: no name ends on an article, so a name that does
// ("Mohammed Al", "ABD EL") was cut after it: with the full birth date and
// the nationality agreeing, a review, never a hit; with either off, not.
func TestNameCutAfterArticle(t *testing.T) {
	day := tripline.PartialDate{Year: 1980, Month: 5, Day: 4}
	for _, c := range []struct {
		listed, traveller string
		dob               tripline.PartialDate
		nat               string
		review            bool
	}{
		{"Mohammed Al Amin Al-Arabi Kashlaf", "Mohammed Al", day, "LBY", true},
		{"Mohammed Al Amin Al-Arabi Kashlaf", "Mohammed Al", tripline.PartialDate{Year: 1990, Month: 5, Day: 4}, "LBY", false},
		{"Mohammed Al Amin Al-Arabi Kashlaf", "Mohammed Al", day, "FRA", false},
		{"ABD EL HAMID YOUSSEF MAHMOUD EL SHARIF", "ABD EL", day, "LBY", true},
		{"ABD EL HAMID YOUSSEF MAHMOUD EL SHARIF", "ABD EL", tripline.PartialDate{Year: 1991, Month: 2, Day: 3}, "LBY", false},
		{"SAMIR ABD EL HAMID YOUSSEF EL SHARIF", "SAMIR ABD EL", day, "LBY", true},
	} {
		l := &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: c.listed, Kind: tripline.NamePrimary}}, BirthDates: []tripline.PartialDate{day}, Nationalities: []string{"LBY"}}
		tr := &tripline.Traveller{Name: c.traveller, DOB: c.dob, Nationality: c.nat}
		s, feats := Score(tr, l)
		if got := s >= DefaultThresholds.Review; got != c.review || s >= DefaultThresholds.Hit {
			t.Errorf("%q born %v %s against %q: %.3f, want a review %v, never a hit (%v)", c.traveller, c.dob, c.nat, c.listed, s, c.review, feats)
		}
	}
}

// TestNameCutAfterTitle: titles lead a name, so a name that ends on one
// was cut after it (MUSTAFA HAJJI for Mustafa Hajji Muhammad Khan): the
// cut-name rules apply, and the title alone is no name.
func TestNameCutAfterTitle(t *testing.T) {
	day := tripline.PartialDate{Year: 1976, Month: 6, Day: 22}
	l := &tripline.Listing{ID: "x", Names: []tripline.Name{
		{Full: "MUSTAFA HAJJI MUHAMMAD KHAN", Kind: tripline.NamePrimary},
		{Full: "Mustafa Muhammad", Kind: tripline.NameAlias},
	}, BirthDates: []tripline.PartialDate{{Year: 1976}}, Nationalities: []string{"PAK"}}
	for _, c := range []struct {
		traveller string
		dob       tripline.PartialDate
		review    bool
	}{
		{"MUSTAFA HAJJI", day, true},
		{"MUSTAFA HAJJI", tripline.PartialDate{Year: 1951, Month: 2, Day: 3}, false},
		{"MUSTAFA", day, false}, // one word, not a cut name
		{"JOHN SMITH JR", day, false},
	} {
		s, feats := Score(&tripline.Traveller{Name: c.traveller, DOB: c.dob, Nationality: "PAK"}, l)
		if got := s >= DefaultThresholds.Review; got != c.review || s >= DefaultThresholds.Hit {
			t.Errorf("%q born %v: %.3f, want a review %v, never a hit (%v)", c.traveller, c.dob, s, c.review, feats)
		}
	}
	if toks := matchTokens("JOHN SMITH JR"); len(toks) == 0 || toks[len(toks)-1].cutAfter {
		t.Errorf("JOHN SMITH JR: %+v, want Jr a suffix, not a cut", toks)
	}
}

// TestPartialNameYearOnly: a listed word missing (not a cut), or a listed
// name of two words among more, with only the birth year agreeing weighs a
// little less than a whole name: a sixtieth of a region's people share the
// year, and two common words (MUHAMMAD AHMAD for Muhammad Yunis Ahmad) are
// what they share most.
func TestPartialNameYearOnly(t *testing.T) {
	missing := nameShape{matched: 2, missC: 1}
	cut := nameShape{matched: 2, missC: 1, cut: true, words: 2}
	for _, c := range []struct {
		name   string
		sh     nameShape
		dob    dobAgreement
		natOff bool
		want   float64
	}{
		{"word missing, year agrees", missing, dobYear, false, partialYearOnly},
		{"word missing, month agrees", missing, dobMonth, false, 1},
		{"cut, year agrees", cut, dobYear, false, 1},
		{"whole name, year agrees", nameShape{matched: 3}, dobYear, false, 1},
		{"two listed words among three, year agrees", nameShape{matched: 2, missQ: 1}, dobYear, false, partialYearOnly},
		{"three listed words among four, year agrees", nameShape{matched: 3, missQ: 1}, dobYear, false, 1},
		{"word missing, name search", missing, dobUnknown, false, 1},
	} {
		if got := partialFactor(c.sh, c.dob, c.natOff); got != c.want {
			t.Errorf("%s: partialFactor = %.3f, want %.3f", c.name, got, c.want)
		}
	}
}
