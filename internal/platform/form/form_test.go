package form

import (
	"errors"
	"fmt"
	"testing"
)

func TestProblems(t *testing.T) {
	var err error = fmt.Errorf("saving: %w", Problems{{Field: "email", Key: "x.email"}, {Field: "name", Key: "x.name", Args: []any{"max", 3}}})
	var p Problems
	if !errors.As(err, &p) || len(p) != 2 {
		t.Fatalf("errors.As: %v", err)
	}
	if got := p.Error(); got != "invalid form: email: x.email; name: x.name" {
		t.Errorf("Error() = %q", got)
	}
	p.Add("title", "x.title", "max", 5)
	if !p.Has("name") || !p.Has("title") || p.Has("date") || len(p) != 3 || p[2].Args[1] != 5 {
		t.Errorf("Add and Has: %+v", p)
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"  こんにちは\r\n二行目\t表  ": "こんにちは\n二行目\t表",
		"古い\rMac":             "古い\nMac",
		"NUL\x00と\x1bESC":     "NULとESC",
		"\xff壊れた":             "\uFFFD壊れた",
		"\n\n":                "",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
