package audience

import (
	"testing"

	"github.com/tsunagu/tsunagu/internal/org"
)

func TestAllows(t *testing.T) {
	cases := []struct {
		a       Audience
		role    org.Role
		inGroup bool
		want    bool
	}{
		{Audience{Kind: Network}, org.Alumni, false, true},
		{Audience{Kind: Network}, org.Employee, false, true},
		{Audience{Kind: Alumni}, org.Alumni, false, true},
		{Audience{Kind: Alumni}, org.Employee, false, false},
		{Audience{Kind: Alumni}, org.Supporter, false, true},
		{Audience{Kind: EmployeesAlumni}, org.Employee, false, true},
		{Audience{Kind: EmployeesAlumni}, org.Alumni, false, true},
		{Audience{Kind: Group, GroupID: 1}, org.Alumni, false, false},
		{Audience{Kind: Group, GroupID: 1}, org.Alumni, true, true},
		{Audience{Kind: Group, GroupID: 1}, org.Admin, false, true},
		{Audience{Kind: "secret"}, org.Alumni, true, false},
		{Audience{Kind: Network}, org.Role("visitor"), false, false},
	}
	for _, c := range cases {
		if got := c.a.Allows(c.role, c.inGroup); got != c.want {
			t.Errorf("%+v.Allows(%s, %v) = %v, want %v", c.a, c.role, c.inGroup, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, ok := range []Audience{{Kind: Network}, {Kind: Alumni}, {Kind: EmployeesAlumni}, {Kind: Group, GroupID: 3}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, bad := range []Audience{{}, {Kind: "everyone"}, {Kind: Group}, {Kind: Network, GroupID: 2}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
