// Command tsunagu runs a Tsunagu alumni network: one binary with the web
// server, the background workers, the database migrations and the operator's
// tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Tsunagu (つなぐ): a corporate alumni network.

Usage:
  tsunagu <command> [flags]

Commands:
  serve     run the web server and background workers
  demo      run with a fresh demo company and 2,000 alumni (SQLite, temporary)
  migrate   apply database migrations (migrate status: list them)
  admin     operator tasks: create-org, create-admin, reset-password, list-orgs
  import    import past leavers and employees from an HR CSV file (-dry-run to check)
  version   print the version

Every flag can also be set by a TSUNAGU_* environment variable;
"tsunagu <command> -h" lists them.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code: 0 success,
// 1 failure, 2 bad usage or configuration.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serveCmd(ctx, args[1:], stdout, stderr)
	case "demo":
		err = demoCmd(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrateCmd(ctx, args[1:], stdout, stderr)
	case "admin":
		err = adminCmd(ctx, args[1:], stdout, stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "tsunagu", version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "tsunagu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "tsunagu:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "tsunagu:", err)
		return 1
	}
}

// usageError marks mistakes in the command line or configuration.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: tsunagu %s\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}
