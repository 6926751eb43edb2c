// Package hrimport imports HR files (CSV from Excel or HR systems, UTF-8 or Shift_JIS) of past leavers and current employees: mapping, a dry run, and an idempotent import.
package hrimport

// Service is a placeholder until the capability is built.
type Service struct{}
