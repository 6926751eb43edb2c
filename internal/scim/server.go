package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a request body: a User is a few hundred bytes, a PATCH
// from a directory a few kilobytes.
const maxBody = 256 << 10

// maxCount bounds a page of a list.
const maxCount = 200

// Error is a SCIM error response (RFC 7644 section 3.12).
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string { return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail) }

func scimError(status int, scimType, detail string) error {
	return &Error{Status: status, ScimType: scimType, Detail: detail}
}

// Handler serves /scim/v2/. Only a bearer token authenticates: cookies are
// never read, so a browser session grants nothing here.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	secret, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tsunagu-scim"`)
		s.fail(w, r, scimError(http.StatusUnauthorized, "", "missing bearer token: send Authorization: Bearer tsc_… (an admin creates SCIM tokens at Administration › SCIM provisioning)"))
		return
	}
	c, err := s.authenticate(r.Context(), secret)
	if errors.Is(err, ErrTokenInvalid) || errors.Is(err, ErrTokenRevoked) {
		s.log.InfoContext(r.Context(), "scim: token refused", "reason", err)
		w.Header().Set("WWW-Authenticate", `Bearer realm="tsunagu-scim", error="invalid_token"`)
		s.fail(w, r, scimError(http.StatusUnauthorized, "", "the token is invalid or has been revoked"))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(Prefix, "/")), "/")
	route, id, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	switch {
	case route == "Users" && id == "":
		s.methods(w, r, map[string]func(){
			http.MethodGet:  func() { s.listUsers(w, r, c) },
			http.MethodPost: func() { s.createUser(w, r, c) },
		})
	case route == "Users" && !strings.Contains(id, "/"):
		s.methods(w, r, map[string]func(){
			http.MethodGet:    func() { s.getUser(w, r, c, id) },
			http.MethodPut:    func() { s.replaceUser(w, r, c, id) },
			http.MethodPatch:  func() { s.patchUser(w, r, c, id) },
			http.MethodDelete: func() { s.deleteUser(w, r, c, id) },
		})
	case route == "ServiceProviderConfig" && id == "":
		s.methods(w, r, map[string]func(){http.MethodGet: func() { s.write(w, http.StatusOK, s.serviceProviderConfig()) }})
	case route == "ResourceTypes" && (id == "" || id == "User"):
		s.methods(w, r, map[string]func(){http.MethodGet: func() { s.discovery(w, id, s.resourceTypes()) }})
	case route == "Schemas" && (id == "" || id == userURN || id == enterpriseURN):
		s.methods(w, r, map[string]func(){http.MethodGet: func() { s.discovery(w, id, s.schemas()) }})
	default:
		s.fail(w, r, scimError(http.StatusNotFound, "", "no such endpoint: this server provides /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas"))
	}
}

func (s *Service) methods(w http.ResponseWriter, r *http.Request, h map[string]func()) {
	if f := h[r.Method]; f != nil {
		f()
		return
	}
	var allow []string
	for m := range h {
		allow = append(allow, m)
	}
	slices.Sort(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.fail(w, r, scimError(http.StatusMethodNotAllowed, "", r.Method+" is not supported here"))
}

// bearer takes the token out of an Authorization header.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func (s *Service) write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// fail answers with a SCIM error; anything that is not one is a 500 whose
// cause goes to the log, not to the client.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		if isFilterError(err) {
			e = &Error{Status: http.StatusBadRequest, ScimType: "invalidFilter", Detail: err.Error()}
		} else {
			s.log.ErrorContext(r.Context(), "scim: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			e = &Error{Status: http.StatusInternalServerError, Detail: "internal error; the request may be retried"}
		}
	}
	body := map[string]any{"schemas": []string{errorURN}, "status": strconv.Itoa(e.Status), "detail": e.Detail}
	if e.ScimType != "" {
		body["scimType"] = e.ScimType
	}
	s.write(w, e.Status, body)
}

// userResource is a User as RFC 7643 section 4.1 writes it.
type userResource struct {
	Schemas     []string         `json:"schemas"`
	ID          string           `json:"id"`
	ExternalID  string           `json:"externalId,omitempty"`
	UserName    string           `json:"userName"`
	Name        nameResource     `json:"name"`
	DisplayName string           `json:"displayName"`
	Emails      []emailResource  `json:"emails"`
	Active      bool             `json:"active"`
	Enterprise  *enterpriseAttrs `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Meta        meta             `json:"meta"`
}

type nameResource struct {
	Formatted  string `json:"formatted"`
	FamilyName string `json:"familyName"`
	GivenName  string `json:"givenName,omitempty"`
}

type emailResource struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

type enterpriseAttrs struct {
	EmployeeNumber string `json:"employeeNumber,omitempty"`
	Department     string `json:"department,omitempty"`
}

type meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location"`
}

func (s *Service) userLocation(id int64) string {
	return s.BaseURL() + "/Users/" + strconv.FormatInt(id, 10)
}

func (s *Service) resource(r record) userResource {
	id := strconv.FormatInt(r.UserID, 10)
	u := userResource{Schemas: []string{userURN}, ID: id, ExternalID: r.ExternalID, UserName: r.Email,
		Name:        nameResource{Formatted: r.displayName(), FamilyName: r.Family, GivenName: r.Given},
		DisplayName: r.displayName(), Emails: []emailResource{{Value: r.Email, Type: "work", Primary: true}}, Active: r.active(),
		Meta: meta{ResourceType: "User", Created: r.Created.Format(time.RFC3339), LastModified: r.Modified.Format(time.RFC3339),
			Location: s.userLocation(r.UserID)}}
	if r.EmployeeNumber != "" || r.Department != "" {
		u.Schemas = append(u.Schemas, enterpriseURN)
		u.Enterprise = &enterpriseAttrs{EmployeeNumber: r.EmployeeNumber, Department: r.Department}
	}
	return u
}

func (s *Service) getUser(w http.ResponseWriter, r *http.Request, c caller, id string) {
	rec, err := s.get(r.Context(), s.db.Read(), c.orgID, id)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	w.Header().Set("Location", s.userLocation(rec.UserID))
	s.write(w, http.StatusOK, s.resource(rec))
}

func (s *Service) failLookup(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) {
		err = scimError(http.StatusNotFound, "", "no such user")
	}
	s.fail(w, r, err)
}

// listUsers is GET /Users with filter, startIndex and count (RFC 7644
// section 3.4.2). Sorting is by id and not configurable.
func (s *Service) listUsers(w http.ResponseWriter, r *http.Request, c caller) {
	q := r.URL.Query()
	if q.Get("sortBy") != "" {
		s.fail(w, r, scimError(http.StatusBadRequest, "invalidValue", "sorting is not supported"))
		return
	}
	start, count := 1, 100
	for _, p := range []struct {
		name string
		v    *int
	}{{"startIndex", &start}, {"count", &count}} {
		if raw := q.Get(p.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				s.fail(w, r, scimError(http.StatusBadRequest, "invalidValue", p.name+" must be an integer"))
				return
			}
			*p.v = n
		}
	}
	// RFC 7644: a startIndex below 1 is 1, a negative count is 0.
	start, count = max(start, 1), min(max(count, 0), maxCount)
	var filter Expr
	if raw := q.Get("filter"); raw != "" {
		var err error
		if filter, err = ParseFilter(raw); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	recs, err := s.list(r.Context(), c.orgID, filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := []userResource{}
	for i := start - 1; i < len(recs) && len(page) < count; i++ {
		page = append(page, s.resource(recs[i]))
	}
	s.write(w, http.StatusOK, map[string]any{"schemas": []string{listURN}, "totalResults": len(recs),
		"startIndex": start, "itemsPerPage": len(page), "Resources": page})
}

// readBody decodes a JSON object, keeping numbers as written.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
	if ct != "" && ct != "application/scim+json" && ct != "application/json" {
		return nil, scimError(http.StatusUnsupportedMediaType, "", "send the body as application/scim+json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, scimError(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", maxBody))
		}
		return nil, scimError(http.StatusBadRequest, "invalidSyntax", "the body is not a JSON object: "+err.Error())
	}
	if body == nil || dec.More() {
		return nil, scimError(http.StatusBadRequest, "invalidSyntax", "the body must be one JSON object")
	}
	return body, nil
}

func (s *Service) createUser(w http.ResponseWriter, r *http.Request, c caller) {
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := userState{Active: true}
	if err := decodeUser(body, &u); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := s.create(r.Context(), c, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.respondUser(w, r, c, id, http.StatusCreated)
}

func (s *Service) respondUser(w http.ResponseWriter, r *http.Request, c caller, id int64, status int) {
	rec, err := s.get(r.Context(), s.db.Write(), c.orgID, strconv.FormatInt(id, 10))
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	w.Header().Set("Location", s.userLocation(rec.UserID))
	s.write(w, status, s.resource(rec))
}

func (s *Service) replaceUser(w http.ResponseWriter, r *http.Request, c caller, id string) {
	cur, err := s.get(r.Context(), s.db.Read(), c.orgID, id)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// PUT replaces: what is not sent is cleared, except active (an omission
	// must never deactivate someone) and the HR fields when the enterprise
	// extension is absent altogether (the directory may not manage them).
	next := userState{Active: cur.active(), EmployeeNumber: cur.EmployeeNumber, Department: cur.Department}
	if err := decodeUser(body, &next); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.update(r.Context(), c, cur, next); err != nil {
		s.fail(w, r, err)
		return
	}
	s.respondUser(w, r, c, cur.UserID, http.StatusOK)
}

func (s *Service) patchUser(w http.ResponseWriter, r *http.Request, c caller, id string) {
	cur, err := s.get(r.Context(), s.db.Read(), c.orgID, id)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next, err := applyPatch(cur.state(), body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.update(r.Context(), c, cur, next); err != nil {
		s.fail(w, r, err)
		return
	}
	s.respondUser(w, r, c, cur.UserID, http.StatusOK)
}

func (s *Service) deleteUser(w http.ResponseWriter, r *http.Request, c caller, id string) {
	cur, err := s.get(r.Context(), s.db.Read(), c.orgID, id)
	if err != nil {
		s.failLookup(w, r, err)
		return
	}
	if err := s.remove(r.Context(), c, cur); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
