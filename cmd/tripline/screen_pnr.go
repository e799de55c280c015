package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"tripline"
	"tripline/pnrgov"
	"tripline/screening"
)

// screenPNRFile screens every passenger of a PNRGOV push: one result line
// each, bookings in order, each with its locator and co-travellers; the
// parser's warnings and whether the flight had left go to stderr. A hit
// is recorded as an encounter, so that a serving node on the same data
// directory reports it (to the originator, and before departure to a
// partner of the departure country).
func screenPNRFile(ctx context.Context, env *Env, n *Node, path, direction, depCountry string, partial bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open PNRGOV push: %w", err)
	}
	defer f.Close()
	pm, err := pnrgov.ParseWith(f, pnrgov.Options{Partial: partial})
	if err != nil {
		return parseError(path, err)
	}
	if pm.Incomplete != "" {
		fmt.Fprintf(env.Stderr, "%s: warning: push cut short, screened as it arrived: %s\n", path, pm.Incomplete)
	}
	m, sum, warns, err := screening.FromPNRGOV(pm, direction, depCountry, n.Now())
	if err != nil {
		return err
	}
	for _, w := range warns {
		fmt.Fprintf(env.Stderr, "%s: warning: %s\n", path, w)
	}
	if len(m.Travellers) == 0 {
		return tripline.Errorf(tripline.EINVALID, "%s: the push holds no passenger", path)
	}
	when := "has left"
	if sum.PreDeparture {
		when = "has not left: pre-departure"
	}
	fmt.Fprintf(env.Stderr, "%s: flight %s from %s (%s) departing %s %s; %d bookings, %d passengers\n", path,
		sum.Flight, sum.DepartPort, orUnknown(sum.DepartureCountry), orUnknown(sum.Departs), when, sum.Bookings, len(m.Travellers))
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return screenManifest(ctx, n, enc, m)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
