package scim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
)

func TestParseFilterCanonicalForms(t *testing.T) {
	for in, want := range map[string]string{
		`userName eq "bjensen@example.com"`:                          `userName eq "bjensen@example.com"`,
		`userName Eq "a\"b\\c\u00e9"`:                                `userName eq "a\"b\\cé"`,
		`externalId eq "00ub0oNGTSWTBKOLGLNR"`:                       `externalId eq "00ub0oNGTSWTBKOLGLNR"`,
		`title pr`:                                                   `title pr`,
		`title PR and userType eq "Employee"`:                        `title pr and userType eq "Employee"`,
		`a eq 1 or b eq 2 and c eq 3`:                                `a eq 1 or b eq 2 and c eq 3`,
		`(a eq 1 or b eq 2) and c eq 3`:                              `(a eq 1 or b eq 2) and c eq 3`,
		`not (active eq TRUE)`:                                       `not (active eq true)`,
		`active eq false and x eq null`:                              `active eq false and x eq null`,
		`emails[type eq "work" and value co "@example.com"]`:         `emails[type eq "work" and value co "@example.com"]`,
		`emails[type eq "work"].value eq "x@y.jp"`:                   `emails[type eq "work"].value eq "x@y.jp"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`: `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`:                                           `meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`a pr and (b pr and c pr)`:                                                              `a pr and (b pr and c pr)`,
		`a pr or (b pr or c pr) or d pr`:                                                        `a pr or (b pr or c pr) or d pr`,
		`(a pr or b pr) and not (c pr or d pr and e pr)`:                                        `(a pr or b pr) and not (c pr or d pr and e pr)`,
		`name.familyName co "山田"`:                                                               `name.familyName co "山田"`,
	} {
		e, err := ParseFilter(in)
		if err != nil {
			t.Errorf("ParseFilter(%s): %v", in, err)
			continue
		}
		if got := e.String(); got != want {
			t.Errorf("ParseFilter(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestParseFilterRefusesWithReason(t *testing.T) {
	for in, want := range map[string]string{
		``:                               "ends where an attribute name was expected",
		`userName eq`:                    `ends where a value for "eq" was expected`,
		`userName equals "x"`:            `"equals" is not an operator`,
		`userName eq x`:                  `"x" is not a value`,
		`userName eq "x`:                 "has no closing quote",
		`userName eq "\q"`:               "not a valid JSON string",
		`(userName eq "x"`:               "is not closed",
		`userName eq "x")`:               `unexpected ")"`,
		`userName eq "x" and`:            "ends where an attribute name was expected",
		`emails[type eq "w"`:             "bracket at position 7 is not closed",
		`emails[x[y eq 1]]`:              "cannot nest",
		`1abc eq "x"`:                    "is not an attribute name",
		`http://x:userName eq "x"`:       "is not an attribute name",
		strings.Repeat("(", 40) + "a pr": "nests deeper",
		strings.Repeat("a", 5000):        "longer than",
		"userName eq \"\xff\"":           "not valid UTF-8",
	} {
		_, err := ParseFilter(in)
		if err == nil || !isFilterError(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFilter(%q) = %v, want an error with %q", in, err, want)
		}
	}
}

func TestFilterEvaluation(t *testing.T) {
	created := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	taro := &record{UserID: 7, Email: "Taro.Yamada@example.co.jp", Family: "山田", Given: "太郎", Role: org.Employee,
		ExternalID: "ext-ABC", EmployeeNumber: "E100", Department: "営業部", Created: created, Modified: created.Add(time.Hour)}
	hanako := &record{UserID: 8, Email: "hanako@example.co.jp", Family: "佐藤", Role: org.Alumni, Created: created, Modified: created}
	for filter, want := range map[string][2]bool{
		`userName eq "taro.yamada@EXAMPLE.co.jp"`:                {true, false},  // userName is not case-exact
		`externalId eq "ext-abc"`:                                {false, false}, // externalId is
		`externalId eq "ext-ABC"`:                                {true, false},
		`externalId pr`:                                          {true, false},
		`externalId ne "x"`:                                      {true, true},
		`externalId eq null`:                                     {false, true},
		`emails[type eq "work"].value eq "hanako@example.co.jp"`: {false, true},
		`emails[type eq "home"]`:                                 {false, false},
		`emails co "@example.co.jp"`:                             {true, true},
		`active eq true`:                                         {true, false},
		`not (active eq true)`:                                   {false, true},
		`name.familyName sw "山" or name.givenName ew "郎"`:        {true, false},
		`id eq "8"`:                                              {false, true},
		`meta.lastModified gt "2026-04-01T00:30:00Z"`:            {true, false},
		`meta.created le "2026-04-01T09:00:00+09:00"`:            {true, true},
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "営業部"`: {true, false},
		`userName gt "h" and userName lt "i"`:                                            {false, true},
	} {
		e, err := ParseFilter(filter)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		match, err := compile(e, "")
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		if got := [2]bool{match(taro), match(hanako)}; got != want {
			t.Errorf("%s: matches (taro, hanako) = %v, want %v", filter, got, want)
		}
	}
}

func TestFilterUnsupportedIsRefused(t *testing.T) {
	for filter, want := range map[string]string{
		`title eq "Manager"`:                     `filtering on "title" is not supported`,
		`active eq "yes"`:                        "wrong kind of value",
		`active co true`:                         "wrong kind of value",
		`userName eq 42`:                         "wrong kind of value",
		`userName gt true`:                       "wrong kind of value",
		`meta.created eq "yesterday"`:            "is not a date",
		`meta.created co "2026-04-01T00:00:00Z"`: "use eq, ne, gt",
		`name[givenName eq "x"]`:                 "not supported",
		`emails[primary eq "x"]`:                 "wrong kind of value",
		`urn:example:custom:2.0:User:x pr`:       "not supported",
		`userName eq "a" or groups pr`:           `"groups" is not supported`,
		`name.familyName lt null`:                "compared with null by eq or ne",
	} {
		e, err := ParseFilter(filter)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if _, err := compile(e, ""); err == nil || !isFilterError(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("compile(%s) = %v, want an error with %q", filter, err, want)
		}
	}
}

func TestNarrowing(t *testing.T) {
	for filter, want := range map[string]string{
		`userName eq "A@B.jp"`:                      "u.email_lower=a@b.jp",
		`active eq true and externalId eq "X1"`:     "s.external_id=X1",
		`id eq "12"`:                                "u.id=12",
		`id eq "x"`:                                 "u.id=-1",
		`userName eq "a@b.jp" or externalId eq "x"`: "",
		`not (userName eq "a@b.jp")`:                "",
		`userName co "a"`:                           "",
	} {
		e, _ := ParseFilter(filter)
		col, arg, ok := narrowing(e)
		got := ""
		if ok {
			got = fmt.Sprint(col, "=", arg)
		}
		if got != want {
			t.Errorf("narrowing(%s) = %q, want %q", filter, got, want)
		}
	}
}

func TestParsePath(t *testing.T) {
	for in, want := range map[string]string{
		`active`:                            `active`,
		`name.givenName`:                    `name.givenName`,
		`emails[type eq "work"].value`:      `emails[type eq "work"].value`,
		`addresses[type eq "work"].country`: `addresses[type eq "work"].country`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`,
	} {
		p, err := ParsePath(in)
		if err != nil || p.String() != want {
			t.Errorf("ParsePath(%s) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{``, `active eq true`, `emails[type eq "work"`, `(active)`, `name..x`} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}
}

// FuzzParseFilter: no input panics, and whatever parses prints a form that
// parses back to the same form.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		`userName eq "bjensen@example.com"`, `emails[type eq "work"].value eq "x@y.jp"`, `not (a pr) or (b ne "\u3042" and c gt 1.5e3)`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, `active eq False`, `x eq null`, `((a pr))`,
		`meta.lastModified ge "2026-01-01T00:00:00Z"`, `a[b eq "]"]`, `"`, `[`, `not`, `a eq "\"`, `a eq -0.1`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseFilter(s)
		if err != nil {
			if !isFilterError(err) {
				t.Fatalf("ParseFilter(%q): error of the wrong type: %v", s, err)
			}
			return
		}
		canon := e.String()
		e2, err := ParseFilter(canon)
		if err != nil {
			t.Fatalf("ParseFilter(%q) gave %q, which does not parse: %v", s, canon, err)
		}
		if e2.String() != canon {
			t.Fatalf("round trip of %q: %q then %q", s, canon, e2.String())
		}
		// Compiling must not panic either; refusals are fine.
		if match, err := compile(e, ""); err == nil {
			match(&record{Email: "a@b.jp", Family: "x"})
		}
	})
}

// A long flat chain has a flat canonical form: printing must not nest it
// past the depth limit.
func TestLongChainRoundTrips(t *testing.T) {
	in := strings.Repeat(`userName eq "a" and `, 150) + `userName eq "b" or active eq true`
	e, err := ParseFilter(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFilter(e.String()); err != nil || e.String() != in {
		t.Fatalf("round trip: %v\n%s", err, e.String())
	}
}
