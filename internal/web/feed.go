package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/feed"
)

// MaxPostBodyBytes bounds a post with its photos.
const MaxPostBodyBytes = feed.MaxPhotos*MaxPhotoBytes + 64<<10

// feedRoutes registers the feed pages.
func (s *Server) feedRoutes() {
	if s.feed == nil {
		return
	}
	s.page("GET /o/{org}/feed", anyMember, s.feedIndex)
	s.page("POST /o/{org}/feed/posts", anyMember, s.feedCreate)
	s.page("GET /o/{org}/feed/posts/{id}", anyMember, s.feedPost)
	s.page("POST /o/{org}/feed/posts/{id}/comments", anyMember, s.feedComment)
	s.page("POST /o/{org}/feed/posts/{id}/reactions", anyMember, s.feedReact)
	s.page("POST /o/{org}/feed/posts/{id}/report", anyMember, s.feedReport)
	s.page("POST /o/{org}/feed/posts/{id}/hide", staffOnly, s.feedHide)
	s.page("POST /o/{org}/feed/posts/{id}/unhide", staffOnly, s.feedHide)
	s.page("POST /o/{org}/feed/posts/{id}/dismiss", staffOnly, s.feedDismiss)
	s.page("GET /o/{org}/feed/posts/{id}/photos/{n}/{variant}", anyMember, s.feedPhoto)
	s.page("GET /o/{org}/feed/members", anyMember, s.feedMembers)
	s.page("GET /o/{org}/admin/feed/reports", staffOnly, s.feedReports)
	s.relayRoutes()
}

func (s *Server) viewer(r *http.Request, rc *reqCtx) feed.Viewer {
	return feed.ViewerOf(rc.member, s.clientIP(r))
}

// feedPage renders the feed with p's form and errors.
func (s *Server) feedPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, status int) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	posts, next, err := s.feed.List(r.Context(), rc.org.ID, s.viewer(r, rc), feed.ListOptions{Before: before})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	groups, err := s.feed.PostableGroups(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = map[string]string{"audience": string(audience.Network)}
	}
	audiences := make([]option, 0, 3+len(groups))
	for _, k := range []audience.Kind{audience.Network, audience.EmployeesAlumni, audience.Alumni} {
		audiences = append(audiences, option{string(k), p.T("feed.audience." + string(k))})
	}
	for _, g := range groups {
		audiences = append(audiences, option{"group:" + strconv.FormatInt(g.ID, 10), p.T("feed.audience.group_named", "name", g.Name)})
	}
	cards := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(cards) // after render: the page's cards live in it
	data := map[string]any{"Cards": feedCards(p, posts, cards), "Next": next, "MaxLen": feed.MaxPostLen, "MaxPhotos": feed.MaxPhotos, "Audiences": audiences}
	p.Data = data
	if len(p.Errors) == 0 && p.Form["body"] == "" {
		// An untouched composer is the same for everyone with the same
		// audiences to choose from; rendering it was a third of the page's
		// template time.
		if data["Composer"], err = s.pages.fragment(p, "feed_index.html", "feed_composer", composerKey(rc.org.Slug, p.Form["audience"], audiences)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "feed_index.html", p)
}

// composerKey names everything an untouched feed composer shows besides the
// page's language: the organization (its URLs), the audience chosen and the
// audiences offered.
func composerKey(slug, chosen string, audiences []option) string {
	var b strings.Builder
	b.WriteString(slug + "\x00" + chosen)
	for _, o := range audiences {
		b.WriteString("\x00" + o.Value + "\x00" + o.Label)
	}
	return b.String()
}

func (s *Server) feedIndex(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "feed.title")
	s.takeFlash(w, r, p)
	s.feedPage(w, r, rc, p, http.StatusOK)
}

// parseAudience reads the audience select: "network", ..., or "group:<id>".
func parseAudience(v string) audience.Audience {
	if id, ok := strings.CutPrefix(v, "group:"); ok {
		n, _ := strconv.ParseInt(id, 10, 64)
		return audience.Audience{Kind: audience.Group, GroupID: n}
	}
	return audience.Audience{Kind: audience.Kind(v)}
}

// parseUpload reads a multipart form, or a plain one when there is no file.
// It answers the error itself when it cannot.
func (s *Server) parseUpload(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseMultipartForm(1 << 20)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
	case errors.Is(err, http.ErrNotMultipart):
		return s.parseForm(w, r)
	default:
		s.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
	}
	return false
}

// savePhotos stores the uploaded photos; on a problem it removes those
// already saved and returns the catalog key.
func (s *Server) savePhotos(orgID int64, files []*multipart.FileHeader) (keys []string, problem string, err error) {
	for _, fh := range files {
		var key string
		f, err := fh.Open()
		if err == nil {
			key, problem, err = s.storePhoto(orgID, f)
			f.Close()
		}
		if problem != "" || err != nil {
			for _, k := range keys {
				_ = s.photos.Delete(orgID, k)
			}
			return nil, problem, err
		}
		keys = append(keys, key)
	}
	return keys, "", nil
}

func (s *Server) feedCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseUpload(w, r) {
		return
	}
	f := r.PostForm
	p := s.newPage(r, rc, "feed.title")
	p.Form = map[string]string{"body": f.Get("body"), "audience": f.Get("audience")}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["photos"] {
			if fh.Size > 0 || fh.Filename != "" {
				files = append(files, fh)
			}
		}
	}
	if len(files) > feed.MaxPhotos {
		p.Errors = map[string]string{"photos": p.T("feed.error.too_many_photos", "max", feed.MaxPhotos)}
		s.feedPage(w, r, rc, p, http.StatusUnprocessableEntity)
		return
	}
	keys, errKey, err := s.savePhotos(rc.org.ID, files)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if errKey != "" {
		p.Errors = map[string]string{"photos": p.T(errKey)}
		s.feedPage(w, r, rc, p, http.StatusUnprocessableEntity)
		return
	}
	id, err := s.feed.Create(r.Context(), rc.org, s.viewer(r, rc), feed.NewPost{Body: f.Get("body"), Audience: parseAudience(f.Get("audience")), Photos: keys})
	if err != nil {
		for _, k := range keys {
			_ = s.photos.Delete(rc.org.ID, k)
		}
	}
	var errs feed.Errors
	if errors.As(err, &errs) {
		p.Errors = problemMessages(p, errs, "")
		s.feedPage(w, r, rc, p, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.feed.posted")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/feed/posts/%d", rc.org.Slug, id), http.StatusSeeOther)
}

// postFromPath loads the post of the path that the member may see; another
// organization's, a hidden or an unseen post is not found.
func (s *Server) postFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (feed.Post, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return feed.Post{}, false
	}
	post, err := s.feed.Get(r.Context(), rc.org.ID, s.viewer(r, rc), id)
	if errors.Is(err, feed.ErrNotFound) {
		s.notFoundPage(w, r)
		return post, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return post, false
	}
	return post, true
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, post feed.Post, p *Page, status int) {
	comments, err := s.feed.Comments(r.Context(), rc.org.ID, post.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Post": viewPost(p, post), "Comments": comments, "MaxComment": feed.MaxCommentLen}
	s.render(w, r, status, "feed_post.html", p)
}

func (s *Server) feedPost(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "feed.post.title")
	s.takeFlash(w, r, p)
	s.postPage(w, r, rc, post, p, http.StatusOK)
}

// feedFail shows the post page again with a problem, or answers the
// errors that have no field.
func (s *Server) feedFail(w http.ResponseWriter, r *http.Request, rc *reqCtx, post feed.Post, err error, form map[string]string) {
	p := s.newPage(r, rc, "feed.post.title")
	p.Form = form
	var errs feed.Errors
	switch {
	case errors.As(err, &errs):
		p.Errors = problemMessages(p, errs, "")
		s.postPage(w, r, rc, post, p, http.StatusUnprocessableEntity)
	case errors.Is(err, feed.ErrNotFound):
		s.notFoundPage(w, r)
	case errors.Is(err, feed.ErrHidden):
		p.Errors = map[string]string{"form": p.T("feed.error.hidden")}
		s.postPage(w, r, rc, post, p, http.StatusConflict)
	case errors.Is(err, feed.ErrAlreadyReported):
		p.Errors = map[string]string{"reason": p.T("feed.error.already_reported")}
		s.postPage(w, r, rc, post, p, http.StatusConflict)
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) feedComment(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	id, err := s.feed.AddComment(r.Context(), rc.org, s.viewer(r, rc), post.ID, r.PostForm.Get("comment"))
	if err != nil {
		s.feedFail(w, r, rc, post, err, map[string]string{"comment": r.PostForm.Get("comment")})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/o/%s/feed/posts/%d#c-%d", rc.org.Slug, post.ID, id), http.StatusSeeOther)
}

func (s *Server) feedReact(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	if _, err := s.feed.React(r.Context(), rc.org, s.viewer(r, rc), post.ID, r.PostForm.Get("kind")); err != nil {
		s.feedFail(w, r, rc, post, err, nil)
		return
	}
	back := fmt.Sprintf("/o/%s/feed/posts/%d", rc.org.Slug, post.ID)
	if r.PostForm.Get("from") == "feed" {
		back = fmt.Sprintf("/o/%s/feed#p-%d", rc.org.Slug, post.ID)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) feedReport(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	if err := s.feed.Report(r.Context(), rc.org, s.viewer(r, rc), post.ID, r.PostForm.Get("reason")); err != nil {
		s.feedFail(w, r, rc, post, err, map[string]string{"reason": r.PostForm.Get("reason")})
		return
	}
	s.flash(w, rc.org, "flash.feed.reported")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/feed/posts/%d", rc.org.Slug, post.ID), http.StatusSeeOther)
}

func (s *Server) feedHide(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	hide := strings.HasSuffix(r.URL.Path, "/hide")
	if err := s.feed.SetHidden(r.Context(), rc.org, s.viewer(r, rc), post.ID, hide); err != nil {
		s.feedFail(w, r, rc, post, err, nil)
		return
	}
	if hide {
		s.flash(w, rc.org, "flash.feed.hidden")
	} else {
		s.flash(w, rc.org, "flash.feed.unhidden")
	}
	http.Redirect(w, r, fmt.Sprintf("/o/%s/feed/posts/%d", rc.org.Slug, post.ID), http.StatusSeeOther)
}

func (s *Server) feedDismiss(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	if err := s.feed.DismissReports(r.Context(), rc.org, s.viewer(r, rc), post.ID); err != nil {
		s.feedFail(w, r, rc, post, err, nil)
		return
	}
	s.flash(w, rc.org, "flash.feed.dismissed")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/feed/reports", http.StatusSeeOther)
}

func (s *Server) feedPhoto(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	post, ok := s.postFromPath(w, r, rc)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(post.Photos) {
		s.notFoundPage(w, r)
		return
	}
	s.photos.Serve(w, r, rc.org.ID, post.Photos[n], r.PathValue("variant"))
}

// feedMembers answers the mention and relay pickers: up to 10 members as JSON.
func (s *Server) feedMembers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	found, err := s.feed.SearchMembers(r.Context(), rc.org.ID, r.URL.Query().Get("q"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lang := s.language(r, rc.member)
	type hit struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	out := []hit{}
	for _, c := range found {
		out = append(out, hit{ID: c.UserID, Name: c.Name.Display(lang)})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) feedReports(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	reports, err := s.feed.OpenReports(r.Context(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "feed.reports.title")
	s.takeFlash(w, r, p)
	p.Data = reports
	s.render(w, r, http.StatusOK, "feed_reports.html", p)
}
