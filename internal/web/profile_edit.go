package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/photo"
)

// MaxPhotoBytes bounds a photo upload; the body limit of that one route is
// raised to it.
const MaxPhotoBytes = 10 << 20

func (s *Server) ownProfile(w http.ResponseWriter, r *http.Request, rc *reqCtx) (member.Profile, bool) {
	p, err := s.members.Get(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return p, false
	}
	return p, true
}

func profileForm(p member.Profile) map[string]string {
	year := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	f := map[string]string{
		"joined_year": year(p.JoinedYear), "left_year": year(p.LeftYear),
		"departments": strings.Join(p.Departments, "\n"), "roles_held": strings.Join(p.RolesHeld, "\n"),
		"current_company": p.CurrentCompany, "industry": p.Industry, "current_role": p.CurrentRole, "location": p.Location,
		"skills": strings.Join(p.Skills, "\n"), "interests": strings.Join(p.Interests, "\n"), "bio": p.Bio,
		"links": strings.Join(p.Links, "\n"),
	}
	for _, fld := range member.Fields {
		f["vis_"+fld] = string(p.Visibility[fld])
	}
	for k, v := range nameForm(p.Name) {
		f[k] = v
	}
	f["name_order_en"] = "given_first"
	if p.Name.EnglishFamilyFirst {
		f["name_order_en"] = "family_first"
	}
	flags := map[string]bool{"rehire": p.OpenTo.Rehire, "side_work": p.OpenTo.SideWork, "referrals": p.OpenTo.Referrals,
		"mentoring": p.OpenTo.Mentoring, "speaking": p.OpenTo.Speaking}
	for k, v := range flags {
		if v {
			f["open_"+k] = "1"
		}
	}
	return f
}

func (s *Server) profileEditData(p member.Profile) map[string]any {
	return map[string]any{"P": p, "Industries": member.Industries, "OpenToKeys": member.OpenToKeys,
		"Visibilities": member.Visibilities, "MaxBio": member.MaxBio}
}

func (s *Server) profileEditForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	prof, ok := s.ownProfile(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "profile_edit.title")
	s.takeFlash(w, r, p)
	p.Form = profileForm(prof)
	p.Data = s.profileEditData(prof)
	s.render(w, r, http.StatusOK, "profile_edit.html", p)
}

func (s *Server) profileEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	prof, ok := s.ownProfile(w, r, rc)
	if !ok {
		return
	}
	f := r.PostForm
	p := s.newPage(r, rc, "profile_edit.title")
	p.Errors = map[string]string{}
	year := func(k string) int {
		v := strings.TrimSpace(f.Get(k))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Errors[k] = p.T("profile.year_number")
			return 0
		}
		return n
	}
	prof.Name = nameFromForm(r)
	prof.Name.EnglishFamilyFirst = f.Get("name_order_en") == "family_first"
	if o := f.Get("name_order_en"); o != "given_first" && o != "family_first" {
		p.Errors["name_order_en"] = p.T("form.choose")
	}
	prof.JoinedYear, prof.LeftYear = year("joined_year"), year("left_year")
	prof.Departments, prof.RolesHeld = member.SplitList(f.Get("departments")), member.SplitList(f.Get("roles_held"))
	prof.CurrentCompany, prof.CurrentRole = strings.TrimSpace(f.Get("current_company")), strings.TrimSpace(f.Get("current_role"))
	prof.Industry, prof.Location = f.Get("industry"), strings.TrimSpace(f.Get("location"))
	prof.Skills, prof.Interests = member.SplitList(f.Get("skills")), member.SplitList(f.Get("interests"))
	prof.Bio = strings.TrimSpace(strings.ReplaceAll(f.Get("bio"), "\r\n", "\n"))
	prof.Links = member.SplitList(strings.ReplaceAll(f.Get("links"), " ", "\n"))
	prof.OpenTo = member.OpenTo{Rehire: f.Get("open_rehire") == "1", SideWork: f.Get("open_side_work") == "1",
		Referrals: f.Get("open_referrals") == "1", Mentoring: f.Get("open_mentoring") == "1", Speaking: f.Get("open_speaking") == "1"}
	for _, fld := range member.Fields {
		prof.Visibility[fld] = member.Visibility(f.Get("vis_" + fld))
	}
	var verrs member.ValidationErrors
	err := errors.New("form errors")
	if len(p.Errors) == 0 {
		err = s.members.Update(r.Context(), prof)
	}
	if errors.As(err, &verrs) {
		for _, e := range verrs {
			p.Errors[e.Field] = p.T(e.Key, e.Args...)
		}
	}
	if len(p.Errors) > 0 {
		p.Form = profileForm(prof)
		for _, k := range []string{"joined_year", "left_year"} {
			p.Form[k] = f.Get(k)
		}
		p.Data = s.profileEditData(prof)
		p.Errors["form"] = p.T("profile.fix_errors")
		s.render(w, r, http.StatusUnprocessableEntity, "profile_edit.html", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.profile_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/members/"+strconv.FormatInt(rc.member.UserID, 10), http.StatusSeeOther)
}

// photoErrorKey maps a photo problem to what the person should do.
func photoErrorKey(err error) string {
	switch {
	case errors.Is(err, photo.ErrTooLarge):
		return "photo.too_large"
	case errors.Is(err, photo.ErrUnsupported):
		return "photo.unsupported"
	case errors.Is(err, photo.ErrCorrupt):
		return "photo.corrupt"
	case errors.Is(err, photo.ErrTooManyPixels):
		return "photo.too_many_pixels"
	case errors.Is(err, photo.ErrTooSmall):
		return "photo.too_small"
	}
	return ""
}

// storePhoto decodes, re-encodes (dropping metadata) and saves one uploaded
// photo. Decoding a large photo takes a core and ~100 MB for a moment, so a
// few are decoded at a time to keep the server responsive. A photo its
// sender can fix comes back as the catalog key that says how; anything else
// as an error.
func (s *Server) storePhoto(orgID int64, file io.Reader) (key, problem string, err error) {
	s.photoSlots <- struct{}{}
	variants, err := photo.Process(file, photo.Limits{MaxBytes: MaxPhotoBytes})
	<-s.photoSlots
	if k := photoErrorKey(err); k != "" {
		return "", k, nil
	}
	if err != nil {
		return "", "", err
	}
	key, err = s.photos.Save(orgID, variants)
	return key, "", err
}

func (s *Server) profilePhoto(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	file, _, err := r.FormFile("photo")
	if err != nil {
		var tooBig *http.MaxBytesError
		key := "photo.missing"
		if errors.As(err, &tooBig) {
			key = "photo.too_large"
		}
		s.photoProblem(w, r, rc, key)
		return
	}
	defer file.Close()
	key, problem, err := s.storePhoto(rc.org.ID, file)
	if problem != "" {
		s.photoProblem(w, r, rc, problem)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	old, err := s.members.SetPhoto(r.Context(), rc.org.ID, rc.member.UserID, key)
	if err != nil {
		_ = s.photos.Delete(rc.org.ID, key)
		s.serverError(w, r, err)
		return
	}
	if old != "" {
		if err := s.photos.Delete(rc.org.ID, old); err != nil {
			s.log.WarnContext(r.Context(), "old photo not deleted", "err", err)
		}
	}
	s.flash(w, rc.org, "flash.photo_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/profile", http.StatusSeeOther)
}

func (s *Server) photoProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, key string) {
	prof, ok := s.ownProfile(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "profile_edit.title")
	p.Form = profileForm(prof)
	p.Data = s.profileEditData(prof)
	p.Errors = map[string]string{"photo": p.T(key)}
	s.render(w, r, http.StatusUnprocessableEntity, "profile_edit.html", p)
}

func (s *Server) profilePhotoDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	old, err := s.members.SetPhoto(r.Context(), rc.org.ID, rc.member.UserID, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if old != "" {
		_ = s.photos.Delete(rc.org.ID, old)
	}
	s.flash(w, rc.org, "flash.photo_removed")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/profile", http.StatusSeeOther)
}

// profileConfirm is the one-click "yes, this is still right".
func (s *Server) profileConfirm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := s.members.Confirm(r.Context(), rc.org.ID, rc.member.UserID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.profile_confirmed")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/", http.StatusSeeOther)
}
