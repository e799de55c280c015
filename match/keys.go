package match

import (
	"slices"
	"strconv"
	"strings"

	"tripline"
	"tripline/match/internal/strdist"
)

// hashKey hashes a key kind and text (FNV-1a, 64 bits); text built in a
// byte buffer hashes as its string does.
func hashKey[S string | []byte](kind byte, s S) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// tokenKeys appends the blocking keys of one token.
func tokenKeys(keys []uint64, t *token) []uint64 {
	if t.kind != kindName {
		return keys
	}
	keys = append(keys, hashKey(keyForm, t.form))
	if t.alt != "" {
		keys = append(keys, hashKey(keyForm, t.alt))
	}
	if t.class != 0 {
		var buf [12]byte
		keys = append(keys, hashKey(keyClass, strconv.AppendInt(buf[:0], int64(t.class), 10)))
	}
	if len(t.skel) >= 2 {
		keys = append(keys, hashKey(keySkel, t.skel))
	}
	if t.phon != "" {
		keys = append(keys, hashKey(keyPhon, t.phon))
	}
	if t.orig != "" {
		keys = append(keys, hashKey(keyOriginal, t.orig))
	}
	return deletionKeys(keys, t)
}

// deletionKeys appends the token's spelling with each letter deleted in
// turn, under the same kind as the spelling itself: two spellings one typo
// apart (substitution, insertion, deletion or transposition) then share a
// key. Short tokens get none: too many names are one letter apart.
func deletionKeys(keys []uint64, t *token) []uint64 {
	return deletionKeysMin(keys, t, 5)
}

// deletionKeysMin is deletionKeys for spellings of at least minLen
// letters; queries use 4 so that a typo that shortened a 5-letter name
// still meets the name's deletions.
func deletionKeysMin(keys []uint64, t *token, minLen int) []uint64 {
	f := rawForm(t)
	if t.arabic || len(f) < minLen || len(f) > 16 || !strdist.IsASCII(f) {
		return keys
	}
	return deletions(keys, keyTypo, f)
}

// deletions appends the keys of kind for f (ASCII, at most 16 letters)
// and for f with each letter deleted in turn.
func deletions(keys []uint64, kind byte, f string) []uint64 {
	keys = append(keys, hashKey(kind, f))
	var buf [16]byte
	for i := 0; i < len(f); i++ {
		if i > 0 && f[i] == f[i-1] {
			continue // same deletion as the previous letter
		}
		n := copy(buf[:], f[:i])
		n += copy(buf[n:], f[i+1:])
		keys = append(keys, hashKey(kind, buf[:n]))
	}
	return keys
}

// pairID is what a pair key is made of: the variant class when known (so
// that variants meet), else the skeleton.
func pairID(t *token) string { return string(appendPairID(nil, t)) }

// appendPairID appends pairID(t) to b: keys hash it without a string.
func appendPairID(b []byte, t *token) []byte {
	if t.class != 0 {
		return strconv.AppendInt(append(b, 'c'), int64(t.class), 10)
	}
	return append(append(b, 's'), t.skel...)
}

// wholeKey is the key of a whole name: its tokens' pair ids, sorted.
func wholeKey(toks []*token) (uint64, bool) {
	ids := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.kind == kindName {
			ids = append(ids, pairID(t))
		}
	}
	if len(ids) == 0 {
		return 0, false
	}
	slices.Sort(ids)
	return hashKey(keyWhole, strings.Join(ids, "|")), true
}

// nameKeys appends the keys of one name: its tokens, its token pairs and
// the whole name.
func nameKeys(keys []uint64, toks []*token) []uint64 {
	for _, t := range toks {
		keys = tokenKeys(keys, t)
	}
	if t, ok := onlyWord(toks); ok {
		// A one-word name (an alias: "Yahya") has nothing else to be
		// found by: a typo in a word of four letters too.
		keys = deletionKeysMin(keys, t, 4)
	} else if j, ok := oneWordAbd(toks); ok {
		// So has an Abd compound written as one word (Abdelrazaq, split
		// into abd + razaq): a typo in its Abd ("Abvelrazaq") leaves the
		// traveller's word unsplit, one typo from the word as written.
		keys = deletionKeysMin(keys, &token{form: j}, 5)
	}
	if k, ok := wholeKey(toks); ok {
		keys = append(keys, k)
	}
	return pairKeys(keys, toks)
}

// onlyWord returns the one name token of a name that has no other.
func onlyWord(toks []*token) (*token, bool) {
	var only *token
	for _, t := range toks {
		if t.kind != kindName {
			continue
		}
		if only != nil {
			return nil, false
		}
		only = t
	}
	return only, only != nil
}

// oneWordAbd returns, for a name whose only words are an Abd compound
// written as one word, that word as written.
func oneWordAbd(toks []*token) (string, bool) {
	var ns [2]*token
	n := 0
	for _, t := range toks {
		if t.kind != kindName {
			continue
		}
		if n == 2 {
			return "", false
		}
		ns[n] = t
		n++
	}
	if n != 2 || ns[0].form != "abd" || ns[0].raw == "" || ns[0].arabic || ns[1].arabic || ns[1].raw != "" {
		return "", false
	}
	return ns[0].raw + ns[1].form, true
}

// pairKeys appends a key per pair of name tokens. Names reach it with at
// most maxTokens tokens (matchTokens), so the pairs are bounded too: a name
// of thousands of words once made millions of keys.
func pairKeys(keys []uint64, toks []*token) []uint64 {
	// The ids written one after another in one buffer, on the stack
	// unless the names are unusually long.
	var buf [512]byte
	var ends [maxTokens + 1]int
	b, n := buf[:0], 0
	for _, t := range toks {
		if t.kind != kindName || len(t.skel) < 2 && t.class == 0 {
			continue
		}
		if n == maxTokens {
			break
		}
		b = appendPairID(b, t)
		n++
		ends[n] = len(b)
	}
	for i := 0; i < n; i++ {
		x := b[ends[i]:ends[i+1]]
		for j := i + 1; j < n; j++ {
			y := b[ends[j]:ends[j+1]]
			if string(x) > string(y) {
				keys = append(keys, hashPair(keyPair, y, x))
			} else {
				keys = append(keys, hashPair(keyPair, x, y))
			}
		}
	}
	return keys
}

// hashPair is hashKey(kind, x+"|"+y) without building the string.
func hashPair(kind byte, x, y []byte) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(x); i++ {
		h ^= uint64(x[i])
		h *= 1099511628211
	}
	h ^= '|'
	h *= 1099511628211
	for i := 0; i < len(y); i++ {
		h ^= uint64(y[i])
		h *= 1099511628211
	}
	return h
}

// yearKeys appends a key per name token and birth year.
func yearKeys(keys []uint64, toks []*token, year int) []uint64 {
	var buf [64]byte
	for _, t := range toks {
		if t.kind == kindName && (len(t.skel) >= 2 || t.class != 0) {
			b := strconv.AppendInt(append(appendPairID(buf[:0], t), '|'), int64(year), 10)
			keys = append(keys, hashKey(keyYear, b))
		}
	}
	return keys
}

// oneWordYearKey is the key of a one-word name's skeleton with a birth
// year. Year keys are by variant class when the word has one (yearKeys),
// so a misspelling outside the class ("Hausan" for the alias Hassan)
// never meets them, and a one-word traveller has little else to be found
// by. Only names of one word and nothing else (loneWord) bear these
// keys, listed and screened: among longer names a skeleton and a year
// are shared by chance (Anil Das and Anali Das).
func oneWordYearKey(t *token, year int) uint64 {
	var buf [64]byte
	b := strconv.AppendInt(append(append(append(buf[:0], 'o'), t.skel...), '|'), int64(year), 10)
	return hashKey(keyYear, b)
}

// loneWord returns the token of a name that is one name word and
// nothing else (no particle, no initial: not "Abu Hamza", nor "J. Smith").
func loneWord(toks []*token) (*token, bool) {
	if len(toks) != 1 || toks[0].kind != kindName || len(toks[0].skel) < 2 {
		return nil, false
	}
	return toks[0], true
}

// loneKeys appends the keys of a name that is one word alone (as
// loneWord, whatever its skeleton): its spelling and the spelling with
// each letter deleted, from three letters. They are the typo keys of a one-word alias in a key space of
// their own: among all names a word's typo keys are shared by every
// bearer of the word and its neighbours (a one-word traveller "Arisa" for
// the alias Arita met hundreds of Arisas and Arinas in longer names, who
// filled its candidates), among names of one word alone they are rare, so
// the alias ranks first. Short words get them too: a name of three or
// four letters has nothing else to be found by when misspelt ("Vek" for
// the alias Nek).
func loneKeys(keys []uint64, t *token) []uint64 {
	f := rawForm(t)
	if t.arabic || len(f) < 3 || len(f) > 16 || !strdist.IsASCII(f) {
		return keys
	}
	return deletions(keys, keyLone, f)
}

// joinedKeys appends the spelling keys of every two or three adjacent
// Latin words written together: a word split at its apostrophe or hyphen
// ("MO ALIN" for Mo'alin, "Ch un" for Ch'un) meets the listed word, as
// two words written as one meet the listed two ("AlisherUsmanov").
func joinedKeys(keys []uint64, toks []*token) []uint64 {
	var buf [64]byte
	for i := range toks {
		b := buf[:0]
		for j := i; j < len(toks) && j < i+3; j++ {
			if toks[j].arabic || len(b)+len(toks[j].form) > len(buf) {
				break
			}
			b = append(b, toks[j].form...)
			if j > i {
				keys = append(keys, hashKey(keyForm, b))
			}
		}
	}
	return keys
}

// dateKey is the key of a full birth date.
func dateKey(d tripline.PartialDate) uint64 {
	return hashKey(keyDate, strconv.Itoa(d.Year*10000+d.Month*100+d.Day))
}

// docKeys appends the keys of a document number.
func docKeys(keys []uint64, d docKey) []uint64 {
	return append(keys, hashKey(keyDoc, d.exact), hashKey(keyDocOCR, d.ocr))
}

// listingKeys returns the distinct keys of a prepared listing.
func listingKeys(p *prepared) []uint64 {
	var keys []uint64
	for _, n := range p.names {
		keys = nameKeys(keys, n.toks)
		if len(n.toks) == 1 && n.toks[0].kind == kindName {
			keys = loneKeys(keys, n.toks[0])
		}
	}
	for _, d := range p.docs {
		keys = docKeys(keys, d)
	}
	var years []int
	for i, d := range p.dobs {
		if d.Day != 0 && i < maxKeyYears {
			keys = append(keys, dateKey(d))
		}
		if d.Year == 0 || slices.Contains(years, d.Year) {
			continue
		}
		if len(years) == maxKeyYears {
			break // each year multiplies the name keys: a few tell namesakes apart
		}
		years = append(years, d.Year)
		for _, n := range p.names {
			keys = yearKeys(keys, n.toks, d.Year)
			if t, ok := loneWord(n.toks); ok {
				keys = append(keys, oneWordYearKey(t, d.Year))
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// queryKey is a key with its weight kind.
type queryKey struct {
	h    uint64
	kind byte
}

// queryKeys returns the keys of a traveller with their kinds.
func queryKeys(q *query) []queryKey {
	out, tmp := q.sc.keys[:0], q.sc.tmp[:0]
	defer func() { q.sc.keys, q.sc.tmp = out[:0], tmp[:0] }() // reused by the next query
	add := func(kind byte, ks []uint64) {
		for _, k := range ks {
			out = append(out, queryKey{k, kind})
		}
	}
	for _, t := range q.toks {
		if t.kind != kindName {
			continue
		}
		add(keyForm, []uint64{hashKey(keyForm, t.form)})
		if t.alt != "" {
			add(keyForm, []uint64{hashKey(keyForm, t.alt)})
		}
		if t.class != 0 {
			var buf [12]byte
			add(keyClass, []uint64{hashKey(keyClass, strconv.AppendInt(buf[:0], int64(t.class), 10))})
		}
		if len(t.skel) >= 2 {
			add(keySkel, []uint64{hashKey(keySkel, t.skel)})
		}
		if t.phon != "" {
			add(keyPhon, []uint64{hashKey(keyPhon, t.phon)})
		}
		if t.orig != "" {
			add(keyOriginal, []uint64{hashKey(keyOriginal, t.orig)})
		}
		tmp = deletionKeysMin(tmp[:0], t, 4)
		add(keyTypo, tmp)
	}
	tmp = joinedKeys(tmp[:0], q.toks)
	add(keyForm, tmp)
	if len(q.toks) == 1 && q.toks[0].kind == kindName {
		tmp = loneKeys(tmp[:0], q.toks[0])
		add(keyLone, tmp)
	}
	tmp = pairKeys(tmp[:0], q.toks)
	add(keyPair, tmp)
	if k, ok := wholeKey(q.toks); ok {
		out = append(out, queryKey{k, keyWhole})
	}
	if q.doc != nil {
		out = append(out, queryKey{hashKey(keyDoc, q.doc.exact), keyDoc}, queryKey{hashKey(keyDocOCR, q.doc.ocr), keyDocOCR})
	}
	if q.dob.Day != 0 {
		// A name misspelt beyond its keys is still found by its date.
		out = append(out, queryKey{dateKey(q.dob), keyDate})
	}
	if y := q.dob.Year; y != 0 {
		// Lists give approximate years: look one either side too.
		for _, yy := range []int{y - 1, y, y + 1} {
			tmp = yearKeys(tmp[:0], q.toks, yy)
			if t, ok := loneWord(q.toks); ok {
				tmp = append(tmp, oneWordYearKey(t, yy))
			}
			add(keyYear, tmp)
		}
	}
	slices.SortFunc(out, func(a, b queryKey) int {
		if a.h < b.h {
			return -1
		}
		if a.h > b.h {
			return 1
		}
		return int(b.kind) - int(a.kind)
	})
	return slices.CompactFunc(out, func(a, b queryKey) bool { return a.h == b.h })
}
