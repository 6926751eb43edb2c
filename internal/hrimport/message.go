package hrimport

import (
	"strconv"

	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// MaxUploadMB is the upload limit the web page and the command line share.
const MaxUploadMB = 50

// Message is the error in lang, for the page, the error CSV and the command line.
func (e RowError) Message(lang string) string { return i18n.T(lang, e.Key, "value", e.Value) }

// Message is the problem in lang.
func (e *FileError) Message(lang string) string {
	return FileProblem(lang, e.Key, e.Row)
}

// FileProblem renders a stored file problem.
func FileProblem(lang, key string, row int) string {
	return i18n.T(lang, key, "row", strconv.Itoa(row), "max", strconv.Itoa(MaxUploadMB))
}

// Message is the mapping problem in lang.
func (e *MappingError) Message(lang string) string {
	if e.Key == "" {
		return e.Error()
	}
	return i18n.T(lang, e.Key)
}
