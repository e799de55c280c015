package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"tripline/mrz"
)

// runMRZ implements `tripline mrz parse`: one MRZ (2 or 3 lines) on stdin,
// JSON on stdout, exit status 1 when a check fails.
func runMRZ(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "parse" {
		return usagef("want: mrz parse [--tolerant]")
	}
	fs := newFlags(env, "mrz parse")
	tolerant := fs.Bool("tolerant", false, "propose the OCR correction (O/0, I/1, S/5, B/8) that makes the checks pass")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	in, err := io.ReadAll(io.LimitReader(env.Stdin, 64<<10))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	parse := mrz.Parse
	if *tolerant {
		parse = mrz.ParseTolerant
	}
	res, err := parse(string(in), mrz.Options{Now: time.Now()})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false) // MRZ lines are full of '<'
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	if !res.Valid {
		for _, e := range res.Errors {
			fmt.Fprintln(env.Stderr, e)
		}
		return errSilent
	}
	return nil
}
