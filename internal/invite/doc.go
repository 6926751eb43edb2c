// Package invite invites people to the network, one at a time or in campaigns, and tracks each invitation from sent to joined.
package invite

// Service is a placeholder until the capability is built.
type Service struct{}
