package match

import (
	"testing"

	"tripline"
)

// TestSpellingPhenomenaMatchByName: the spellings of issue 16 that made a
// listed person `clear`: doubled letters simplified or changed, vowel
// digraphs (OU, EE, OO), KH/H, Q/K, Aly/Ali, -ULLAH with one L, Mohd/Md
// for Muhammad, apostrophes and hyphens as spaces, articles and particles
// detached and moved. Each must reach review on the name alone.
func TestSpellingPhenomenaMatchByName(t *testing.T) {
	review := NameThresholds(DefaultThresholds).Review
	for _, c := range [][2]string{
		{"ALI HASSAN AL-MAJID AL-TIKRITI", "ALY HASSAN AL-MAJID AL-TIKRITI"},
		{"ALI HASSAN AL-MAJID AL-TIKRITI", "ALEE HASAN AL-MAJID AL-TIKRITY"},
		{"AHMAD ZIA AGHA", "AHMAD ZEEA AGHA"},
		{"KANG MUN KIL", "KANG MOUN KEEL"},
		{"UGLA ABID SAKR AL-ZUBAISI", "UGLA ABEED SAKR AL-ZOUBAISI"},
		{"ABDUL JABBAR OMARI", "ABDUR JABAR OMARI"},
		{"KHAIRULLAH KHAIRKHWAH", "KHAIRULAH KHAIRKHWAH"},
		{"KHALID AL-MUSLIM", "HALID AL-MUSLIM"},
		{"ISHAQ QASIMI", "ISHAK KASIMI"},
		{"MOHAMMED OMAR GHULAM NABI", "MOHD OMAR GHULAM NABI"},
		{"MUHAMMAD TAHER ANWARI", "MD TAHER ANWARI"},
		{"MUHAMMAD TAHER ANWARI", "MUHD. TAHER ANWARI"},
		{"SA'D HASAN FADL", "SA D HASAN FADL"},
		{"SAIF-AL-DIN FULAYYIH HASSAN TAHA AL-RAWI", "SAIF AL DIN FULAYYIH HASSAN TAHA RAWI AL"},
		{"ABU BAKR AL-BAGHDADI", "BAKR ABU BAGHDADI AL"},
		{"GEDEON KYUNGU MUTANGA WA BAFUNKWA KANONGA", "GEDEON KYUNGU MUTANGA BAFUNKWA WA KANONGA"},
		// Original script, family name first, the chain of bin kept.
		{"الأزهر بن خليفة بن احمد روين", "روين الأزهر بن خليفة بن احمد"},
		{"حمادي بن عبد العزيز بن علي بويحي", "بويحي حمادي بن عبد العزيز بن علي"},
	} {
		if s := CompareNames(c[0], c[1]); s < review {
			t.Errorf("CompareNames(%q, %q) = %.3f, want >= %.3f (review on the name alone)", c[0], c[1], s, review)
		}
	}
}

// TestSpellingPhenomenaKeepNamesApart: the general rules behind the
// spellings above must not join names that differ in a consonant or are
// two different names a letter apart.
func TestSpellingPhenomenaKeepNamesApart(t *testing.T) {
	review := NameThresholds(DefaultThresholds).Review
	for _, c := range [][2]string{
		{"HASSAN ALI", "HUSSEIN ALI"},         // vowels differ, and the names are two
		{"KHALID ALI", "HALIM ALI"},           // KH/H and a consonant more
		{"MOHD ALI", "MAJID ALI"},             // a contraction stands for a long name
		{"HASSAN ALIMOV", "HASSAN ALI"},       // a prefix only where an MRZ field can cut a name
		{"بلال بن مروان", "BILAL EL-AMRANI"},  // Latin and Arabic sharing consonants only
		{"AHMAD JAN AKHUND ZADA", "حمد زاده"}, // Ahmad starts with an alif, حمد does not
	} {
		if s := CompareNames(c[0], c[1]); s >= review {
			t.Errorf("CompareNames(%q, %q) = %.3f, want below review %.3f", c[0], c[1], s, review)
		}
	}
}

// TestWeakTokenAgreements: a name and its adjective in -i (Ahmad and
// Ahmadi, "of Ahmad"; Anwar and انوري) and a short name with another last
// letter (Amid/Amit) barely agree: weaker than a typo elsewhere.
func TestWeakTokenAgreements(t *testing.T) {
	for _, c := range []struct {
		a, b string
		max  float64
	}{
		{"ahmed", "ahmadi", minTokenSim}, {"anwar", "anwari", minTokenSim}, {"rahman", "rahmani", minTokenSim},
		{"anwar", "انوري", 0}, {"amid", "amit", 0.85}, {"amin", "amir", minTokenSim},
	} {
		a, b := prepare(c.a), prepare(c.b)
		if s, how := tokenSim(a[0], b[0]); s > c.max {
			t.Errorf("tokenSim(%q, %q) = %.2f (%s), want at most %.2f", c.a, c.b, s, how, c.max)
		}
	}
	if s, _ := tokenSim(prepare("hussein")[0], prepare("husseini")[0]); s == 0 {
		t.Error("Hussein/Husseini: no agreement at all, want a weak one")
	}
}

// TestPhenomenaWithDateReachReview: with the listed birth date and
// nationality, a listed person reaches review under the harder changes of
// issue 16: a short Korean syllable with one letter changed, an MRZ name
// cut at the field width inside the last given name, a long name cut to
// its first words, a one-word alias with a spelling change.
func TestPhenomenaWithDateReachReview(t *testing.T) {
	l := func(nat string, dob tripline.PartialDate, names ...string) *tripline.Listing {
		ls := &tripline.Listing{ID: "t:1", Source: "t", Action: tripline.ActionRefuseEntry, BirthDates: []tripline.PartialDate{dob}, Nationalities: []string{nat}}
		for i, n := range names {
			k := tripline.NamePrimary
			if i > 0 {
				k = tripline.NameAlias
			}
			ls.Names = append(ls.Names, tripline.Name{Full: n, Kind: k})
		}
		return ls
	}
	for _, c := range []struct {
		why string
		l   *tripline.Listing
		t   tripline.Traveller
	}{
		{"short syllable", l("PRK", date(1938, 5, 10), "RI JE-SON"), tripline.Traveller{Name: "RI JE-SBN", DOB: date(1938, 5, 10), Nationality: "PRK"}},
		{"short syllable", l("PRK", date(1954, 10, 12), "CHOE CHUN-SIK"), tripline.Traveller{Name: "CHOE CHUN-SIC", DOB: date(1954, 10, 12), Nationality: "PRK"}},
		{"short syllable", l("PRK", date(1957, 2, 20), "JANG YONG SON"), tripline.Traveller{Name: "JANG YONG SOJ", DOB: date(1957, 2, 20), Nationality: "PRK"}},
		{"two-letter syllable", l("PRK", date(1934, 5, 6), "RI JAE IL"), tripline.Traveller{Name: "RI JAE IR", DOB: date(1934, 5, 6), Nationality: "PRK"}},
		{"mrz cut", l("IRQ", date(1953, 3, 24), "SAIF-AL-DIN FULAYYIH HASSAN TAHA AL-RAWI"),
			tripline.Traveller{Surname: "AL RAWI", GivenNames: "SAIF AL DIN FULAYYIH HAS", DOB: date(1953, 3, 24), Nationality: "IRQ"}},
		{"mrz cut", l("SAU", tripline.PartialDate{Year: 1963}, "ABDUL RAHMAN MUHAMMAD ZAFIR AL-DUBAYSI"), // AL<DUBAYSI<<ABDUL<RAHMAN<MUHAM: 30 characters
			tripline.Traveller{Surname: "AL DUBAYSI", GivenNames: "ABDUL RAHMAN MUHAM", DOB: date(1963, 6, 2), Nationality: "SAU"}},
		{"mrz cut as one string", l("SAU", tripline.PartialDate{Year: 1963}, "ABDUL RAHMAN MUHAMMAD ZAFIR AL-DUBAYSI"),
			tripline.Traveller{Name: "AL DUBAYSI ABDUL RAHMAN MUHAM", DOB: date(1963, 6, 2), Nationality: "SAU"}},
		{"long name cut", l("IRQ", date(1953, 3, 24), "SAIF-AL-DIN FULAYYIH HASSAN TAHA AL-RAWI"), tripline.Traveller{Name: "SAIF AL DIN FULAYYIH", DOB: date(1953, 3, 24), Nationality: "IRQ"}},
		{"one-word alias", l("JOR", date(1966, 10, 20), "AHMAD FADIL NAZAL AL-KHALAYLEH", "ZARQAWI"), tripline.Traveller{Name: "ZARKAWI", DOB: date(1966, 10, 20), Nationality: "JOR"}},
	} {
		if s, feats := Score(&c.t, c.l); s < DefaultThresholds.Review {
			t.Errorf("%s: %q against %q: %.3f, want review or above; %+v", c.why, c.t.FullName(), c.l.PrimaryName(), s, feats)
		}
	}
}

// TestFullDateFindsMisspeltAlias: a one-word alias misspelt beyond every
// name key ("Haai" for Hani) is still retrieved by its full birth date,
// which few people share, and reaches review with it.
func TestFullDateFindsMisspeltAlias(t *testing.T) {
	ix := NewIndex(Options{})
	ix.Upsert(&tripline.Listing{ID: "t:1", Source: "t", Action: tripline.ActionRefuseEntry,
		Names:         []tripline.Name{{Full: "ANAS HASAN KHATTAB", Kind: tripline.NamePrimary}, {Full: "Hani", Kind: tripline.NameAlias}},
		BirthDates:    []tripline.PartialDate{date(1986, 4, 7)},
		Nationalities: []string{"SYR"}})
	if ok, s := screenFinds(ix, &tripline.Traveller{Name: "Haai", DOB: date(1986, 4, 7), Nationality: "SYR"}, "t:1"); !ok {
		t.Errorf("misspelt alias with the listed birth date: not found (score %.3f)", s)
	}
}

// TestTypoKeyFindsOneWordAlias: a one-word alias with a letter changed is
// retrieved by its typo key even when other listings share rarer-looking
// keys with the traveller (its skeleton, its sound).
func TestTypoKeyFindsOneWordAlias(t *testing.T) {
	ix := unIndex(t)
	for _, c := range []struct {
		id string
		t  tripline.Traveller
	}{
		{"un-sc:TAi.097", tripline.Traveller{Name: "Bayyalai", DOB: date(1968, 5, 14), Nationality: "AFG"}},
		{"un-sc:TAi.161", tripline.Traveller{Name: "Shuqii", DOB: date(1980, 8, 17), Nationality: "AFG"}},
	} {
		if ok, _ := screenFinds(ix, &c.t, c.id); !ok {
			s, feats := ix.Score(&c.t, ix.Listing(c.id))
			t.Errorf("%q: %s not found (scores %.3f: %v)", c.t.Name, c.id, s, feats)
		}
	}
}

// TestSplitWordsFound: a word split at its apostrophe or hyphen into
// pieces ("MO ALIN" for the alias Mo'alin, "Ch un so ng" for Chun Song) is
// retrieved by the pieces written together, and joined again in scoring.
func TestSplitWordsFound(t *testing.T) {
	ix := unIndex(t)
	for _, c := range []struct {
		id string
		t  tripline.Traveller
	}{
		{"un-sc:SOi.025", tripline.Traveller{Name: "MO ALIN", DOB: date(1976, 2, 6)}},
		{"un-sc:KPi.075", tripline.Traveller{Name: "Ri Ch un so ng"}},
	} {
		if ok, _ := screenFinds(ix, &c.t, c.id); !ok {
			s, feats := ix.Score(&c.t, ix.Listing(c.id))
			t.Errorf("%q: %s not found (scores %.3f: %v)", c.t.Name, c.id, s, feats)
		}
	}
}

// TestOneWordNameRetrieval: a one-word name is found by one word, so that
// the listings bearing that word in every spelling outrank a misspelt
// alias with the same birth date or year (Faysal, Hassam): a one-word
// traveller's candidates are not cut by support, and a one-word listed
// name is keyed by its skeleton and year too (Hausan for the alias
// Hassan, whose class the misspelling leaves).
func TestOneWordNameRetrieval(t *testing.T) {
	ix := unIndex(t)
	for _, c := range []struct {
		id string
		t  tripline.Traveller
	}{
		{"un-sc:QDi.149", tripline.Traveller{Name: "Faysal", DOB: date(1964, 4, 30), Nationality: "TUN"}},
		{"un-sc:IQi.061", tripline.Traveller{Name: "Hassam", DOB: date(1983, 10, 13), Nationality: "IRQ"}},
		{"un-sc:IQi.061", tripline.Traveller{Name: "Hausan", DOB: date(1983, 10, 21), Nationality: "IRQ"}},
	} {
		if ok, _ := screenFinds(ix, &c.t, c.id); !ok {
			s, feats := ix.Score(&c.t, ix.Listing(c.id))
			t.Errorf("%q: %s not found (scores %.3f: %v)", c.t.Name, c.id, s, feats)
		}
	}
}

// TestOneWordAliasFullDate: one word against a one-word alias can never
// show the evidence of a whole name; with a typo (Ismael for the alias
// Israel) the same full birth date and nationality make it a review. The
// same word with another birth date stays below review.
func TestOneWordAliasFullDate(t *testing.T) {
	l := &tripline.Listing{ID: "a", Status: tripline.StatusActive, Nationalities: []string{"RWA"}, BirthDates: []tripline.PartialDate{date(1964, 1, 1)}, Sex: "M",
		Names: []tripline.Name{{Full: "PACIFIQUE NTAWUNGUKA", Kind: tripline.NamePrimary}, {Full: "Israel", Kind: tripline.NameWeakAlias}}}
	for _, c := range []struct {
		dob    tripline.PartialDate
		review bool
	}{
		{date(1964, 1, 1), true},
		{date(1964, 7, 19), false},
		{date(1971, 1, 1), false},
	} {
		s, feats := Score(&tripline.Traveller{Name: "Ismael", DOB: c.dob, Nationality: "RWA", Sex: "M"}, l)
		if got := s >= DefaultThresholds.Review; got != c.review {
			t.Errorf("Ismael born %s: %.3f, review %v, want %v (%v)", c.dob, s, got, c.review, feats)
		}
	}
}

// TestOneWordNameSearch: a name search of one word (no birth date given)
// against a one-word alias is judged on the word, weak alias or not:
// "Hixayatullah" finds the weak alias Hidayatullah of a listing that gives
// no birth date. A traveller with a birth date against that listing is
// screened as before (the word alone, a weak alias, one word matched: no
// review).
func TestOneWordNameSearch(t *testing.T) {
	l := &tripline.Listing{ID: "a", Status: tripline.StatusActive, Nationalities: []string{"AFG"}, Sex: "M",
		Names: []tripline.Name{{Full: "GUL AGHA ISHAKZAI", Kind: tripline.NamePrimary}, {Full: "Hidayatullah", Kind: tripline.NameWeakAlias}}}
	for _, c := range []struct {
		dob    tripline.PartialDate
		review bool
	}{
		{tripline.PartialDate{}, true},
		{date(1972, 6, 15), false},
	} {
		s, feats := Score(&tripline.Traveller{Name: "Hixayatullah", DOB: c.dob, Nationality: "AFG", Sex: "M"}, l)
		if got := s >= DefaultThresholds.Review; got != c.review {
			t.Errorf("Hixayatullah born %q: %.3f, review %v, want %v (%v)", c.dob, s, got, c.review, feats)
		}
	}
}

// TestOneWordAliasYearToReview: a three-letter one-word alias misspelt ("Zyl" for
// the alias Zul) by a traveller born in the listed year, of the listed
// nationality and sex, is a review: up to a review the year counts for a
// one-word name as a full date would. Never a hit on the year alone, and
// another year stays below review.
func TestOneWordAliasYearToReview(t *testing.T) {
	l := &tripline.Listing{ID: "a", Status: tripline.StatusActive, Nationalities: []string{"IDN"}, BirthDates: []tripline.PartialDate{{Year: 1963}}, Sex: "M",
		Names: []tripline.Name{{Full: "ZULKIFLI ABDUL HIR", Kind: tripline.NamePrimary}, {Full: "Zul", Kind: tripline.NameWeakAlias}}}
	for _, c := range []struct {
		name   string
		dob    tripline.PartialDate
		review bool
	}{
		{"Zyl", date(1963, 6, 15), true},
		{"Zuk", date(1963, 2, 1), true},
		{"Zyl", date(1971, 6, 15), false},
		{"Zul", date(1963, 6, 15), true},
	} {
		s, feats := Score(&tripline.Traveller{Name: c.name, DOB: c.dob, Nationality: "IDN", Sex: "M"}, l)
		if got := s >= DefaultThresholds.Review; got != c.review || s >= DefaultThresholds.Hit {
			t.Errorf("%s born %s: %.3f, review %v, want %v and no hit (%v)", c.name, c.dob, s, got, c.review, feats)
		}
	}
}
