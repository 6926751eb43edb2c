// Package breakout divides an event's participants into balanced breakout groups by shared attributes.
package breakout

// Service is a placeholder until the capability is built.
type Service struct{}
