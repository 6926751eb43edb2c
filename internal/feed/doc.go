// Package feed is the network's feed: posts with an audience, comments, reactions, mentions, reports and moderation, and the self-introduction relay (自己紹介リレー).
//
// Who may see a post is decided here for every read and write: lists filter
// with audience.SQL, single posts are checked with Audience.Allows and group
// membership, and hidden posts are seen only by staff and their author.
package feed
