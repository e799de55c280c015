package match

import (
	"slices"
	"strings"
)

// BlindName is what blind screening (package blind, issue 20) keys a name
// by. Blind screening compares exact keys only, so each form folds what
// the matcher treats as the same: word order, particles ("bin", "van"),
// titles, articles and transliteration.
type BlindName struct {
	// Exact is the name's words in their ICAO spelling, sorted.
	Exact string
	// Classes is each word's variant class (its first member) where the
	// variant table knows one, else its spelling; sorted.
	Classes string
	// Skeleton is the words' consonant skeletons, sorted; initials left
	// out.
	Skeleton string
	// Ends is Classes of the first and last words alone, for a name of
	// three words or more: a passport often drops the middle names.
	Ends string
}

// BlindKeys returns the blind forms of a name; all empty when the name has
// no word to key by. Both nodes of a blind screening must run the same
// matcher version (the table header names BlindKeysVersion).
func BlindKeys(name string) BlindName {
	toks := tokenize(name)
	enrich(toks)
	t := variants()
	var exact, classes, skels []string
	for _, tk := range toks {
		if tk.kind == kindParticle || isParticle(tk.form) {
			// "bin" and "van" come and go between lists and passports; a
			// particle kept as a family name ("Anjali Das") is left out
			// too, so that the keys do not depend on where it stands
			// (DAS RAHUL KUMAR) and stay those of match-blind-2.
			continue
		}
		exact = append(exact, tk.form)
		c := tk.form
		if tk.class > 0 && int(tk.class) < len(t.members) && len(t.members[tk.class]) > 0 {
			c = t.members[tk.class][0]
		}
		classes = append(classes, c)
		if tk.kind == kindName && tk.skel != "" {
			skels = append(skels, tk.skel)
		}
	}
	join := func(ws []string) string { slices.Sort(ws); return strings.Join(ws, " ") }
	ends := ""
	if n := len(classes); n >= 3 {
		ends = join([]string{classes[0], classes[n-1]})
	}
	return BlindName{Exact: join(exact), Classes: join(classes), Skeleton: join(skels), Ends: ends}
}

// BlindKeysVersion names the way BlindKeys folds names: a partner whose
// matcher keys names differently would miss every name key, so tables carry
// it and a mismatch is reported.
const BlindKeysVersion = "match-blind-2"
