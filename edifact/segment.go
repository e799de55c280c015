// Package edifact splits UN/EDIFACT interchanges (ISO 9735) into segments,
// elements and components, and groups them into messages by their UNB/UNG/
// UNH/UNT/UNE/UNZ envelopes. It knows nothing of any message type: paxlst and
// pnrgov read the segments it returns.
//
// Real feeds are sloppy, so the tokenizer is lenient where the meaning is
// still clear — blank lines, CR/LF and leading spaces between segments, a
// space after a segment tag, a line break where a segment terminator is
// missing, wrong UNT counts, trailing text after UNZ — and records each such
// defect as a Warning. It returns a coded tripline EINVALID error only when
// the text cannot be read as segments at all.
package edifact

import (
	"fmt"
	"io"
	"strings"

	"tripline"
)

// MaxSize is the largest interchange Read accepts, MaxSegments the most
// segments Tokenize reads and MaxComponents the most components (data
// element values) of all of them. A PAXLST for the largest aircraft is well
// under a megabyte and a PNRGOV push a few megabytes; the limits keep a
// hostile upload from exhausting memory. Real interchanges hold one
// component per 5 to 7 bytes, so MaxComponents admits any of MaxSize;
// each component costs some 40 bytes held, and 16 MiB of bare separators
// took a gigabyte.
const (
	MaxSize       = 16 << 20
	MaxSegments   = 1_000_000
	MaxComponents = MaxSize / 4
)

// Delimiters are the service characters of an interchange, as a UNA service
// string advice gives them. A zero Release or Repetition means none is used.
// Repetition is recorded but never split on: the API and PNR feeds in use
// put '*' in plain text (e.g. "APIS*C3K") while declaring it as repetition.
type Delimiters struct {
	Component  byte
	Element    byte
	Decimal    byte
	Release    byte
	Repetition byte
	Segment    byte
}

// Default holds the service characters of syntax level A when there is no
// UNA: ":+.? '" with '*' for repetition (ISO 9735 version 4).
var Default = Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: '*', Segment: '\''}

// newlineTerminated reports whether segments end at line ends, as when a
// UNA names CR or LF as the segment terminator.
func (d Delimiters) newlineTerminated() bool { return d.Segment == '\r' || d.Segment == '\n' }

// UNA returns the service string advice for d, e.g. "UNA:+.? '".
func (d Delimiters) UNA() string {
	b := []byte{'U', 'N', 'A', d.Component, d.Element, d.Decimal, d.Release, d.Repetition, d.Segment}
	for i := 3; i < len(b); i++ {
		if b[i] == 0 {
			b[i] = ' '
		}
	}
	return string(b)
}

// Warning is a defect that did not stop parsing. Line and Segment are
// 1-based and zero when unknown; Segment counts segments from UNB, the UNA
// service string not included.
type Warning struct {
	Line    int    `json:"line,omitempty"`
	Segment int    `json:"segment,omitempty"`
	Message string `json:"message"`
}

// String formats w as "segment 12 (line 4): message".
func (w Warning) String() string {
	switch {
	case w.Segment > 0 && w.Line > 0:
		return fmt.Sprintf("segment %d (line %d): %s", w.Segment, w.Line, w.Message)
	case w.Segment > 0:
		return fmt.Sprintf("segment %d: %s", w.Segment, w.Message)
	case w.Line > 0:
		return fmt.Sprintf("line %d: %s", w.Line, w.Message)
	}
	return w.Message
}

// Segment is one segment with release characters resolved.
type Segment struct {
	Tag string
	// Elements are the data elements after the tag, each a list of
	// components: NAD+FL+++DOE:JOHN has Elements [["FL"] [""] [""] ["DOE" "JOHN"]].
	Elements [][]string
	Index    int // 1-based position in the interchange, UNA not counted
	Line     int // 1-based line on which the segment starts
	// Cut is set on a segment the input ended inside, before its
	// terminator: its last element may be a fragment ("NAD+FL+++SMI").
	Cut bool
}

// Element returns the components of data element i (0-based, after the
// tag), or nil when the segment has fewer elements.
func (s *Segment) Element(i int) []string {
	if i < 0 || i >= len(s.Elements) {
		return nil
	}
	return s.Elements[i]
}

// Value returns component c of data element e (both 0-based), or "" when
// absent. Value(0, 0) of NAD+FL+++DOE:JOHN is "FL".
func (s *Segment) Value(e, c int) string {
	el := s.Element(e)
	if c < 0 || c >= len(el) {
		return ""
	}
	return el[c]
}

// Where names the segment for messages: "segment 14 (NAD, line 3)".
func (s *Segment) Where() string {
	return fmt.Sprintf("segment %d (%s, line %d)", s.Index, s.Tag, s.Line)
}

// Warn returns a warning located at s.
func (s *Segment) Warn(format string, args ...any) Warning {
	return Warning{Line: s.Line, Segment: s.Index, Message: fmt.Sprintf(format, args...)}
}

// String encodes s with the default delimiters, for logs and tests.
func (s *Segment) String() string { return s.Encode(Default) }

// Encode writes s with delimiters d, releasing service characters in the
// data and ending with d's segment terminator.
func (s *Segment) Encode(d Delimiters) string {
	var b strings.Builder
	b.WriteString(s.Tag)
	for _, el := range s.Elements {
		b.WriteByte(d.Element)
		for j, c := range el {
			if j > 0 {
				b.WriteByte(d.Component)
			}
			b.WriteString(Escape(c, d))
		}
	}
	b.WriteByte(d.Segment)
	return b.String()
}

// Escape releases every service character of d in s so that s can be
// written as one component.
func Escape(s string, d Delimiters) string {
	if d.Release == 0 || !strings.ContainsAny(s, string([]byte{d.Component, d.Element, d.Release, d.Segment})) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case d.Component, d.Element, d.Release, d.Segment:
			b.WriteByte(d.Release)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Read reads a whole interchange from r and parses it like Parse. It returns
// an EINVALID error for input larger than MaxSize, and r's error if reading
// fails.
func Read(r io.Reader) (*Interchange, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read interchange: %w", err)
	}
	if len(data) > MaxSize {
		return nil, tripline.Errorf(tripline.EINVALID, "interchange larger than %d bytes", MaxSize)
	}
	return Parse(data)
}

// invalid returns a coded EINVALID error.
func invalid(format string, args ...any) error {
	return tripline.Errorf(tripline.EINVALID, format, args...)
}
