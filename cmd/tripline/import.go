package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"tripline"
	"tripline/importer"
)

func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import")
	format := fs.String("format", "", "file format: "+strings.Join(importer.Formats, ", ")+", or doc-alerts")
	source := fs.String("source", "", "source name (the id prefix); required for csv")
	asJSON := fs.Bool("json", false, "print one JSON summary per file")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	listVer := fs.String("list-version", "", "a published list's publication date (default: the file's own, e.g. the UN list's dateGenerated)")
	force := fs.Bool("force", false, "import a published list older than the one held (this node only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format == "" {
		return usagef("--format is required (%s, doc-alerts)", strings.Join(importer.Formats, ", "))
	}
	if fs.NArg() == 0 {
		return usagef("no FILE given")
	}
	n, err := openNode(ctx, env, *data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	for _, path := range fs.Args() {
		start := time.Now()
		var sum *tripline.ImportSummary
		if *format == "doc-alerts" {
			as, err := importer.ReadDocumentAlertsFile(ctx, path, *source)
			if err != nil {
				return err
			}
			if sum, err = n.Alerts.ImportDocumentAlerts(ctx, as[0].Source, as); err != nil {
				n.audited(ctx, "alert.import.failed", as[0].Source, path+": "+tripline.ErrorMessage(err))
				return fmt.Errorf("%s: %w", path, err)
			}
		} else {
			// The file streams into the store: a million-row CSV is stored
			// while it is read, in flat memory. The readers refuse a file
			// with no listings, which would withdraw the whole source.
			src, ls, err := importer.Stream(ctx, *format, path, *source, progressFor(env, path))
			if err != nil {
				return err
			}
			var readErr error // already names the file and line
			if sum, err = n.importList(ctx, *format, path, src, *listVer, *force, func(yield func(*tripline.Listing, error) bool) {
				for l, err := range ls {
					readErr = err
					if !yield(l, err) {
						return
					}
				}
			}); err != nil {
				// The store took nothing (one transaction); the attempt is
				// an action on the node all the same.
				n.audited(ctx, "listing.import.failed", src, path+": "+tripline.ErrorMessage(err))
				if err == readErr {
					return err
				}
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		action := "listing.import"
		if *format == "doc-alerts" {
			action = "alert.import"
		}
		if err := n.audited(ctx, action, sum.Source, fmt.Sprintf("%s: %d listings: %d added, %d updated, %d withdrawn, %d unchanged",
			path, sum.Listings, sum.Added, sum.Updated, sum.Withdrawn, sum.Unchanged)); err != nil {
			return err
		}
		if *asJSON {
			b, _ := json.Marshal(sum)
			fmt.Fprintln(env.Stdout, string(b))
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: %s: %d listings: %d added, %d updated, %d withdrawn, %d unchanged; %d events (%s)\n",
			path, sum.Source, sum.Listings, sum.Added, sum.Updated, sum.Withdrawn, sum.Unchanged, sum.Events, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// progressFor returns a progress callback drawing a bar on stderr when it is
// a terminal, and nil otherwise (pipes and logs get no control characters).
func progressFor(env *Env, path string) func(done, total int64) {
	f, ok := env.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription("reading "+path), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		_ = bar.Set64(done)
		if done >= total {
			_ = bar.Finish()
		}
	}
}
