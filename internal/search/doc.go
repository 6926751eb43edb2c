// Package search finds members by what their profiles say, in Japanese as
// people type it: 田中, 林, 田中太郎 or 田中 太郎, たなか, タナカ or ﾀﾅｶ,
// tanaka or TANAKA, ＮＴＴ or ｿﾌﾄﾊﾞﾝｸ, and English words.
//
// The rule (Query.Matches): a member matches when every query word, after
// Normalize, is a substring of the member's normalised name text or of
// their normalised body text (Document.Text). Members found by name rank
// first.
//
// Built-in tokenizers cannot do this for Japanese, so the index is built in
// Go: every word of a document is cut into character n-grams (one, two and
// three characters), prefixed with the organization's id, and stored in
// FTS5 on SQLite and in a GIN-indexed array on PostgreSQL. Both answer
// exactly the rule; the tests check them against it. See terms.go for how.
//
// Keep the index current by calling Upsert and Delete in the transaction
// that changes a profile; deleting a user removes their index rows.
package search
