package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"tripline"
	"tripline/importer"
)

// importFormats are the formats of `tripline import`: the listing formats
// of the importer, and document alerts.
var importFormats = append(slices.Clone(importer.Formats), "doc-alerts")

var importCommands = []*command{{
	name: "import", args: "FILE...", usage: "--format FORMAT [--source NAME] [--json]",
	summary: "Import watchlist or document-alert files.\n" +
		"Idempotent: the same file twice changes nothing; a newer version of a list updates what changed and\n" +
		"withdraws what disappeared, all in one transaction. For ofac-sdn, FILE is the sdn.csv of the legacy\n" +
		"export; add.csv and alt.csv beside it are read too. csv is the agency template (docs/csv-template.md),\n" +
		"doc-alerts revoked, stolen or lost travel documents (docs/alerts-sample.csv).",
	examples: []string{
		"tripline import --format un-xml cmd/tripline/sample/un_sc_consolidated_2024-09-26.xml",
		"tripline import --format csv --source agency-x docs/listing-template.csv",
		"tripline import --format doc-alerts --source tr-police --json docs/alerts-sample.csv",
	},
	flags: importFlags,
}}

func importFlags(fs *flag.FlagSet, env *Env) runFunc {
	format := fs.String("format", "", "the file format: "+strings.Join(importFormats, ", "))
	source := fs.String("source", "", "the source name, the prefix of every id; required for csv and doc-alerts")
	asJSON := fs.Bool("json", false, "print one JSON summary per file")
	listVer := fs.String("list-version", "", "a published list's publication date (default: the file's own, e.g. the UN list's dateGenerated)")
	force := fs.Bool("force", false, "import a published list older than the one held (this node only)")
	data := dataFlag(fs, env)
	return func(ctx context.Context, args []string) error {
		switch {
		case *format == "":
			return usagef("--format is required: %s", strings.Join(importFormats, ", "))
		case !slices.Contains(importFormats, *format):
			return usagef("--format: %q is not one of %s", *format, strings.Join(importFormats, ", "))
		case (*format == "csv" || *format == "doc-alerts") && strings.TrimSpace(*source) == "":
			return usagef("--source is required for %s: the agency or list the file comes from", *format)
		}
		return importFiles(ctx, env, *data, *format, *source, *asJSON, published{*listVer, *force}, args)
	}
}

// importFiles imports each file in turn into the node of data.
func importFiles(ctx context.Context, env *Env, data, format, source string, asJSON bool, pub published, files []string) error {
	n, err := openNode(ctx, env, data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	for _, path := range files {
		start := time.Now()
		var sum *tripline.ImportSummary
		if format == "doc-alerts" {
			as, err := importer.ReadDocumentAlertsFile(ctx, path, source)
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
			src, ls, err := importer.Stream(ctx, format, path, source, progressFor(env, path))
			if err != nil {
				return err
			}
			var readErr error // already names the file and line
			if sum, err = n.importList(ctx, format, path, src, pub.version, pub.force, func(yield func(*tripline.Listing, error) bool) {
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
		action, what := "listing.import", "listings"
		if format == "doc-alerts" {
			action, what = "alert.import", "document alerts"
		}
		if err := n.audited(ctx, action, sum.Source, fmt.Sprintf("%s: %d %s: %d added, %d updated, %d withdrawn, %d unchanged",
			path, sum.Listings, what, sum.Added, sum.Updated, sum.Withdrawn, sum.Unchanged)); err != nil {
			return err
		}
		if asJSON {
			b, _ := json.Marshal(sum)
			fmt.Fprintln(env.Stdout, string(b))
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: %s: %d %s: %d added, %d updated, %d withdrawn, %d unchanged; %d events (%s)\n",
			path, sum.Source, sum.Listings, what, sum.Added, sum.Updated, sum.Withdrawn, sum.Unchanged, sum.Events, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
