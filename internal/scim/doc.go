// Package scim serves SCIM 2.0 (RFC 7643/7644) for identity providers to provision and deprovision employees.
package scim

// Service is a placeholder until the capability is built.
type Service struct{}
