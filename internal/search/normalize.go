package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds text the way both the index and queries see it:
//
//   - NFKC, which turns full-width ASCII into ASCII (ＮＴＴ → NTT), half-width
//     katakana into full-width (ﾀﾅｶ → タナカ, ﾊﾞ → バ), circled and
//     parenthesised forms into plain ones (① → 1, ㈱ → (株));
//   - katakana into hiragana (タナカ → たなか), keeping the long-vowel mark ー;
//   - lower case (TANAKA → tanaka);
//   - every run of white space, punctuation, symbols and control characters
//     into one ASCII space (、。・「」 and the ideographic space included),
//     with invisible format characters (zero-width space, BOM, soft hyphen)
//     dropped, and the result trimmed.
//
// The result is valid UTF-8 for any input (invalid bytes are dropped), and
// Normalize(Normalize(s)) == Normalize(s).
func Normalize(s string) string {
	if ascii(s) {
		return foldASCII(s)
	}
	s = strings.ToValidUTF8(s, "")
	out := fold(norm.NFKC.String(s))
	// Folding can leave text that NFKC would change again (dropping a format
	// character can bring a combining mark next to a letter it composes
	// with), so repeat until stable; real text never needs a second round.
	for i := 0; i < 4 && !norm.NFKC.IsNormalString(out); i++ {
		out = fold(norm.NFKC.String(out))
	}
	return out
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldASCII is Normalize for ASCII input, where NFKC changes nothing.
func foldASCII(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// fold applies the steps after NFKC to each rune.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case separator(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch {
		case 0x30A1 <= r && r <= 0x30F6, r == 0x30FD, r == 0x30FE:
			// ァ..ヶ → ぁ..ゖ, ヽヾ → ゝゞ.
			b.WriteRune(r - 0x60)
		case 0x30F7 <= r && r <= 0x30FA:
			// ヷヸヹヺ have no precomposed hiragana: わ゙ ゐ゙ ゑ゙ を゙.
			b.WriteRune(r - 0x30F7 + 0x308F)
			b.WriteRune(0x3099)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// separator reports whether r splits words.
func separator(r rune) bool {
	if r < utf8.RuneSelf {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r)
}
