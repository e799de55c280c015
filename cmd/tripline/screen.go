package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	"tripline"
	"tripline/paxlst"
	"tripline/screening"
)

var screenCommands = []*command{{
	name: "screen", usage: "[--paxlst FILE | --pnrgov FILE [--departure-country CC]] [--direction DIRECTION] [--partial] < TRAVELLERS",
	summary: "Screen travellers: JSON Lines on stdin, results on stdout.\n" +
		"One JSON result per input line, in the same order. A bad line gets a result carrying its error,\n" +
		"so lines stay aligned; the exit status is then 1. With --paxlst, the passengers of a manifest\n" +
		"instead: one cut short (no UNT/UNZ trailer) is refused unless --partial. With --pnrgov, every\n" +
		"passenger of a PNRGOV push, each result with its booking locator and co-travellers; a hit\n" +
		"before the flight leaves is reported to the originator and a partner of the departure country.",
	examples: []string{
		`echo '{"ref":"t-17","name":"Muhammad Taher Anwari","dob":"1961"}' | tripline screen`,
		"tripline screen --paxlst manifest.edi --direction out",
		"tripline screen --pnrgov push.edi --direction out --departure-country TR",
	},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		paxFile := fs.String("paxlst", "", "screen the passengers of this UN/EDIFACT PAXLST manifest `FILE` instead of stdin")
		pnrFile := fs.String("pnrgov", "", "screen every passenger of this UN/EDIFACT PNRGOV push `FILE` instead of stdin")
		direction := fs.String("direction", "in", "with --paxlst or --pnrgov: in, out or transit")
		depCountry := fs.String("departure-country", "", "with --pnrgov: the country the flight leaves from (default: the departure airport's, where known)")
		partial := fs.Bool("partial", false, "with --paxlst or --pnrgov: screen a message cut short (no UNT/UNZ trailer) instead of failing; every traveller of the cut message is then at least review")
		run := onIndexedNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			if *pnrFile != "" {
				return screenPNRFile(n.cliContext(ctx), env, n, *pnrFile, *direction, *depCountry, *partial)
			}
			return screen(ctx, env, n, *paxFile, *direction, *partial)
		})
		return func(ctx context.Context, args []string) error {
			switch {
			case *paxFile != "" && *pnrFile != "":
				return usagef("--paxlst and --pnrgov: give one")
			case *partial && *paxFile == "" && *pnrFile == "":
				return usagef("--partial applies to --paxlst or --pnrgov")
			case *depCountry != "" && *pnrFile == "":
				return usagef("--departure-country applies to --pnrgov")
			}
			return run(ctx, args)
		}
	},
}}

// screen is `tripline screen` (design.md §5).
func screen(ctx context.Context, env *Env, n *Node, paxFile, direction string, partial bool) error {
	ctx = n.cliContext(ctx)
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if paxFile != "" {
		return screenPAXLST(ctx, env, n, enc, paxFile, direction, partial)
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	bad := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		res, warn, err := screenLine(ctx, n, text)
		if warn != "" {
			fmt.Fprintf(env.Stderr, "line %d: warning: %s\n", line, warn)
		}
		if err != nil {
			bad++
			fmt.Fprintf(env.Stderr, "line %d: %s\n", line, tripline.ErrorMessage(err))
			res = screening.FailedResult(res.Ref, tripline.Errorf(tripline.ErrorCode(err), "line %d: %s", line, tripline.ErrorMessage(err)))
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if bad > 0 {
		out.Flush()
		return fmt.Errorf("%d of the input lines could not be screened", bad)
	}
	return nil
}

var refPattern = regexp.MustCompile(`"ref"\s*:\s*"([^"\\]*)"`)

// screenLine screens one JSON line; on error the returned result still
// carries the ref if it could be read. warn is what the line's result
// notes about input that was ignored (an impossible birth date: the
// traveller is screened without it, and the file goes on).
func screenLine(ctx context.Context, n *Node, text string) (res *tripline.Result, warn string, err error) {
	if text == "" {
		// An empty line still gets its result line: output line N answers
		// input line N, which tools that pair them rely on.
		return &tripline.Result{}, "", tripline.Errorf(tripline.EINVALID, "empty line: want a JSON traveller")
	}
	var in struct {
		tripline.Traveller
		MRZ string `json:"mrz,omitempty"`
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		ref := ""
		if m := refPattern.FindStringSubmatch(text); m != nil {
			ref = m[1] // a broken line keeps its ref where it can be read
		}
		return &tripline.Result{Ref: ref}, "", tripline.Errorf(tripline.EINVALID, "invalid JSON traveller: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	t := &in.Traveller
	if in.MRZ == "" {
		warn = t.DOBIgnored()
	}
	if in.MRZ != "" {
		res, _, err = n.Screener.ScreenMRZ(ctx, t.Ref, in.MRZ, t.Travel)
	} else {
		res, err = n.Screener.Screen(ctx, t)
	}
	if err == nil {
		res, err = n.Policy.Result(ctx, res, n.Index.Listing)
	}
	if err != nil {
		return &tripline.Result{Ref: t.Ref}, warn, err
	}
	return res, warn, nil
}

// screenPAXLST screens every traveller of a PAXLST file: one result line
// each, in manifest order; parser warnings go to stderr. A manifest cut
// short is an error (exit 1) unless partial is set; then what arrived is
// screened, each traveller of the cut message at least review.
func screenPAXLST(ctx context.Context, env *Env, n *Node, enc *json.Encoder, path, direction string, partial bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	pm, err := paxlst.ParseWith(f, paxlst.Options{Partial: partial})
	if err != nil {
		return parseError(path, err)
	}
	if pm.Incomplete != "" {
		fmt.Fprintf(env.Stderr, "%s: warning: manifest cut short, screened as it arrived: %s\n", path, pm.Incomplete)
	}
	m, warns := screening.FromPAXLST(pm, direction)
	for _, w := range warns {
		fmt.Fprintf(env.Stderr, "%s: warning: %s\n", path, w)
	}
	return screenManifest(ctx, n, enc, m)
}

// screenManifest screens m and writes each result, as the caller may see
// it, one line each in manifest order.
func screenManifest(ctx context.Context, n *Node, enc *json.Encoder, m *screening.Manifest) error {
	res, err := n.Screener.ScreenManifest(ctx, m)
	if err != nil {
		return err
	}
	for _, r := range res.Results {
		if r, err = n.Policy.Result(ctx, r, n.Index.Listing); err != nil {
			return err
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// parseError names the file of a parser's error and tells how to ask for
// partial processing on the command line.
func parseError(path string, err error) error {
	msg := strings.Replace(tripline.ErrorMessage(err), "ask for partial processing", "use --partial", 1)
	return tripline.Errorf(tripline.ErrorCode(err), "%s: %s", path, msg)
}
