package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"tripline/mrz"
)

var mrzCommands = []*command{{
	name: "mrz parse", usage: "[--tolerant] < MRZ",
	summary: "Parse the MRZ of a travel document: its 2 or 3 lines on stdin.\n" +
		"Prints JSON with each check digit's result; exits 1 when a check fails.",
	examples: []string{`printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n' | tripline mrz parse`},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		tolerant := fs.Bool("tolerant", false, "propose the OCR correction (O/0, I/1, S/5, B/8) that makes the checks pass")
		return func(_ context.Context, _ []string) error { return parseMRZ(env, *tolerant) }
	},
}}

// parseMRZ is `tripline mrz parse`: one MRZ on stdin, JSON on stdout.
func parseMRZ(env *Env, tolerant bool) error {
	in, err := io.ReadAll(io.LimitReader(env.Stdin, 64<<10))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	parse := mrz.Parse
	if tolerant {
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
