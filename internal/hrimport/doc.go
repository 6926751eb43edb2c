// Package hrimport imports HR files (CSV from Excel or HR systems, UTF-8 or
// Shift_JIS) of past leavers and current employees: encoding detection,
// column mapping, a dry run that writes nothing, and an idempotent import
// (keyed by employee number, else email) that runs as a job over a file
// streamed from disk, so that 100,000 rows take constant memory apart from
// the set of keys seen (to find duplicates within the file).
package hrimport
