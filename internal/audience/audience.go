// Package audience says who may see a post or an event: the whole network,
// alumni only, employees and alumni, or one group. The rule lives here once,
// in Go for single records and as SQL for lists, so that the feed, events and
// anything later agree.
package audience

import (
	"fmt"

	"github.com/tsunagu/tsunagu/internal/org"
)

// Kind is an audience.
type Kind string

const (
	// Network is everyone in the organization's network.
	Network Kind = "network"
	// Alumni is alumni only (with the staff who look after them).
	Alumni Kind = "alumni"
	// EmployeesAlumni is employees and alumni (with staff): the mixed
	// audience of exchanges between people who stayed and people who left.
	EmployeesAlumni Kind = "employees_alumni"
	// Group is the members of one group (with staff, who moderate).
	Group Kind = "group"
)

// Kinds lists the audiences in the order forms show them.
var Kinds = []Kind{Network, EmployeesAlumni, Alumni, Group}

// Audience is who may see something. GroupID is set only for Group.
type Audience struct {
	Kind    Kind
	GroupID int64
}

// Validate checks the kind and that a group audience names a group.
func (a Audience) Validate() error {
	switch a.Kind {
	case Network, Alumni, EmployeesAlumni:
		if a.GroupID != 0 {
			return fmt.Errorf("%w: group with audience %s", org.ErrInvalid, a.Kind)
		}
		return nil
	case Group:
		if a.GroupID <= 0 {
			return fmt.Errorf("%w: group audience without a group", org.ErrInvalid)
		}
		return nil
	}
	return fmt.Errorf("%w: audience %q", org.ErrInvalid, a.Kind)
}

// Allows tells whether a member with role sees something for a, where
// inGroup says whether they are a member (state 'member') of a's group.
// Staff see everything: they moderate.
func (a Audience) Allows(role org.Role, inGroup bool) bool {
	if role.Staff() {
		return true
	}
	switch a.Kind {
	case Network:
		return role.Valid()
	case Alumni:
		return role == org.Alumni
	case EmployeesAlumni:
		return role == org.Alumni || role == org.Employee
	case Group:
		return inGroup
	}
	return false
}

// SQL is a condition for list queries on a table aliased t with columns
// audience and audience_group_id (NULL unless a group). orgArg, roleArg and
// userArg are the placeholders ("$1", ...) of the organization id, the
// viewer's role and user id.
func SQL(t, orgArg, roleArg, userArg string) string {
	return fmt.Sprintf(`(%[2]s IN ('admin', 'supporter')
	OR %[1]s.audience = 'network'
	OR (%[1]s.audience = 'alumni' AND %[2]s = 'alumni')
	OR (%[1]s.audience = 'employees_alumni' AND %[2]s IN ('alumni', 'employee'))
	OR (%[1]s.audience = 'group' AND EXISTS (SELECT 1 FROM group_members gm
		WHERE gm.org_id = %[3]s AND gm.group_id = %[1]s.audience_group_id AND gm.user_id = %[4]s AND gm.state = 'member')))`,
		t, roleArg, orgArg, userArg)
}
