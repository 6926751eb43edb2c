package jobs

// DefaultBackoff exposes the default retry delay to the external tests.
var DefaultBackoff = defaultBackoff
