package edifact

import (
	"strconv"
	"strings"
)

// Interchange is a parsed UNB..UNZ interchange.
type Interchange struct {
	Delimiters Delimiters
	Sender     string // UNB sender identification
	Recipient  string // UNB recipient identification
	Prepared   string // UNB date and time of preparation as sent, "YYMMDD:HHMM"
	Control    string // UNB interchange control reference
	Messages   []*Message
	// Warnings holds tokenizer defects and envelope defects (counts and
	// references that do not agree, segments outside any message).
	Warnings []Warning
	// Incomplete holds the signs that the interchange was cut short or
	// lost part of itself: a message without its UNT trailer, a UNB
	// without its UNZ, a UNZ or UNE declaring more messages than arrived,
	// the input ending inside a segment. Empty for a whole interchange.
	// A reader that screens people from the interchange must not take a
	// cut one as whole: see Complete.
	Incomplete []Warning
}

// Complete returns nil for a whole interchange, else an EINVALID error
// naming every sign that it is not (see Incomplete).
func (ic *Interchange) Complete() error {
	if len(ic.Incomplete) == 0 {
		return nil
	}
	parts := make([]string, len(ic.Incomplete))
	for i, w := range ic.Incomplete {
		parts[i] = w.String()
	}
	return invalid("interchange is incomplete: %s", strings.Join(parts, "; "))
}

// Message is one UNH..UNT message.
type Message struct {
	Ref     string // UNH message reference number (0062)
	Type    string // message type, e.g. "PAXLST", "PNRGOV"
	Version string // version and release, e.g. "D:05B", "11:1"
	Agency  string // controlling agency and association code, e.g. "UN:IATA"
	// CommonRef is UNH common access reference (0068), which ties the parts
	// of a multi-part message together.
	CommonRef string
	// Part is the sequence of transfers (0070), zero when not given; First
	// and Final are the first-and-last-transfer codes C and F (0073).
	Part  int
	First bool
	Final bool
	// Group is the functional group (UNG) segment the message is in, if any.
	Group  *Segment
	Header Segment // the UNH segment
	// Segments are the segments between UNH and UNT, both excluded.
	Segments []Segment
	// Closed is false when the message ended without a UNT. A segment the
	// input ended inside (Segment.Cut) is then left out of Segments: it is
	// a fragment, and reading "NAD+FL+++SMI" as a traveller SMI would
	// invent a person.
	Closed bool
	// Dropped is that left-out fragment, nil when there is none.
	Dropped *Segment
}

// Parse tokenizes data and groups its segments into messages, checking the
// envelopes: UNT segment counts and references, UNE and UNZ counts and
// references. Disagreements become warnings (real feeds send wrong UNT
// segment counts); segments outside any message are warned about and
// ignored. A message cut off without UNT, a missing UNZ and a UNZ or UNE
// declaring more messages than arrived are kept and listed in Incomplete.
// Parse returns the tokenizer's EINVALID errors, and an EINVALID error when
// there is no UNH message at all.
func Parse(data []byte) (*Interchange, error) {
	segs, d, warns, err := Tokenize(data)
	if err != nil {
		return nil, err
	}
	ic := &Interchange{Delimiters: d, Warnings: warns}
	var (
		msg      *Message
		first    int // index in segs of the current message's first segment
		group    *Segment
		inGroup  int // messages in the current group
		groups   int
		sawUNB   bool
		sawUNZ   bool
		lastLine int
	)
	closeMsg := func(why string) {
		if msg == nil {
			return
		}
		ic.Incomplete = append(ic.Incomplete, msg.Header.Warn("message %s not closed by UNT before %s", msg.Ref, why))
		msg = nil
	}
	for i := range segs {
		s := &segs[i]
		lastLine = s.Line
		switch s.Tag {
		case "UNB":
			closeMsg("UNB")
			if sawUNB {
				ic.Warnings = append(ic.Warnings, s.Warn("second UNB in one interchange"))
			}
			sawUNB = true
			ic.Sender, ic.Recipient = s.Value(1, 0), s.Value(2, 0)
			ic.Prepared = strings.Join(trimEmpty(s.Element(3)), ":")
			ic.Control = s.Value(4, 0)
		case "UNG":
			closeMsg("UNG")
			group, inGroup = s, 0
			groups++
		case "UNE":
			closeMsg("UNE")
			if group == nil {
				ic.Warnings = append(ic.Warnings, s.Warn("UNE without UNG"))
				continue
			}
			if n, ok := count(s.Value(0, 0)); ok && n > inGroup {
				ic.Incomplete = append(ic.Incomplete, s.Warn("UNE declares %d messages; group has %d", n, inGroup))
			} else if ok && n != inGroup {
				ic.Warnings = append(ic.Warnings, s.Warn("UNE declares %d messages; group has %d", n, inGroup))
			}
			if ref := s.Value(1, 0); ref != group.Value(4, 0) {
				ic.Warnings = append(ic.Warnings, s.Warn("UNE reference %q does not match UNG reference %q", ref, group.Value(4, 0)))
			}
			group = nil
		case "UNZ":
			closeMsg("UNZ")
			sawUNZ = true
			want, what := len(ic.Messages), "messages"
			if groups > 0 {
				want, what = groups, "groups"
			}
			if n, ok := count(s.Value(0, 0)); ok && n > want {
				ic.Incomplete = append(ic.Incomplete, s.Warn("UNZ declares %d %s; interchange has %d", n, what, want))
			} else if ok && n != want {
				ic.Warnings = append(ic.Warnings, s.Warn("UNZ declares %d %s; interchange has %d", n, what, want))
			}
			if ref := s.Value(1, 0); sawUNB && ref != ic.Control {
				ic.Warnings = append(ic.Warnings, s.Warn("UNZ reference %q does not match UNB reference %q", ref, ic.Control))
			}
		case "UNH":
			closeMsg("the next UNH")
			msg = newMessage(s, group)
			first = i + 1
			ic.Messages = append(ic.Messages, msg)
			inGroup++
		case "UNT":
			if msg == nil {
				ic.Warnings = append(ic.Warnings, s.Warn("UNT outside a message"))
				continue
			}
			msg.Closed = true
			if n, ok := count(s.Value(0, 0)); !ok {
				ic.Warnings = append(ic.Warnings, s.Warn("UNT segment count %q is not a number", s.Value(0, 0)))
			} else if have := len(msg.Segments) + 2; n != have {
				ic.Warnings = append(ic.Warnings, s.Warn("UNT declares %d segments; message has %d", n, have))
			}
			if ref := s.Value(1, 0); ref != msg.Ref {
				ic.Warnings = append(ic.Warnings, s.Warn("UNT reference %q does not match UNH reference %q", ref, msg.Ref))
			}
			msg = nil
		default:
			if msg == nil {
				ic.Warnings = append(ic.Warnings, s.Warn("segment %s outside a message ignored", s.Tag))
				continue
			}
			if s.Cut {
				// Only the last segment can be cut, so the message ends
				// here without its UNT; the fragment is not data.
				msg.Dropped = s
				ic.Incomplete = append(ic.Incomplete, s.Warn("input ends inside segment %s; the fragment is dropped", s.Tag))
				continue
			}
			// Message segments are contiguous: share the tokenizer's slice.
			msg.Segments = segs[first : i+1 : i+1]
		}
	}
	if msg != nil {
		ic.Incomplete = append(ic.Incomplete, Warning{Line: lastLine, Message: "message " + msg.Ref + " not closed by UNT at end of input"})
	}
	if sawUNB && !sawUNZ {
		ic.Incomplete = append(ic.Incomplete, Warning{Line: lastLine, Message: "no UNZ trailer at end of input"})
	}
	if len(ic.Messages) == 0 {
		return nil, invalid("no UNH message header in %d segments", len(segs))
	}
	if !sawUNB {
		ic.Warnings = append(ic.Warnings, Warning{Line: 1, Message: "no UNB interchange header"})
	}
	return ic, nil
}

func newMessage(s *Segment, group *Segment) *Message {
	m := &Message{Header: *s, Group: group, Ref: s.Value(0, 0)}
	id := s.Element(1)
	if len(id) > 0 {
		m.Type = id[0]
	}
	if len(id) > 2 {
		m.Version = strings.Join(id[1:3], ":")
	}
	if len(id) > 3 {
		m.Agency = strings.Join(trimEmpty(id[3:]), ":")
	}
	m.CommonRef = s.Value(2, 0)
	if n, err := strconv.Atoi(strings.TrimSpace(s.Value(3, 0))); err == nil && n > 0 {
		m.Part = n
	}
	switch strings.TrimSpace(s.Value(3, 1)) {
	case "C":
		m.First = true
	case "F":
		m.Final = true
	}
	return m
}

// count parses a segment or message count; leading zeros are allowed.
func count(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= 0
}

// trimEmpty drops trailing empty components.
func trimEmpty(c []string) []string {
	for len(c) > 0 && c[len(c)-1] == "" {
		c = c[:len(c)-1]
	}
	return c
}
