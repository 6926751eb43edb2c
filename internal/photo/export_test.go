package photo

// Internals exposed to the tests of package photo_test.

// JPEGOrientation is jpegOrientation.
var JPEGOrientation = jpegOrientation

// SetKeyFunc replaces the key generator until the returned function is
// called. Tests using it must not run in parallel.
func SetKeyFunc(f func() string) (restore func()) {
	old := newKey
	newKey = f
	return func() { newKey = old }
}
