// Package paxlst reads UN/EDIFACT PAXLST advance passenger information
// (API) manifests — passenger and crew lists of directories D02B, D03B and
// D05B as profiled by the WCO/IATA/ICAO API guidelines — into travellers to
// screen.
//
// Parsing is lenient with the defects real carrier feeds carry (wrong UNT and
// CNT counts, blank lines, leading spaces, odd service characters, text after
// UNZ) and reports each as a Warning; it fails with a coded tripline EINVALID
// error, naming the segment and line, when the manifest cannot be read:
// no UNH, text that is not segments, a traveller without a surname — and
// when it was cut short (a message without its UNT, no UNZ after a UNB),
// unless the caller asks for partial processing (Options.Partial).
package paxlst

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"tripline"
	"tripline/edifact"
)

// Warning is a defect in a manifest that did not stop parsing. Line and
// Segment are 1-based, zero when unknown.
type Warning = edifact.Warning

// Manifest types.
const (
	TypePassenger = "passenger"
	TypeCrew      = "crew"
)

// Manifest is one API manifest: one flight's passengers or crew. A manifest
// sent as several messages (parts) is returned merged.
type Manifest struct {
	// MessageRef is the UNH message reference of the first part.
	MessageRef string
	// CommonRef is the UNH common access reference tying parts together.
	CommonRef string
	// Version is the directory, e.g. "D:05B".
	Version string
	// Type is TypePassenger or TypeCrew, from the BGM document code (745
	// passenger list; 250, 336 crew lists) or, failing that, from the
	// travellers' roles.
	Type string
	// DocumentCode is the BGM document name code as sent, e.g. "745".
	DocumentCode string
	// DocumentID is the BGM document identifier, or the RFF+TN transaction
	// reference number when the BGM has none.
	DocumentID string
	// Sender and Recipient are the UNB parties; Prepared is the UNB date
	// and time as sent ("YYMMDD:HHMM").
	Sender, Recipient, Prepared string
	// Reporter is the NAD+MS reporting party's name and Phones its COM
	// numbers.
	Reporter string
	Phones   []string
	// Parts lists the messages the manifest was assembled from, in order.
	Parts []Part
	// Legs are the flight legs in the order sent (one TDT group each).
	Legs []Leg
	// Travellers are the passengers or crew members, in the order sent.
	Travellers []Passenger
	// Declared is the CNT total number of passengers (42) or crew (41),
	// -1 when the manifest declares none.
	Declared int
	// Warnings are the defects tolerated while parsing.
	Warnings []Warning
	// Incomplete says why the manifest is not whole when it was read with
	// Options.Partial from a cut interchange; "" when it is whole.
	Incomplete string

	base  []Warning // warnings found while parsing, before checks and merging
	cntAt Warning   // position of the CNT segment, for the count warning
}

// Part is one message of a manifest.
type Part struct {
	MessageRef string
	Seq        int  // UNH sequence of transfers, zero when not given
	First      bool // UNH first-transfer code C
	Final      bool // UNH last-transfer code F
	Travellers int  // travellers in this part
}

// Leg is one flight leg (a TDT segment group). Times are the local times of
// the port as sent, carried in a time.Time whose location is UTC because
// PAXLST gives no zone; zero when not sent.
type Leg struct {
	Carrier    string // airline designator, from TDT or the flight number's prefix
	Flight     string // TDT conveyance reference, e.g. "UA0989"
	DepartPort string // LOC+125, or the first LOC+92 of the leg
	DepartTime time.Time
	ArrivePort string // LOC+87, or the second LOC+92 of the leg
	ArriveTime time.Time
}

// Passenger is one traveller of a manifest, passenger or crew. Role is the
// NAD party qualifier: FL passenger, FM crew member, DDT in-transit
// passenger, DDU in-transit crew member.
type Passenger struct {
	Role       string
	Crew       bool
	Transit    bool
	Surname    string
	GivenNames string // given and further names, space-separated
	Address    Address
	Sex        tripline.Sex // ATT+2: M, F, X, or "" when unknown
	DOB        tripline.PartialDate
	BirthPlace string // LOC+180
	// Nationality is NAT+2; Residence is LOC+174 (country of residence).
	Nationality string
	Residence   string
	// Embark (LOC+178), Debark (LOC+179) and Clearance (LOC+22, port of
	// first arrival / clearance) are the traveller's own ports.
	Embark, Debark, Clearance string
	Documents                 []Document
	Booking                   string   // RFF+AVF reservation locator
	Seat                      string   // RFF+SEA
	Refs                      []Ref    // every RFF as sent, AVF and SEA included
	Status                    []string // GEI indicators
	FreeText                  []string // FTX texts
	Bags                      int      // MEA number of checked bags, when sent
	// Legs are the manifest's legs, shared by all its travellers, so that
	// Traveller can tell which flight the traveller crosses on.
	Legs []Leg
	// Segment and Line locate the traveller's NAD.
	Segment, Line int
	// Incomplete says why the traveller's data may be cut (the message
	// ended without its UNT); "" when the message was whole. Only set
	// with Options.Partial: such a traveller is never to be cleared on
	// what arrived.
	Incomplete string
}

// Address is a NAD street address; empty for most travellers.
type Address struct {
	Street, City, Region, PostalCode, Country string
}

// String joins the non-empty parts with ", ".
func (a Address) String() string {
	var parts []string
	for _, p := range []string{a.Street, a.City, a.Region, a.PostalCode, a.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Document is a DOC segment group. Expiry and Issued are YYYY-MM-DD.
type Document struct {
	Type    string // DOC document name code: P passport, V visa, I identity card, ...
	Number  string
	Country string // LOC+91 issuing country
	Expiry  string // DTM+36
	Issued  string // DTM+182
}

// Ref is one RFF reference: qualifier (AVF, SEA, ABO, AEA, CR, ...) and value.
type Ref struct {
	Qualifier string
	Value     string
}

// Name returns the traveller's name as "GIVEN NAMES SURNAME".
func (p *Passenger) Name() string {
	return strings.TrimSpace(p.GivenNames + " " + p.Surname)
}

// Traveller converts p for screening. ref is the caller's reference for the
// traveller; direction is "in", "out" or "transit" as seen from the
// screening state. The travel context is the leg that crosses it: for "in"
// the leg arriving at the traveller's debarkation port (LOC+179, else +22;
// else the last leg), for "out" the leg leaving the embarkation port (else
// the first leg), for "transit" the first leg's arrival when there are
// several legs. Date is the arrival date for "in" and "transit", the
// departure date otherwise. The first document, a passport if there is one,
// becomes Document.
func (p *Passenger) Traveller(ref, direction string) *tripline.Traveller {
	t := &tripline.Traveller{
		Ref:         ref,
		GivenNames:  p.GivenNames,
		Surname:     p.Surname,
		DOB:         p.DOB,
		Sex:         p.Sex,
		Nationality: p.Nationality,
		Seat:        p.Seat,
		Booking:     p.Booking,
		Crew:        p.Crew,
	}
	if d := p.document(); d != nil {
		t.Document = &tripline.Document{Type: d.Type, Number: d.Number, Country: d.Country, Expiry: d.Expiry}
	}
	travel := &tripline.Travel{Direction: direction}
	if leg, port, arriving := p.leg(direction); leg != nil {
		travel.Port, travel.Flight = port, leg.Flight
		when := leg.DepartTime
		if arriving {
			when = leg.ArriveTime
		}
		if !when.IsZero() {
			travel.Date = when.Format(time.DateOnly)
		}
	} else {
		travel.Port = p.Debark
		if direction == "out" {
			travel.Port = p.Embark
		}
	}
	t.Travel = travel
	return t
}

// document returns the passport, else the first document, else nil.
func (p *Passenger) document() *Document {
	for i := range p.Documents {
		if p.Documents[i].Type == "P" {
			return &p.Documents[i]
		}
	}
	if len(p.Documents) > 0 {
		return &p.Documents[0]
	}
	return nil
}

// leg picks the leg crossing the border in direction; see Traveller.
func (p *Passenger) leg(direction string) (leg *Leg, port string, arriving bool) {
	if len(p.Legs) == 0 {
		return nil, "", false
	}
	switch direction {
	case "out":
		want := p.Embark
		for i := range p.Legs {
			if want != "" && p.Legs[i].DepartPort == want {
				return &p.Legs[i], want, false
			}
		}
		return &p.Legs[0], p.Legs[0].DepartPort, false
	case "transit":
		if len(p.Legs) > 1 {
			return &p.Legs[0], p.Legs[0].ArrivePort, true
		}
	}
	for _, want := range []string{p.Debark, p.Clearance} {
		for i := range p.Legs {
			if want != "" && p.Legs[i].ArrivePort == want {
				return &p.Legs[i], want, true
			}
		}
	}
	last := &p.Legs[len(p.Legs)-1]
	return last, last.ArrivePort, true
}

// Options configure parsing.
type Options struct {
	// Partial reads an interchange that was cut short (a message without
	// its UNT trailer, a UNB without its UNZ, fewer messages than the UNZ
	// declares) instead of failing: what arrived is returned with
	// Manifest.Incomplete set, and the travellers of a cut message carry
	// Passenger.Incomplete. The segment the input ended inside is dropped,
	// so a traveller cut mid-name is not read as someone else.
	Partial bool
}

// Parse reads one interchange holding one manifest, possibly sent as
// several parts, and returns it merged. It returns an EINVALID error naming
// the segment and line when the text is not a readable PAXLST, when it was
// cut short (naming what is missing), when it holds several distinct
// manifests (use ParseAll), or a read error from r.
func Parse(r io.Reader) (*Manifest, error) { return ParseWith(r, Options{}) }

// ParseWith is Parse with options.
func ParseWith(r io.Reader, opts Options) (*Manifest, error) {
	ms, err := ParseAllWith(r, opts)
	if err != nil {
		return nil, err
	}
	if len(ms) != 1 {
		return nil, tripline.Errorf(tripline.EINVALID, "paxlst: interchange holds %d manifests, want 1", len(ms))
	}
	return ms[0], nil
}

// ParseAll reads one interchange and returns its manifests, the parts of
// multi-part manifests merged (see Merge), in the order their first parts
// appear. Interchange-level warnings go to the first manifest. Errors are as
// for Parse.
func ParseAll(r io.Reader) ([]*Manifest, error) { return ParseAllWith(r, Options{}) }

// ParseAllWith is ParseAll with options.
func ParseAllWith(r io.Reader, opts Options) ([]*Manifest, error) {
	ic, err := edifact.Read(r)
	if err != nil {
		return nil, wrap(err)
	}
	incomplete := ""
	if err := ic.Complete(); err != nil {
		if !opts.Partial {
			// A cut manifest screened as whole clears the travellers it
			// lost data of; the caller must opt in to partial processing.
			return nil, tripline.Errorf(tripline.EINVALID, "paxlst: %s (ask for partial processing to screen what arrived, each traveller of a cut message as review)", tripline.ErrorMessage(err))
		}
		incomplete = tripline.ErrorMessage(err)
		ic.Warnings = append(ic.Warnings, ic.Incomplete...)
	}
	refYear := preparedYear(ic.Prepared)
	var parts []*Manifest
	for i, msg := range ic.Messages {
		if msg.Type != "PAXLST" {
			return nil, tripline.Errorf(tripline.EINVALID, "paxlst: %s: message %d is %q, not PAXLST", msg.Header.Where(), i+1, msg.Type)
		}
		m, err := parseMessage(msg, refYear)
		if err != nil {
			return nil, err
		}
		m.Sender, m.Recipient, m.Prepared = ic.Sender, ic.Recipient, ic.Prepared
		if !msg.Closed {
			why := fmt.Sprintf("message %s was cut short (no UNT trailer): this traveller's data may be incomplete", msg.Ref)
			for i := range m.Travellers {
				m.Travellers[i].Incomplete = why
			}
		}
		parts = append(parts, m)
	}
	parts[0].Warnings = append(slices.Clone(ic.Warnings), parts[0].Warnings...)
	for _, p := range parts {
		p.base, p.Warnings = p.Warnings, nil
	}
	groups := map[string][]*Manifest{}
	var order []string
	for i, p := range parts {
		k := partKey(p)
		if k == "" {
			k = fmt.Sprintf("message:%d", i)
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], p)
	}
	var out []*Manifest
	for _, k := range order {
		g := groups[k]
		if len(g) == 1 && g[0].Parts[0].Seq == 0 {
			g[0].check()
			out = append(out, g[0])
			continue
		}
		m, err := Merge(g...)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, m := range out {
		m.Incomplete = incomplete
	}
	return out, nil
}

// partKey says which messages are parts of one manifest: those sharing a
// common access reference, else those with part numbers for the same first
// flight and document type.
func partKey(m *Manifest) string {
	if m.CommonRef != "" {
		return "ref:" + m.CommonRef
	}
	if m.Parts[0].Seq == 0 {
		return ""
	}
	var flight, dep string
	if len(m.Legs) > 0 {
		flight = m.Legs[0].Flight
		dep = m.Legs[0].DepartTime.Format(time.DateOnly)
	}
	return "leg:" + m.DocumentCode + "/" + flight + "/" + dep
}

// wrap makes a tokenizer error a paxlst one, keeping its code.
func wrap(err error) error {
	if tripline.ErrorCode(err) == tripline.EINVALID {
		return tripline.Errorf(tripline.EINVALID, "paxlst: %s", tripline.ErrorMessage(err))
	}
	return fmt.Errorf("paxlst: %w", err)
}

// preparedYear returns the four-digit year of a UNB preparation date
// ("YYMMDD:HHMM" or "CCYYMMDD:HHMM"), or 0 when there is none.
func preparedYear(prepared string) int {
	d, _, _ := strings.Cut(prepared, ":")
	if !digits(d) {
		return 0
	}
	switch len(d) {
	case 6:
		y, _ := strconv.Atoi(d[:2])
		return 2000 + y
	case 8:
		y, _ := strconv.Atoi(d[:4])
		return y
	}
	return 0
}

// sortWarnings orders warnings by line, then segment; those without a
// position go last, each group keeping its order.
func sortWarnings(ws []Warning) {
	key := func(n int) int {
		if n == 0 {
			return int(^uint(0) >> 1)
		}
		return n
	}
	slices.SortStableFunc(ws, func(a, b Warning) int {
		if c := cmp.Compare(key(a.Line), key(b.Line)); c != 0 {
			return c
		}
		return cmp.Compare(key(a.Segment), key(b.Segment))
	})
}
