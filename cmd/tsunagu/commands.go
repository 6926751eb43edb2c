package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/tsunagu/tsunagu/internal/app"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
)

func version() string {
	if app.Version != "dev" {
		return app.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return app.Version
}

// openOptions adjust open for one command.
type openOptions struct {
	skipMigrate bool                 // look at the database as it is
	checkArgs   func([]string) error // refuse bad arguments before opening anything
}

// open parses the common flags and opens the application.
func open(ctx context.Context, fsName, synopsis string, args []string, stderr io.Writer, extra func(*flagSet), opts ...openOptions) (*app.App, []string, error) {
	fs := newFlagSet(fsName, synopsis, stderr)
	var cfg app.Config
	cfg.BindFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, errHelp) {
			return nil, nil, err
		}
		return nil, nil, usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, usageError{fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))}
	}
	for _, o := range opts {
		if o.checkArgs != nil {
			if err := o.checkArgs(fs.Args()); err != nil {
				return nil, nil, usageError{err}
			}
		}
		cfg.SkipMigrate = cfg.SkipMigrate || o.skipMigrate
	}
	app.Version = version()
	a, err := app.Open(ctx, cfg, cfg.Logger(os.Stderr))
	return a, fs.Args(), err
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app.TuneGC()
	a, _, err := open(ctx, "serve", "Runs the web server and the background workers until SIGINT or SIGTERM.", args, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	o, created, err := a.EnsureOrganization(ctx)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "Created organization %q at %s/o/%s/\nCreate its first admin with:\n  tsunagu admin create-admin --org %s --email you@example.jp --name \"山田 花子\"\n",
			o.NameJA, a.Cfg.BaseURL, o.Slug, o.Slug)
	}
	a.CheckMail(ctx)
	return a.Serve(ctx, nil)
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app.TuneGC()
	var alumni, employees int
	var keep bool
	// The demo never touches a real database: unless told otherwise it uses
	// a new temporary directory each time.
	if os.Getenv("TSUNAGU_DATA_DIR") == "" && !hasFlag(args, "data-dir") {
		dir, err := os.MkdirTemp("", "tsunagu-demo-")
		if err != nil {
			return err
		}
		args = append([]string{"-data-dir", dir}, args...)
		defer func() {
			if !keep {
				os.RemoveAll(dir)
			}
		}()
	}
	if hasFlag(args, "database-url") || os.Getenv("TSUNAGU_DATABASE_URL") != "" {
		return usageError{errors.New("demo always uses a fresh SQLite file; do not set a database URL")}
	}
	a, _, err := open(ctx, "demo", "Starts Tsunagu on a fresh SQLite file with a demo company, prints the sign-in accounts, and serves.",
		args, stderr, func(fs *flagSet) {
			fs.IntVar(&alumni, "alumni", 2000, "number of demo alumni")
			fs.IntVar(&employees, "employees", 8, "number of demo employees")
			fs.BoolVar(&keep, "keep", false, "keep the temporary data directory after stopping")
		})
	if err != nil {
		return err
	}
	defer a.Close()
	if n, _ := a.Orgs.Organizations(ctx); len(n) > 0 {
		return usageError{fmt.Errorf("the data directory %s already holds data; the demo needs an empty one", a.Cfg.DataDir)}
	}
	if alumni < 1 || alumni > 200000 || employees < 1 || employees > 10000 {
		return usageError{errors.New("-alumni must be 1..200000 and -employees 1..10000")}
	}
	fmt.Fprintf(stdout, "Creating the demo company with %d alumni…\n", alumni)
	o, accounts, err := a.SeedDemo(ctx, alumni, employees)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n  %s (%s)\n  Open: %s/o/%s/\n\n  Sign in with (password: %s)\n", o.NameJA, o.NameEN, a.Cfg.BaseURL, o.Slug, app.DemoPassword)
	for _, acc := range accounts {
		fmt.Fprintf(stdout, "    %-10s %-36s %s\n", acc.Role, acc.Email, acc.Name)
	}
	fmt.Fprintf(stdout, "\n  Emails are printed in this log instead of being sent. Stop with Ctrl+C.\n\n")
	return a.Serve(ctx, nil)
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// "migrate status -database-url ..." reads naturally, but the flag
	// parser stops at the first argument: put status after the flags.
	if len(args) > 0 && args[0] == "status" {
		args = append(args[1:len(args):len(args)], "status")
	}
	status := len(args) > 0 && args[len(args)-1] == "status"
	a, rest, err := open(ctx, "migrate [status]", "Applies pending database migrations (also done by serve at start), or lists them.", args, stderr, nil,
		openOptions{skipMigrate: status, checkArgs: func(rest []string) error {
			if len(rest) > 1 || (len(rest) == 1 && rest[0] != "status") {
				return fmt.Errorf("migrate: unknown argument %q", rest[0])
			}
			return nil
		}})
	if err != nil {
		return err
	}
	defer a.Close()
	if len(rest) > 0 && rest[0] == "status" {
		lines, err := a.DB.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		return nil
	}
	fmt.Fprintf(stdout, "Database %s is up to date.\n", a.DB.Redacted)
	return nil
}

const adminUsage = `Operator tasks:
  tsunagu admin list-orgs
  tsunagu admin create-org --slug acme --name "アクメ株式会社" [--name-en "Acme Inc."]
  tsunagu admin create-admin --org acme --email hr@acme.example.jp --name "山田 花子"
      creates an admin account and prints a link to set its password
  tsunagu admin reset-password --org acme --email someone@example.jp
      prints a single-use password reset link (valid 1 hour)
Common flags (database, data directory) as for serve; see "tsunagu serve -h".`

func adminCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, adminUsage)
		if len(args) == 0 {
			return usageError{errors.New("admin: which task?")}
		}
		return nil
	}
	task := args[0]
	switch task {
	case "list-orgs", "create-org", "create-admin", "reset-password":
	default:
		// Refused before open, which would create and migrate a database.
		return usageError{fmt.Errorf("admin: unknown task %q\n%s", task, adminUsage)}
	}
	var slug, name, nameEN, email string
	a, _, err := open(ctx, "admin "+task, adminUsage, args[1:], stderr, func(fs *flagSet) {
		switch task {
		case "create-org":
			fs.StringVar(&slug, "slug", "", "URL name: lowercase letters, digits, hyphens")
			fs.StringVar(&name, "name", "", "name in Japanese")
			fs.StringVar(&nameEN, "name-en", "", "name in English (default: the Japanese name)")
		case "create-admin", "reset-password":
			fs.StringVar(&slug, "org", "", "organization slug")
			fs.StringVar(&email, "email", "", "email address")
			if task == "create-admin" {
				fs.StringVar(&name, "name", "", `name, family name first ("山田 花子")`)
			}
		}
	})
	if err != nil {
		return err
	}
	defer a.Close()
	switch task {
	case "list-orgs":
		orgs, err := a.Orgs.Organizations(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			fmt.Fprintf(stdout, "%-20s %s / %s\n", o.Slug, o.NameJA, o.NameEN)
		}
		return nil
	case "create-org":
		o, _, err := a.CreateOrganization(ctx, slug, name, nameEN)
		if errors.Is(err, org.ErrInvalid) || errors.Is(err, org.ErrSlugTaken) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created %s at %s/o/%s/\n", o.NameJA, a.Cfg.BaseURL, o.Slug)
		return nil
	case "create-admin":
		o, err := a.Orgs.OrganizationBySlug(ctx, slug)
		if err != nil {
			return usageError{fmt.Errorf("no organization %q (tsunagu admin list-orgs shows them)", slug)}
		}
		family, given, _ := strings.Cut(strings.TrimSpace(strings.ReplaceAll(name, "　", " ")), " ")
		link, err := a.Auth.Invite(ctx, o, org.Member{Email: "operator (command line)"}, auth.Invitation{Email: email,
			Name: org.Name{Family: family, Given: strings.TrimSpace(given)}, Role: org.Admin, Lang: "ja"}, auth.Client{IP: "command line"})
		if errors.Is(err, org.ErrInvalid) || errors.Is(err, org.ErrEmailTaken) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Admin account created for %s. Open this link to set the password (valid 14 days, once):\n%s\n", email, link)
		return nil
	case "reset-password":
		o, err := a.Orgs.OrganizationBySlug(ctx, slug)
		if err != nil {
			return usageError{fmt.Errorf("no organization %q (tsunagu admin list-orgs shows them)", slug)}
		}
		link, err := a.Auth.AdminResetLink(ctx, o, email)
		if errors.Is(err, org.ErrNotFound) {
			return usageError{fmt.Errorf("no member with email %q in %s", email, slug)}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Password reset link for %s (valid 1 hour, once):\n%s\n", email, link)
		return nil
	}
	return usageError{fmt.Errorf("admin: unknown task %q\n%s", task, adminUsage)}
}
