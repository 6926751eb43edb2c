// Package feed is the network's feed: posts with an audience, comments, reactions, mentions, reports and moderation, and the self-introduction relay (自己紹介リレー).
package feed

// Service is a placeholder until the capability is built.
type Service struct{}
