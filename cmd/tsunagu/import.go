package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/tsunagu/tsunagu/internal/hrimport"
	"github.com/tsunagu/tsunagu/internal/org"
)

// importUsage lists the mapping fields from hrimport.Fields, so that a new
// field cannot be missing from --help.
var importUsage = `import [flags] file.csv

Imports past leavers and current employees from an HR file (CSV from Excel
or an HR system, UTF-8 or Shift_JIS), as the web page /admin/import does:
rows are keyed by employee number, else email; re-importing changes only
what changed. Prints the report; exits 1 when a row has an error.
Mapping fields: ` + fieldList()

func fieldList() string {
	names := make([]string, len(hrimport.Fields))
	for i, f := range hrimport.Fields {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// cliMaxBytes bounds a file given on the command line: the operator's own
// file, so well above the web upload limit, but still a limit.
const cliMaxBytes = 2 << 30

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var slug, enc, mode, mapSpec, lang string
	var dryRun bool
	a, rest, err := open(ctx, "import", importUsage, args, stderr, func(fs *flagSet) {
		fs.StringVar(&slug, "org", "", "organization slug (default: the first organization)")
		fs.StringVar(&enc, "encoding", "auto", "file encoding: auto, utf-8 or cp932 (Shift_JIS)")
		fs.StringVar(&mode, "mode", "all", "all: one transaction, nothing written if any row has an error; per-row: write the valid rows")
		fs.BoolVar(&dryRun, "dry-run", false, "check every row and report, writing nothing")
		fs.StringVar(&mapSpec, "map", "", `column mapping overrides, e.g. "email=E-mail,notes=" (empty: not imported)`)
		fs.StringVar(&lang, "lang", "en", "language of the messages: en or ja")
	}, openOptions{checkArgs: func(rest []string) error {
		if len(rest) != 1 {
			return errors.New("import: give exactly one CSV file")
		}
		return nil
	}})
	if err != nil {
		return err
	}
	defer a.Close()
	switch enc {
	case "auto", hrimport.UTF8, hrimport.CP932:
	case "shift_jis", "sjis", "shift-jis":
		enc = hrimport.CP932
	default:
		return usageError{fmt.Errorf("-encoding %q: use auto, utf-8 or cp932", enc)}
	}
	switch mode {
	case "all":
		mode = hrimport.ModeAll
	case "per-row", "per_row":
		mode = hrimport.ModePerRow
	default:
		return usageError{fmt.Errorf("-mode %q: use all or per-row", mode)}
	}
	var o org.Organization
	if slug == "" {
		o, err = a.Orgs.FirstOrganization(ctx)
	} else {
		o, err = a.Orgs.OrganizationBySlug(ctx, slug)
	}
	if err != nil {
		return usageError{fmt.Errorf("no organization %q (tsunagu admin list-orgs shows them)", slug)}
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	by := hrimport.Actor{Label: "operator (command line)", IP: "command line"}
	imp, err := a.Imports.Upload(ctx, o.ID, by, rest[0], f, cliMaxBytes)
	if err != nil {
		return err
	}
	if enc != "auto" {
		if imp, err = a.Imports.Reinspect(ctx, o.ID, imp.ID, enc); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "File:      %s (%d rows)\nEncoding:  %s (detected: %s)\n", imp.FileName, imp.Total, imp.Encoding, imp.Detected)
	if imp.Problem != "" {
		return errors.New(hrimport.FileProblem(lang, imp.Problem, imp.ProblemRow))
	}
	m, err := hrimport.ParseMapping(mapSpec, imp.Header, imp.Mapping)
	if err != nil {
		return usageError{err}
	}
	if err := a.Imports.SetMapping(ctx, o.ID, imp.ID, m); err != nil {
		var me *hrimport.MappingError
		if errors.As(err, &me) {
			printMapping(stdout, imp.Header, m)
			return usageError{fmt.Errorf("%s (use -map field=Header)", me.Message(lang))}
		}
		return err
	}
	printMapping(stdout, imp.Header, m)
	phase := hrimport.PhaseRun
	if dryRun {
		phase = hrimport.PhaseDryRun
	}
	imp, err = a.Imports.RunNow(ctx, o.ID, imp.ID, phase, mode, by)
	var fe *hrimport.FileError
	if errors.As(err, &fe) {
		return errors.New(fe.Message(lang))
	}
	if err != nil {
		return err
	}
	if imp.State == hrimport.StateFailed {
		return errors.New(hrimport.FileProblem(lang, imp.Problem, imp.ProblemRow))
	}
	what := "Import"
	if dryRun {
		what = "Dry run (nothing written)"
	} else if imp.Mode == hrimport.ModeAll && imp.Errors > 0 {
		what = "Import (all or nothing: nothing written)"
	}
	fmt.Fprintf(stdout, "%s: %d rows; create %d, update %d, unchanged %d, errors %d; to alumni %d\n",
		what, imp.Done, imp.Created, imp.Updated, imp.Unchanged, imp.Errors, imp.Converted)
	err = a.Imports.EachError(ctx, o.ID, imp.ID, 0, func(e hrimport.RowError) error {
		col := e.Column
		if col == "" {
			col = string(e.Field)
		}
		if col != "" {
			col = " [" + col + "]"
		}
		_, err := fmt.Fprintf(stdout, "row %d%s: %s\n", e.Row, col, e.Message(lang))
		return err
	})
	if err != nil {
		return err
	}
	if imp.Errors > 0 {
		return fmt.Errorf("%d rows have errors", imp.Errors)
	}
	return nil
}

func printMapping(w io.Writer, header []string, m hrimport.Mapping) {
	var parts []string
	for _, f := range hrimport.Fields {
		if c, ok := m[f]; ok && c < len(header) {
			parts = append(parts, fmt.Sprintf("%s=%s", f, header[c]))
		}
	}
	sort.Strings(parts)
	fmt.Fprintf(w, "Mapping:   %s\n", strings.Join(parts, ", "))
}
