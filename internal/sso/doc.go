// Package sso signs members in with their organization's OpenID Connect provider.
package sso

// Service is a placeholder until the capability is built.
type Service struct{}
