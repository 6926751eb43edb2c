package group

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Rule fields an automatic group can follow.
const (
	RuleLeftYear   = "left_year"  // Value: a year, e.g. "2019"
	RuleDepartment = "department" // Value: a department as written, e.g. "営業部"
	RuleRegion     = "region"     // Value: a key of Regions, e.g. "kansai"
	RulePrefecture = "prefecture" // Value: a prefecture, e.g. "大阪府"
	RuleIndustry   = "industry"   // Value: a key of member.Industries
)

// RuleFields lists the fields in the order the rule form shows them.
var RuleFields = []string{RuleLeftYear, RuleDepartment, RuleRegion, RulePrefecture, RuleIndustry}

// Rule places a member in an automatic group when one profile fact matches.
//
// Visibility: a group's member list is seen by the whole network, so being in
// "関西在住" tells everyone where a member lives. A rule therefore only reads a
// fact the member shows to members (visibility "members" or "public"); a
// member who made the field admins-only is not placed in the group, and
// leaves it when they hide the field. HR's department (member_internal) is
// the authoritative record of the same career fact the member shows under
// "career", so it counts only while the member shows their career to
// members.
type Rule struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

func (r Rule) encode() string {
	if r.Field == "" {
		return ""
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func parseRule(s string) Rule {
	var r Rule
	if s != "" {
		_ = json.Unmarshal([]byte(s), &r)
	}
	return r
}

// clean trims and validates the rule; the error names the form field "rule_value".
func (r *Rule) clean() *FieldError {
	r.Field = strings.TrimSpace(r.Field)
	r.Value = strings.TrimSpace(r.Value)
	bad := func(key string) *FieldError { return &FieldError{Field: "rule_value", Key: key} }
	switch r.Field {
	case RuleLeftYear:
		y, err := strconv.Atoi(r.Value)
		if err != nil || y < 1900 || y > 2200 {
			return bad("group.error.rule_year")
		}
		r.Value = strconv.Itoa(y)
	case RuleDepartment:
		if r.Value == "" || utf8.RuneCountInString(r.Value) > member.MaxShort {
			return bad("group.error.rule_department")
		}
	case RuleRegion:
		if _, ok := Regions[r.Value]; !ok {
			return bad("group.error.rule_region")
		}
	case RulePrefecture:
		if !validPrefecture(r.Value) {
			return bad("group.error.rule_prefecture")
		}
	case RuleIndustry:
		if !member.ValidIndustry(r.Value) {
			return bad("group.error.rule_industry")
		}
	default:
		return &FieldError{Field: "rule_field", Key: "form.choose"}
	}
	return nil
}

// RegionKeys lists the regions in the order forms show them.
var RegionKeys = []string{"hokkaido", "tohoku", "kanto", "hokuriku_koshinetsu", "tokai", "kansai", "chugoku", "shikoku", "kyushu_okinawa"}

// Regions maps a region to its prefectures (the usual eight-region grouping,
// with 中部 split into 北陸・甲信越 and 東海 as people say it).
var Regions = map[string][]string{
	"hokkaido":            {"北海道"},
	"tohoku":              {"青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"},
	"kanto":               {"茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"},
	"hokuriku_koshinetsu": {"新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県"},
	"tokai":               {"岐阜県", "静岡県", "愛知県", "三重県"},
	"kansai":              {"大阪府", "京都府", "兵庫県", "奈良県", "滋賀県", "和歌山県"},
	"chugoku":             {"鳥取県", "島根県", "岡山県", "広島県", "山口県"},
	"shikoku":             {"徳島県", "香川県", "愛媛県", "高知県"},
	"kyushu_okinawa":      {"福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"},
}

// Prefectures lists the 47 prefectures in the usual north-to-south order.
func Prefectures() []string {
	var out []string
	for _, k := range RegionKeys {
		out = append(out, Regions[k]...)
	}
	return out
}

func validPrefecture(p string) bool {
	for _, x := range Prefectures() {
		if x == p {
			return true
		}
	}
	return false
}

// samePrefecture matches a member's free-text location against a
// prefecture, accepting the short form people often type (大阪, 東京).
func samePrefecture(location, pref string) bool {
	location = strings.TrimSpace(location)
	if location == "" {
		return false
	}
	if location == pref {
		return true
	}
	if pref == "北海道" {
		return false
	}
	// Strip one suffix only: 京都府 is 京都, not 京.
	_, last := utf8.DecodeLastRuneInString(pref)
	return location == pref[:len(pref)-last]
}

// facts are what rules read of one active member, with visibility applied.
type facts struct {
	userID      int64
	leftYear    int      // 0 unless shown to members
	departments []string // profile departments and HR's, if career is shown
	location    string
	industry    string
}

func shown(vis string) bool { return vis == string(member.Members) || vis == string(member.Public) }

const factsSelect = `SELECT u.id, p.left_year, p.department, p.prefecture, p.industry, p.vis_years, p.vis_career, p.vis_location, p.vis_work,
	COALESCE(mi.hr_department, '')
	FROM users u
	JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
	JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
	LEFT JOIN member_internal mi ON mi.org_id = u.org_id AND mi.user_id = u.id
	WHERE u.org_id = $1`

func loadFacts(ctx context.Context, q db.Querier, orgID int64, userID int64) ([]facts, error) {
	query, args := factsSelect, []any{orgID}
	if userID != 0 {
		query += ` AND u.id = $2`
		args = append(args, userID)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []facts
	for rows.Next() {
		var f facts
		var deps, visYears, visCareer, visLocation, visWork, hrDept string
		if err := rows.Scan(&f.userID, &f.leftYear, &deps, &f.location, &f.industry, &visYears, &visCareer, &visLocation, &visWork, &hrDept); err != nil {
			return nil, err
		}
		if !shown(visYears) {
			f.leftYear = 0
		}
		if shown(visCareer) {
			for _, d := range strings.Split(deps, "\n") {
				if d = strings.TrimSpace(d); d != "" {
					f.departments = append(f.departments, d)
				}
			}
			if hrDept = strings.TrimSpace(hrDept); hrDept != "" {
				f.departments = append(f.departments, hrDept)
			}
		}
		if !shown(visLocation) {
			f.location = ""
		}
		if !shown(visWork) {
			f.industry = ""
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// matches reports whether the rule places a member with these facts in the group.
func (r Rule) matches(f facts) bool {
	switch r.Field {
	case RuleLeftYear:
		return f.leftYear != 0 && strconv.Itoa(f.leftYear) == r.Value
	case RuleDepartment:
		for _, d := range f.departments {
			if d == r.Value {
				return true
			}
		}
	case RuleRegion:
		for _, p := range Regions[r.Value] {
			if samePrefecture(f.location, p) {
				return true
			}
		}
	case RulePrefecture:
		return samePrefecture(f.location, r.Value)
	case RuleIndustry:
		return f.industry != "" && f.industry == r.Value
	}
	return false
}

// Preview counts the active members a rule would place in a group now, for
// the live count on the rule form. An invalid rule counts nobody.
func (s *Service) Preview(ctx context.Context, orgID int64, r Rule) (int, error) {
	if r.clean() != nil {
		return 0, nil
	}
	all, err := loadFacts(ctx, s.db.Read(), orgID, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range all {
		if r.matches(f) {
			n++
		}
	}
	return n, nil
}

// syncGroup fills a new automatic group with every member its rule matches.
func (s *Service) syncGroup(ctx context.Context, tx db.Querier, orgID, groupID int64, r Rule) (int, error) {
	all, err := loadFacts(ctx, tx, orgID, 0)
	if err != nil {
		return 0, err
	}
	now, n := s.now(), 0
	for _, f := range all {
		if !r.matches(f) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (org_id, group_id, user_id, state, is_manager, created_at)
			VALUES ($1, $2, $3, 'member', FALSE, $4)`, orgID, groupID, f.userID, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SyncMember brings one member's automatic group memberships in step with
// their profile, in the caller's transaction. It runs after every change to a
// member (profile save, HR data, conversion to alumni, role change); a member
// no longer active in the organization leaves every automatic group. Each
// change is audited as an automatic change to the person.
func (s *Service) SyncMember(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	_, err := s.syncMember(ctx, exec, orgID, userID)
	return err
}

// syncMember is SyncMember, returning how many memberships it changed.
func (s *Service) syncMember(ctx context.Context, exec db.Querier, orgID, userID int64) (int, error) {
	fs, err := loadFacts(ctx, exec, orgID, userID)
	if err != nil {
		return 0, err
	}
	rows, err := exec.QueryContext(ctx, `SELECT g.id, g.name, g.rule, EXISTS (SELECT 1 FROM group_members gm
		WHERE gm.org_id = g.org_id AND gm.group_id = g.id AND gm.user_id = $2)
		FROM groups g WHERE g.org_id = $1 AND g.kind = 'auto' AND g.archived_at IS NULL ORDER BY g.id`, orgID, userID)
	if err != nil {
		return 0, err
	}
	type change struct {
		id   int64
		name string
		join bool
	}
	var changes []change
	for rows.Next() {
		var id int64
		var name, rule string
		var in bool
		if err := rows.Scan(&id, &name, &rule, &in); err != nil {
			rows.Close()
			return 0, err
		}
		want := len(fs) == 1 && parseRule(rule).matches(fs[0])
		if want != in {
			changes = append(changes, change{id, name, want})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	for _, c := range changes {
		action := "group.auto_joined"
		if c.join {
			_, err = exec.ExecContext(ctx, `INSERT INTO group_members (org_id, group_id, user_id, state, is_manager, created_at)
				VALUES ($1, $2, $3, 'member', FALSE, $4)`, orgID, c.id, userID, now)
		} else {
			action = "group.auto_left"
			_, err = exec.ExecContext(ctx, `DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3`, orgID, c.id, userID)
		}
		if err != nil {
			return 0, err
		}
		if err := audit.Log(ctx, exec, audit.Entry{OrgID: orgID, ActorLabel: "system", Action: action,
			Target: fmt.Sprintf("user:%d", userID), Detail: map[string]string{"group": strconv.FormatInt(c.id, 10), "name": c.name}}); err != nil {
			return 0, err
		}
	}
	return len(changes), nil
}

// ResyncAll recomputes every active automatic group of the organization from
// the current profiles, for data written without going through the member
// store (the demo seed, repairs). It returns how many memberships changed.
func (s *Service) ResyncAll(ctx context.Context, orgID int64) (int, error) {
	changed := 0
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		all, err := loadFacts(ctx, tx, orgID, 0)
		if err != nil {
			return err
		}
		// Members of the groups who are no longer active need a sync too.
		members, err := db.IDs(ctx, tx, `SELECT DISTINCT gm.user_id FROM group_members gm
			JOIN groups g ON g.org_id = gm.org_id AND g.id = gm.group_id
			WHERE gm.org_id = $1 AND g.kind = 'auto' AND g.archived_at IS NULL`, orgID)
		if err != nil {
			return err
		}
		users := map[int64]bool{}
		for _, f := range all {
			users[f.userID] = true
		}
		for _, u := range members {
			users[u] = true
		}
		for u := range users {
			n, err := s.syncMember(ctx, tx, orgID, u)
			if err != nil {
				return err
			}
			changed += n
		}
		return nil
	})
	return changed, err
}
