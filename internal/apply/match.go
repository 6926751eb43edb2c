package apply

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/search"
)

// Candidate is an HR record an application may be about.
type Candidate struct {
	UserID      int64
	Email       string
	Name        org.Name
	JoinedYear  int // from the profile
	LeftYear    int
	Departments []string
	// HR's own record, from member_internal. Only admins see these; for
	// supporters they are blanked and only the agreement flags remain.
	HR *HRRecord
	// Which facts agree with the application.
	EmailAgrees, NameAgrees, KanaAgrees, JoinedAgrees, LeftAgrees bool
	// DepartmentAgrees is "yes", "no", or "" when one side names none.
	DepartmentAgrees string
	Strong           bool // enough to approve automatically
}

// HRRecord holds the internal fields staff compare, admins only.
type HRRecord struct {
	HiredOn, LeftOn, Department, JobTitle, Source, EmployeeNumber string
	RehireEligibility, RehireConditions, Notes                    string
}

// fold makes names and departments comparable: search.Normalize (NFKC,
// katakana to hiragana, lower case, punctuation to spaces) with the spaces
// removed, so that 山田 花子 and 山田・花子 agree.
func fold(s string) string {
	return strings.ReplaceAll(search.Normalize(s), " ", "")
}

// katakana turns hiragana into katakana, to find records whose kana HR
// typed the other way.
func katakana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ぁ' && r <= 'ゖ' {
			return r + ('ァ' - 'ぁ')
		}
		return r
	}, s)
}

func hiragana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - ('ァ' - 'ぁ')
		}
		return r
	}, s)
}

// yearOf is the year of an ISO date, 0 when unknown.
func yearOf(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil {
		return 0
	}
	return y
}

// candidates finds the never-activated alumni records an application may be
// about (same email, or same family name written or in kana) and says how
// well each agrees.
func (s *Service) candidates(ctx context.Context, q db.Querier, a Application) ([]Candidate, error) {
	kana := strings.TrimSpace(a.FamilyKana)
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.email, u.family_name, u.given_name, u.family_kana, u.given_kana,
		COALESCE(p.joined_year, 0), COALESCE(p.left_year, 0), COALESCE(p.department, ''),
		COALESCE(mi.hired_on, ''), COALESCE(mi.left_on, ''), COALESCE(mi.hr_department, ''), COALESCE(mi.hr_job_title, ''),
		COALESCE(mi.hr_source, ''), COALESCE(mi.employee_number, ''), COALESCE(mi.rehire_eligibility, ''),
		COALESCE(mi.rehire_conditions, ''), COALESCE(mi.notes, '')
		FROM users u
		JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL AND m.role = 'alumni'
		LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
		LEFT JOIN member_internal mi ON mi.org_id = u.org_id AND mi.user_id = u.id
		WHERE u.org_id = $1 AND u.activated_at IS NULL
		AND (u.email_lower = $2 OR u.family_name = $3 OR (u.family_kana <> '' AND u.family_kana IN ($4, $5)))
		ORDER BY u.id LIMIT 50`,
		a.OrgID, strings.ToLower(a.Email), strings.TrimSpace(a.Family), hiragana(kana), katakana(kana))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		var hr HRRecord
		var deps string
		if err := rows.Scan(&c.UserID, &c.Email, &c.Name.Family, &c.Name.Given, &c.Name.FamilyKana, &c.Name.GivenKana,
			&c.JoinedYear, &c.LeftYear, &deps, &hr.HiredOn, &hr.LeftOn, &hr.Department, &hr.JobTitle, &hr.Source,
			&hr.EmployeeNumber, &hr.RehireEligibility, &hr.RehireConditions, &hr.Notes); err != nil {
			return nil, err
		}
		for _, d := range strings.Split(deps, "\n") {
			if strings.TrimSpace(d) != "" {
				c.Departments = append(c.Departments, d)
			}
		}
		c.HR = &hr
		c.judge(a)
		if c.EmailAgrees || c.NameAgrees || c.KanaAgrees {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// judge compares the record with the application; see the package doc for
// the rule.
func (c *Candidate) judge(a Application) {
	c.EmailAgrees = strings.EqualFold(c.Email, a.Email)
	c.NameAgrees = fold(a.Given) != "" && fold(c.Name.Family) == fold(a.Family) && fold(c.Name.Given) == fold(a.Given)
	c.KanaAgrees = fold(a.FamilyKana) != "" && fold(a.GivenKana) != "" &&
		fold(c.Name.FamilyKana) == fold(a.FamilyKana) && fold(c.Name.GivenKana) == fold(a.GivenKana)
	// HR's dates are the authority; the profile's years stand in where HR has none.
	joined, left := yearOf(c.HR.HiredOn), yearOf(c.HR.LeftOn)
	if joined == 0 {
		joined = c.JoinedYear
	}
	if left == 0 {
		left = c.LeftYear
	}
	c.JoinedAgrees = joined != 0 && joined == a.JoinedYear
	c.LeftAgrees = left != 0 && left == a.LeftYear
	var theirs []string
	if c.HR.Department != "" {
		theirs = append(theirs, c.HR.Department)
	}
	theirs = append(theirs, c.Departments...)
	c.DepartmentAgrees = ""
	if a.Department != "" && len(theirs) > 0 {
		c.DepartmentAgrees = "no"
		for _, d := range theirs {
			if fold(d) == fold(a.Department) {
				c.DepartmentAgrees = "yes"
			}
		}
	}
	c.Strong = c.EmailAgrees ||
		((c.NameAgrees || c.KanaAgrees) && c.JoinedAgrees && c.LeftAgrees && c.DepartmentAgrees != "no")
}

// Candidates lists the records staff may link a pending application to
// (none once it is decided). Only admins get HR's internal fields, and
// their viewing them is audited; for anyone else the fields are removed
// here, on the server, and only whether each fact agrees is told.
func (s *Service) Candidates(ctx context.Context, a Application, viewer Staff) ([]Candidate, error) {
	if a.Status != StatusPending {
		return nil, nil
	}
	cands, err := s.candidates(ctx, s.db.Read(), a)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	if viewer.Member.Role != org.Admin {
		for i := range cands {
			cands[i].HR = nil
		}
		return cands, nil
	}
	err = audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: a.OrgID, ActorUserID: viewer.Member.UserID, ActorLabel: viewer.Member.Email,
		Action: "apply.candidates_viewed", Target: fmt.Sprintf("application:%d", a.ID), IP: viewer.Client.IP,
		Detail: map[string]string{"candidates": strconv.Itoa(len(cands))}})
	if err != nil {
		return nil, err
	}
	return cands, nil
}
