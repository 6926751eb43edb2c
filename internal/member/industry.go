package member

// Industries are the keys members choose their current industry from; the
// labels are in the message catalog as "industry.<key>".
var Industries = []string{"it", "finance", "manufacturing", "consulting", "retail", "healthcare", "education", "public",
	"media", "logistics", "real_estate", "energy", "food", "trading", "construction", "hr", "startup", "other"}

// ValidIndustry reports whether key is one of Industries.
func ValidIndustry(key string) bool {
	for _, k := range Industries {
		if k == key {
			return true
		}
	}
	return false
}
