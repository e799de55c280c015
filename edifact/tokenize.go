package edifact

import (
	"bytes"
	"fmt"
)

// Tokenize splits data into segments. It reads a UNA service string advice
// if there is one; without it, it takes the default service characters, or
// guesses the element and component separators from a UNB that does not use
// the defaults (with a warning). It returns the segments, the delimiters in
// force and the defects it tolerated.
//
// Tokenize returns an EINVALID error naming the line when a UNA is cut short
// or repeats a service character, a segment tag is not three letters or
// digits, unterminated text that is not a segment ends the input before
// any UNZ, or there are more than MaxSegments segments or MaxComponents
// components. Every loop advances at least one byte, so no input makes it
// hang.
func Tokenize(data []byte) ([]Segment, Delimiters, []Warning, error) {
	t := tokenizer{data: data, line: 1, d: Default}
	t.segs = make([]Segment, 0, min(MaxSegments, bytes.Count(data, []byte{'\''})+bytes.Count(data, []byte{'\n'})/2+1))
	err := t.run()
	return t.segs, t.d, t.warns, err
}

type tokenizer struct {
	data   []byte
	i      int
	line   int
	d      Delimiters
	segs   []Segment
	warns  []Warning
	sawUNZ bool
	comps  int // components of the segments read

	// The segment being read: its text with release characters resolved,
	// the end offset of each component in it, and how many components each
	// element has.
	buf   []byte
	ends  []int
	count []int
}

func (t *tokenizer) warn(line, seg int, format string, args ...any) {
	t.warns = append(t.warns, Warning{Line: line, Segment: seg, Message: fmt.Sprintf(format, args...)})
}

func (t *tokenizer) run() error {
	t.data = bytes.TrimPrefix(t.data, []byte("\xef\xbb\xbf"))
	t.skipSpace()
	if bytes.HasPrefix(t.data[t.i:], []byte("UNA")) {
		if err := t.una(); err != nil {
			return err
		}
	} else {
		t.guess()
	}
	for {
		t.skipSpace()
		if t.i >= len(t.data) {
			return nil
		}
		if len(t.segs) >= MaxSegments {
			return invalid("line %d: more than %d segments", t.line, MaxSegments)
		}
		if err := t.segment(); err != nil {
			return err
		}
	}
}

// una reads the service string advice at t.i.
func (t *tokenizer) una() error {
	line := t.line
	rest := t.data[t.i+3:]
	if len(rest) < 6 {
		return invalid("line %d: UNA service string advice is cut short: want 6 service characters, got %d", line, len(rest))
	}
	d := Delimiters{Component: rest[0], Element: rest[1], Decimal: rest[2], Release: rest[3], Repetition: rest[4], Segment: rest[5]}
	if d.Release == ' ' {
		d.Release = 0
	}
	if d.Repetition == ' ' {
		d.Repetition = 0
	}
	seen := map[byte]string{}
	for _, c := range []struct {
		name string
		b    byte
	}{{"component separator", d.Component}, {"element separator", d.Element}, {"release character", d.Release}, {"segment terminator", d.Segment}} {
		if c.b == 0 {
			continue
		}
		if other, dup := seen[c.b]; dup {
			return invalid("line %d: UNA uses %q as both %s and %s", line, c.b, other, c.name)
		}
		seen[c.b] = c.name
	}
	if d.Element == ' ' || d.Component == ' ' || d.Element == '\n' || d.Component == '\n' || d.Element == '\r' || d.Component == '\r' {
		return invalid("line %d: UNA separators must be visible characters", line)
	}
	t.d = d
	t.i += 9
	return nil
}

// guess looks at a UNB without UNA for separators other than the default:
// "UNB*UNOA:4*..." uses '*' between elements.
func (t *tokenizer) guess() {
	rest := t.data[t.i:]
	if len(rest) < 9 || !bytes.HasPrefix(rest, []byte("UNB")) || rest[3] == Default.Element {
		return
	}
	el, comp := rest[3], rest[8]
	if !bytes.HasPrefix(rest[4:], []byte("UNO")) || el == comp || isAlnum(el) || isAlnum(comp) || el <= ' ' || comp <= ' ' {
		return
	}
	t.d.Element = el
	t.d.Component = comp
	t.warn(t.line, 0, "no UNA: taking %q as element and %q as component separator from UNB", el, comp)
}

// skipSpace skips blanks, tabs and line ends between segments.
func (t *tokenizer) skipSpace() {
	for t.i < len(t.data) {
		switch t.data[t.i] {
		case '\n':
			t.line++
		case ' ', '\t', '\r', '\f', '\v':
		default:
			return
		}
		t.i++
	}
}

// lastEnd is where the open component starts in t.buf.
func (t *tokenizer) lastEnd() int {
	if len(t.ends) == 0 {
		return 0
	}
	return t.ends[len(t.ends)-1]
}

func (t *tokenizer) endComponent() {
	t.ends = append(t.ends, len(t.buf))
	t.count[len(t.count)-1]++
}

func (t *tokenizer) endElement() {
	t.endComponent()
	t.count = append(t.count, 0)
}

// build turns the segment read into elements of components, with one
// allocation for the text and two for the slices.
func (t *tokenizer) build() [][]string {
	text := string(t.buf)
	comps := make([]string, len(t.ends))
	start := 0
	for i, end := range t.ends {
		comps[i] = text[start:end]
		start = end
	}
	n := len(t.count) - 1 // the last count is the element not begun
	elems := make([][]string, n)
	k := 0
	for i := 0; i < n; i++ {
		elems[i] = comps[k : k+t.count[i] : k+t.count[i]]
		k += t.count[i]
	}
	return elems
}

// segment reads one segment starting at t.i.
func (t *tokenizer) segment() error {
	d := t.d
	start, line := t.i, t.line
	index := len(t.segs) + 1
	t.buf, t.ends, t.count = t.buf[:0], t.ends[:0], append(t.count[:0], 0)
	terminated, brokenLine, wrapped := false, false, false
	quote := false
loop:
	for t.i < len(t.data) {
		c := t.data[t.i]
		switch {
		case c == d.Release && d.Release != 0:
			if t.i+1 >= len(t.data) {
				t.i++
				break loop
			}
			if t.data[t.i+1] == '\n' {
				t.line++
			}
			t.buf = append(t.buf, t.data[t.i+1])
			t.i += 2
		case c == d.Segment && !d.newlineTerminated():
			t.i++
			terminated = true
			break loop
		case d.newlineTerminated() && (c == '\r' || c == '\n'):
			terminated = true
			break loop
		case c == d.Element:
			t.endElement()
			t.i++
			if err := t.budget(line); err != nil {
				return err
			}
		case c == d.Component:
			t.endComponent()
			t.i++
			if err := t.budget(line); err != nil {
				return err
			}
		case c == '\r' || c == '\n':
			if t.startsSegment(t.i) {
				// A line break where the terminator should be: the next
				// line is plainly a new segment.
				brokenLine = true
				// A typographic quote typed for the terminator ends the
				// open component; one before a separator is text.
				quote = bytes.HasSuffix(t.buf, []byte("\u2019")) && len(t.buf)-len("\u2019") >= t.lastEnd()
				if quote {
					t.buf = t.buf[:len(t.buf)-len("\u2019")]
				}
				terminated = true
				break loop
			}
			if c == '\n' {
				t.line++
			}
			wrapped = true
			t.i++
		default:
			t.buf = append(t.buf, c)
			t.i++
		}
	}
	t.endElement()
	if err := t.budget(line); err != nil {
		return err
	}
	t.comps += len(t.ends)
	elems := t.build()
	tag := elems[0][0]
	trimmed := string(bytes.TrimSpace([]byte(tag)))
	if !validTag(trimmed) {
		if !terminated && t.sawUNZ {
			t.warn(line, 0, "%d bytes of trailing text after UNZ ignored: %.20q", t.i-start, t.data[start:t.i])
			return nil
		}
		if !terminated && len(elems) == 1 && tagPrefix(trimmed) {
			// The input ends inside a segment tag ("...'NA"): a cut, which
			// Parse reports as a message without its trailer.
			t.warn(line, index, "input ends inside a segment tag %q", trimmed)
			return nil
		}
		if !terminated {
			return invalid("line %d: unterminated text %.20q where a segment was expected", line, t.data[start:t.i])
		}
		return invalid("segment %d (line %d): %.20q is not a segment tag", index, line, tag)
	}
	if trimmed != tag {
		t.warn(line, index, "space in segment tag %q", tag)
	}
	if t.sawUNZ {
		t.warn(line, index, "segment %s after UNZ", trimmed)
	}
	switch {
	case quote:
		t.warn(line, index, "segment %s ends in a typographic quote \u2019 and a line break instead of the terminator %q", trimmed, d.Segment)
	case brokenLine:
		t.warn(line, index, "segment %s not terminated before the line break", trimmed)
	case !terminated:
		t.warn(line, index, "segment %s not terminated at end of input", trimmed)
	}
	if wrapped {
		t.warn(line, index, "line break inside segment %s joined", trimmed)
	}
	if trimmed == "UNZ" {
		t.sawUNZ = true
	}
	t.segs = append(t.segs, Segment{Tag: trimmed, Elements: elems[1:], Index: index, Line: line, Cut: !terminated})
	return nil
}

// budget refuses the input once its components, the open segment's
// included, pass MaxComponents: checked at each separator, so one segment
// of nothing else cannot hold more.
func (t *tokenizer) budget(line int) error {
	if t.comps+len(t.ends) > MaxComponents {
		return invalid("line %d: more than %d components (data element values)", line, MaxComponents)
	}
	return nil
}

// tagPrefix reports whether s could be the start of a segment tag cut off
// by the end of the input: one or two upper-case letters or digits.
func tagPrefix(s string) bool {
	if len(s) == 0 || len(s) > 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) || (s[i] >= 'a' && s[i] <= 'z') {
			return false
		}
	}
	return true
}

// startsSegment reports whether the text after the line break at i begins
// a new segment: optional blanks, a three-letter tag, then an element
// separator or segment terminator.
func (t *tokenizer) startsSegment(i int) bool {
	j := i
	for j < len(t.data) && (t.data[j] == '\r' || t.data[j] == '\n' || t.data[j] == ' ' || t.data[j] == '\t') {
		j++
	}
	if j+3 >= len(t.data) {
		return false
	}
	for k := j; k < j+3; k++ {
		if c := t.data[k]; c < 'A' || c > 'Z' {
			return false
		}
	}
	next := t.data[j+3]
	return next == t.d.Element || next == t.d.Segment
}

func validTag(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if !isAlnum(s[i]) || (s[i] >= 'a' && s[i] <= 'z') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
