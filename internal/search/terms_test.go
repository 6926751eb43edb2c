package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	// 田 U+7530, 中 U+4E2D, 太 U+592A, 郎 U+90CE, x in base 36: 0n5c, 0ffx, 0hm2, 0slq, 003c.
	if got := ftsTokens(12, "田中太\nx"); got != "12x0n5c0ffx0hm2 12x0n5c0ffx 12x0ffx0hm2 12x0n5c 12x0ffx 12x0hm2 12x003c" {
		t.Errorf("ftsTokens = %q", got)
	}
	if got := ftsPhrase(12, "田中太郎"); got != `"12x0n5c0ffx0hm2 12x0ffx0hm20slq"` {
		t.Errorf("ftsPhrase = %q", got)
	}
	if got := ftsPhrase(1, "田"); got != `"1x0n5c"` {
		t.Errorf("ftsPhrase = %q", got)
	}
	// The organization's id ends at the first x: org 1's "2田" cannot be org 12's "田".
	if strings.HasPrefix(ftsPhrase(1, "2田"), `"12x`) {
		t.Error("organization prefixes collide")
	}
	got := pgTerms(7, "田中 a", "田中")
	want := []string{"7:a", "7:中", "7:田", "7:田中"}
	if !slices.Equal(got, want) {
		t.Errorf("pgTerms = %q, want %q", got, want)
	}
	if got := pgQueryTerms(7, "たなかた"); !slices.Equal(got, []string{"7:たなか", "7:なかた"}) {
		t.Errorf("pgQueryTerms = %q", got)
	}
	if got := pgQueryTerms(7, "ああああ"); !slices.Equal(got, []string{"7:あああ"}) {
		t.Errorf("pgQueryTerms = %q", got)
	}
}
