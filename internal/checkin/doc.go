// Package checkin checks people in at events with a QR code per registration.
package checkin

// Service is a placeholder until the capability is built.
type Service struct{}
