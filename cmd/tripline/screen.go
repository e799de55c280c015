package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"tripline"
	"tripline/paxlst"
	"tripline/screening"
)

// runScreen reads JSON Lines travellers on stdin and writes one JSON Lines
// result per input line, same order (design.md §5). A bad line gets a result
// carrying its error, so line numbers stay aligned; the exit status is 1 if
// any line was bad.
func runScreen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "screen")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	paxFile := fs.String("paxlst", "", "screen the passengers of this UN/EDIFACT PAXLST manifest instead of stdin")
	direction := fs.String("direction", "in", "with --paxlst: in, out or transit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	n, err := openNode(ctx, env, *data, true, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	ctx = n.cliContext(ctx)
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if *paxFile != "" {
		return screenPAXLST(ctx, env, n, enc, *paxFile, *direction)
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
// each, in manifest order; parser warnings go to stderr.
func screenPAXLST(ctx context.Context, env *Env, n *Node, enc *json.Encoder, path, direction string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	pm, err := paxlst.Parse(f)
	if err != nil {
		return tripline.Errorf(tripline.ErrorCode(err), "%s: %s", path, tripline.ErrorMessage(err))
	}
	m, warns := screening.FromPAXLST(pm, direction)
	for _, w := range warns {
		fmt.Fprintf(env.Stderr, "%s: warning: %s\n", path, w)
	}
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
