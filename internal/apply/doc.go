// Package apply handles the public application page: a former employee applies, verifies their email, and is matched against HR records or queued for approval.
package apply

// Service is a placeholder until the capability is built.
type Service struct{}
