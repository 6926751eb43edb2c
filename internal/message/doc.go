// Package message carries direct messages between members and from members to the company's HR inbox, with unread counts and blocking.
package message

// Service is a placeholder until the capability is built.
type Service struct{}
