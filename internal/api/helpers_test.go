package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// newToken creates an API token of o and returns its secret.
func newToken(t *testing.T, e *apptest.Env, o org.Organization) (string, int64) {
	t.Helper()
	var secret string
	var id int64
	err := e.App.DB.Tx(context.Background(), func(tx db.Tx) error {
		var err error
		secret, id, err = auth.CreateAPIToken(context.Background(), tx, o.ID, auth.Actor{}, "test "+o.Slug, e.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret, id
}

// response is a read API response.
type response struct {
	*http.Response
	Body string
}

// call sends a request to the running app; token "" sends no Authorization.
func call(t *testing.T, e *apptest.Env, method, path, token string) response {
	t.Helper()
	header := ""
	if token != "" {
		header = "Bearer " + token
	}
	return callWith(t, e, method, path, header)
}

// callWith sends a request with an Authorization header ("" for none).
func callWith(t *testing.T, e *apptest.Env, method, path, authorization string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.URL(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: res, Body: string(b)}
}

// memberList decodes a 200 response of GET /members.
func memberList(t *testing.T, r response) listBody {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", r.Request.URL, r.StatusCode, r.Body)
	}
	var l listBody
	if err := json.Unmarshal([]byte(r.Body), &l); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return l
}

type listBody struct {
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	Pages   int              `json:"pages"`
	Members []map[string]any `json:"members"`
}

func (l listBody) ids() map[int64]map[string]any {
	out := map[int64]map[string]any{}
	for _, m := range l.Members {
		out[int64(m["id"].(float64))] = m
	}
	return out
}

// fullProfile fills every field a member can show.
func fullProfile(p *member.Profile) {
	p.JoinedYear, p.LeftYear = 2012, 2020
	p.Departments = []string{"開発本部", "人事部"}
	p.RolesHeld = []string{"エンジニア", "マネージャー"}
	p.CurrentCompany = "あおば商事"
	p.Industry = "it"
	p.CurrentRole = "CTO"
	p.Location = "東京都"
	p.Skills = []string{"Go", "採用"}
	p.Interests = []string{"登山"}
	p.Bio = "**よろしく**お願いします。"
	p.Links = []string{"https://example.jp/hanako"}
	p.OpenTo = member.OpenTo{Rehire: true, SideWork: true, Referrals: true, Mentoring: true, Speaking: true}
	p.Visibility = map[string]member.Visibility{}
	for _, f := range member.Fields {
		p.Visibility[f] = member.Members
	}
}
