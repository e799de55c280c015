package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressTerminal returns stderr when it is a terminal, for a progress
// display, and nil otherwise: pipes and logs get no control characters.
func progressTerminal(env *Env) *os.File {
	if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

// progressBar returns a bar of total steps on stderr, or nil when stderr
// is not a terminal. bytes shows the steps as sizes.
func progressBar(env *Env, total int64, what string, bytes bool) *progressbar.ProgressBar {
	f := progressTerminal(env)
	if f == nil {
		return nil
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionShowBytes(bytes),
		progressbar.OptionShowCount(), progressbar.OptionSetDescription(what),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
}

// progressFor returns a progress callback (done, total) for reading path,
// or nil when stderr is not a terminal.
func progressFor(env *Env, path string) func(done, total int64) {
	if progressTerminal(env) == nil {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressBar(env, total, "reading "+path, true)
		}
		_ = bar.Set64(done)
		if done >= total {
			_ = bar.Finish()
		}
	}
}

// progressSeeker reads f through a bar of passes times its size (a
// bundle is read twice: verified, then decoded), or is f itself when
// stderr is not a terminal.
func progressSeeker(env *Env, f *os.File, passes int64, what string) io.ReadSeeker {
	st, err := f.Stat()
	if err != nil {
		return f
	}
	bar := progressBar(env, passes*st.Size(), what, true)
	if bar == nil {
		return f
	}
	r := progressbar.NewReader(f, bar)
	return struct {
		io.Reader
		io.Seeker
	}{&r, f}
}
