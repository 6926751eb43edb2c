package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/hrimport"
	"github.com/tsunagu/tsunagu/internal/org"
)

func init() {
	// A started dry run or run is queued; running the jobs after the cell
	// leaves the import idle for the next one.
	runJobs := func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) { e.RunJobs(t) }
	mapping := url.Values{"map_employee_number": {"0"}, "map_family": {"1"}, "map_email": {"2"}}
	routes = append(routes,
		route{method: "GET", path: "/admin/import", allowed: adminsOnly, success: ok},
		// A form post without the file: the upload handler runs (and says the file is missing) only for admins.
		route{method: "POST", path: "/admin/import", form: url.Values{"x": {"y"}}, allowed: adminsOnly, success: http.StatusBadRequest},
		route{method: "GET", path: "/admin/import/template.csv", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/import/{import}", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/import/{foreign_import}", allowed: adminsOnly, success: notFound},
		route{method: "GET", path: "/admin/import/{import}/progress", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/import/{foreign_import}/progress", allowed: adminsOnly, success: notFound},
		route{method: "GET", path: "/admin/import/{import}/errors.csv", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/import/{foreign_import}/errors.csv", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/import/{import}/encoding", form: url.Values{"encoding": {"auto"}}, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/import/{foreign_import}/encoding", form: url.Values{"encoding": {"auto"}}, allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/import/{import}/dry-run", form: mapping, allowed: adminsOnly, success: http.StatusSeeOther, after: runJobs},
		route{method: "POST", path: "/admin/import/{foreign_import}/dry-run", form: mapping, allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/import/{import}/run", form: url.Values{"mode": {"per_row"}}, allowed: adminsOnly, success: http.StatusSeeOther, after: runJobs},
		route{method: "POST", path: "/admin/import/{foreign_import}/delete", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/import/{delete_import}/delete", allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/import/{foreign_import}/run", form: url.Values{"mode": {"per_row"}}, allowed: adminsOnly, success: notFound},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		data := "社員番号,姓,メールアドレス\r\nM1,山本,m1@" + o.Slug + ".example.jp\r\n"
		i, err := e.App.Imports.Upload(t.Context(), o.ID, hrimport.Actor{Label: "matrix"}, "m.csv", strings.NewReader(data), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.App.Imports.Upload(t.Context(), o.ID, hrimport.Actor{Label: "matrix"}, "d.csv", strings.NewReader(data), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"import": strconv.FormatInt(i.ID, 10), "delete_import": strconv.FormatInt(d.ID, 10)}
	})
}
