package web_test

import (
	"net/http"
	"net/url"
)

func init() {
	routes = append(routes,
		route{method: "GET", path: "/admin/sso", allowed: adminsOnly, success: ok},
		route{method: "POST", path: "/admin/sso", form: url.Values{"issuer": {""}, "display_name": {"社内アカウント"}}, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/sso/test", form: url.Values{"issuer": {"not a url"}}, allowed: adminsOnly, success: http.StatusUnprocessableEntity},
		// The callback without a sign-in in flight: refused the same way for everyone.
		route{method: "GET", path: "/sso/callback?state=x&code=y", allowed: everyone, success: http.StatusBadRequest},
	)
}
