package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/hrimport"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// Import from HR files: upload, mapping, dry run, run as a job with
// progress, and the errors as CSV. Admins only: the files hold internal
// fields (rehire eligibility, notes).

// MaxImportBytes bounds an uploaded HR file; the body limit of the upload
// route is this plus the multipart framing.
const MaxImportBytes = hrimport.MaxUploadMB << 20

// errorsShown is how many row errors the page lists; the CSV has them all.
const errorsShown = 100

// hrimportRoutes registers the hrimport pages.
func (s *Server) hrimportRoutes() {
	s.page("GET /o/{org}/admin/import", adminOnly, s.importIndex)
	s.page("POST /o/{org}/admin/import", adminOnly, s.importUpload)
	s.page("GET /o/{org}/admin/import/template.csv", adminOnly, s.importTemplate)
	s.page("GET /o/{org}/admin/import/{id}", adminOnly, s.importShow)
	s.page("GET /o/{org}/admin/import/{id}/progress", adminOnly, s.importProgress)
	s.page("GET /o/{org}/admin/import/{id}/errors.csv", adminOnly, s.importErrorsCSV)
	s.page("POST /o/{org}/admin/import/{id}/encoding", adminOnly, s.importEncoding)
	s.page("POST /o/{org}/admin/import/{id}/dry-run", adminOnly, s.importDryRun)
	s.page("POST /o/{org}/admin/import/{id}/run", adminOnly, s.importRun)
	s.page("POST /o/{org}/admin/import/{id}/delete", adminOnly, s.importDelete)
}

func (s *Server) importActor(r *http.Request, rc *reqCtx) hrimport.Actor {
	return hrimport.Actor{UserID: rc.member.UserID, Label: rc.member.Email, IP: s.clientIP(r)}
}

func (s *Server) importURL(rc *reqCtx, id int64, rest string) string {
	return "/o/" + rc.org.Slug + "/admin/import/" + strconv.FormatInt(id, 10) + rest
}

func (s *Server) importIndex(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.importIndexPage(w, r, rc, http.StatusOK, "")
}

// importIndexPage is the upload form and the recent imports.

func (s *Server) importIndexPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, problem string) {
	if s.imports == nil {
		s.notFoundPage(w, r)
		return
	}
	p := s.newPage(r, rc, "hrimport.title")
	s.takeFlash(w, r, p)
	recent, err := s.imports.Recent(r.Context(), rc.org.ID, 10)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem != "" {
		p.Errors = map[string]string{"file": problem}
	}
	p.Data = map[string]any{"Recent": recent, "MaxMB": hrimport.MaxUploadMB}
	s.render(w, r, status, "hrimport_index.html", p)
}

// importUpload streams the file part to disk (never into memory) and
// inspects it there.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.imports == nil {
		s.notFoundPage(w, r)
		return
	}
	lang := s.language(r, rc.member)
	tooLarge := func() {
		s.importIndexPage(w, r, rc, http.StatusRequestEntityTooLarge, hrimport.FileProblem(lang, "hrimport.file.too_large", 0))
	}
	if r.ContentLength > MaxImportBytes+1<<20 {
		tooLarge()
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.importIndexPage(w, r, rc, http.StatusBadRequest, i18n.T(lang, "hrimport.file.missing"))
		return
	}
	for {
		part, err := mr.NextPart()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			tooLarge()
			return
		}
		if err != nil {
			s.importIndexPage(w, r, rc, http.StatusBadRequest, i18n.T(lang, "hrimport.file.missing"))
			return
		}
		if part.FormName() != "file" || part.FileName() == "" {
			part.Close()
			continue
		}
		imp, err := s.imports.Upload(r.Context(), rc.org.ID, s.importActor(r, rc), part.FileName(), part, MaxImportBytes)
		part.Close()
		if errors.Is(err, hrimport.ErrTooLarge) || errors.As(err, &tooBig) {
			tooLarge()
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if imp.Size == 0 {
			_ = s.imports.Delete(r.Context(), rc.org.ID, imp.ID)
			s.importIndexPage(w, r, rc, http.StatusUnprocessableEntity, i18n.T(lang, "hrimport.file.empty"))
			return
		}
		http.Redirect(w, r, s.importURL(rc, imp.ID, ""), http.StatusSeeOther)
		return
	}
}

// importOf loads the import named in the path, answering 404 for another
// organization's.
func (s *Server) importOf(w http.ResponseWriter, r *http.Request, rc *reqCtx) (hrimport.Import, bool) {
	if s.imports == nil {
		s.notFoundPage(w, r)
		return hrimport.Import{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return hrimport.Import{}, false
	}
	imp, err := s.imports.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, hrimport.ErrNotFound) {
		s.notFoundPage(w, r)
		return imp, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return imp, false
	}
	return imp, true
}

// importView is what the import page shows.
type importView struct {
	Imp      hrimport.Import
	Problem  string
	Preview  [][]string
	Fields   []fieldChoice
	Errors   []errorLine
	More     bool
	Encoding []string
}

type fieldChoice struct {
	Field  string
	Label  string
	Column int // -1: not imported
}

type errorLine struct {
	Row     int
	Column  string
	Message string
}

func (s *Server) importShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	s.importShowPage(w, r, rc, imp, http.StatusOK, nil)
}

func (s *Server) importShowPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, imp hrimport.Import, status int, formErrors map[string]string) {
	p := s.newPage(r, rc, "hrimport.title")
	s.takeFlash(w, r, p)
	p.Errors = formErrors
	v := importView{Imp: imp, Encoding: []string{"auto", hrimport.UTF8, hrimport.CP932}}
	if imp.Problem != "" {
		v.Problem = hrimport.FileProblem(p.Lang, imp.Problem, imp.ProblemRow)
	} else if !imp.Busy() {
		preview, err := s.imports.Preview(imp)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Preview = preview
	}
	for _, f := range hrimport.Fields {
		c, ok := imp.Mapping[f]
		if !ok {
			c = -1
		}
		v.Fields = append(v.Fields, fieldChoice{Field: string(f), Label: p.T("hrimport.field." + string(f)), Column: c})
	}
	if imp.Finished() && imp.Errors > 0 {
		n := 0
		err := s.imports.EachError(r.Context(), rc.org.ID, imp.ID, errorsShown+1, func(e hrimport.RowError) error {
			if n++; n > errorsShown {
				v.More = true
				return nil
			}
			v.Errors = append(v.Errors, errorLine{Row: e.Row, Column: errorColumn(p.Lang, e), Message: e.Message(p.Lang)})
			return nil
		})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	p.Data = v
	s.render(w, r, status, "hrimport_show.html", p)
}

func errorColumn(lang string, e hrimport.RowError) string {
	if e.Column != "" {
		return e.Column
	}
	if e.Field != "" {
		return i18n.T(lang, "hrimport.field."+string(e.Field))
	}
	return ""
}

// importProgress is the fragment the page polls while the job runs; when
// it is done, htmx is sent to the full page.
func (s *Server) importProgress(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	if !imp.Busy() && r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", s.importURL(rc, imp.ID, ""))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.importShowPage(w, r, rc, imp, http.StatusOK, nil)
}

func (s *Server) importEncoding(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	enc := r.PostForm.Get("encoding")
	if enc != "auto" && enc != hrimport.UTF8 && enc != hrimport.CP932 {
		s.importShowPage(w, r, rc, imp, http.StatusUnprocessableEntity, map[string]string{"encoding": s.tr(r, rc, "form.choose")})
		return
	}
	imp, err := s.imports.Reinspect(r.Context(), rc.org.ID, imp.ID, enc)
	if errors.Is(err, hrimport.ErrBusy) {
		s.importShowPage(w, r, rc, imp, http.StatusConflict, map[string]string{"run": s.tr(r, rc, "hrimport.run.busy")})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.importURL(rc, imp.ID, ""), http.StatusSeeOther)
}

func (s *Server) tr(r *http.Request, rc *reqCtx, key string) string {
	return i18n.T(s.language(r, rc.member), key)
}

// importDryRun saves the mapping from the form and starts the dry run.
func (s *Server) importDryRun(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	m := hrimport.Mapping{}
	for _, f := range hrimport.Fields {
		raw := r.PostForm.Get("map_" + string(f))
		if raw == "" || raw == "-1" {
			continue
		}
		c, err := strconv.Atoi(raw)
		if err != nil || c < 0 || c >= len(imp.Header) {
			s.importShowPage(w, r, rc, imp, http.StatusUnprocessableEntity, map[string]string{"map_" + string(f): s.tr(r, rc, "hrimport.map.bad_column")})
			return
		}
		m[f] = c
	}
	imp.Mapping = m // shown back as chosen if refused
	if err := s.imports.SetMapping(r.Context(), rc.org.ID, imp.ID, m); err != nil {
		s.importStartError(w, r, rc, imp, err)
		return
	}
	s.importStart(w, r, rc, imp, hrimport.PhaseDryRun, "")
}

func (s *Server) importRun(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	s.importStart(w, r, rc, imp, hrimport.PhaseRun, r.PostForm.Get("mode"))
}

func (s *Server) importStart(w http.ResponseWriter, r *http.Request, rc *reqCtx, imp hrimport.Import, phase, mode string) {
	if err := s.imports.Start(r.Context(), rc.org.ID, imp.ID, phase, mode, s.importActor(r, rc)); err != nil {
		s.importStartError(w, r, rc, imp, err)
		return
	}
	http.Redirect(w, r, s.importURL(rc, imp.ID, ""), http.StatusSeeOther)
}

func (s *Server) importStartError(w http.ResponseWriter, r *http.Request, rc *reqCtx, imp hrimport.Import, err error) {
	lang := s.language(r, rc.member)
	var me *hrimport.MappingError
	var fe *hrimport.FileError
	switch {
	case errors.As(err, &me):
		key := "map_" + me.Field
		if me.Field == "mode" {
			key = "mode"
		}
		s.importShowPage(w, r, rc, imp, http.StatusUnprocessableEntity, map[string]string{key: me.Message(lang), "mapping": me.Message(lang)})
	case errors.As(err, &fe):
		s.importShowPage(w, r, rc, imp, http.StatusUnprocessableEntity, map[string]string{"run": fe.Message(lang)})
	case errors.Is(err, hrimport.ErrBusy):
		s.importShowPage(w, r, rc, imp, http.StatusConflict, map[string]string{"run": s.tr(r, rc, "hrimport.run.busy")})
	default:
		s.serverError(w, r, err)
	}
}

// importErrorsCSV streams every row error of the latest run, for Excel
// (UTF-8 with BOM), with formulas defused: the values come from the
// uploaded file and may start with = + - @.
func (s *Server) importErrorsCSV(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	lang := s.language(r, rc.member)
	name := fmt.Sprintf("import-%d-errors.csv", imp.ID)
	csvAttachment(w.Header(), name)
	cw := excelCSV(w)
	t := func(k string) string { return i18n.T(lang, k) }
	_ = cw.Write([]string{t("hrimport.col.row"), t("hrimport.col.column"), t("hrimport.col.message"), t("hrimport.col.value")})
	err := s.imports.EachError(r.Context(), rc.org.ID, imp.ID, 0, func(e hrimport.RowError) error {
		return cw.Write([]string{strconv.Itoa(e.Row), csvSafe(errorColumn(lang, e)), csvSafe(e.Message(lang)), csvSafe(e.Value)})
	})
	cw.Flush()
	if err != nil {
		s.log.ErrorContext(r.Context(), "import errors export", "err", err)
	}
}

// importTemplate is a sample file with the headers the mapping recognizes,
// in UTF-8 with BOM so that Excel opens it correctly.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	csvAttachment(w.Header(), "tsunagu-import-template.csv")
	cw := excelCSV(w)
	_ = cw.Write([]string{"社員番号", "姓", "名", "セイ", "メイ", "メールアドレス", "入社日", "退職日", "部署", "役職", "再雇用可否", "備考"})
	_ = cw.Write([]string{"E0001", "山田", "花子", "ヤマダ", "ハナコ", "hanako.yamada@example.jp", "2015/04/01", "2023/03/31", "営業部", "課長", "可", ""})
	_ = cw.Write([]string{"E0002", "佐藤", "一郎", "サトウ", "イチロウ", "ichiro.sato@example.jp", "令和2年4月1日", "", "開発部", "エンジニア", "", ""})
	cw.Flush()
}

// importDelete removes the stored file and its report.
func (s *Server) importDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	imp, ok := s.importOf(w, r, rc)
	if !ok {
		return
	}
	err := s.imports.Delete(r.Context(), rc.org.ID, imp.ID)
	if errors.Is(err, hrimport.ErrBusy) {
		s.importShowPage(w, r, rc, imp, http.StatusConflict, map[string]string{"run": s.tr(r, rc, "hrimport.run.busy")})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.hrimport_deleted")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/import", http.StatusSeeOther)
}
