// Package invite invites people to the network, one at a time or in
// campaigns, and tracks each invitation from sent to joined.
//
// An invitation is a record next to the person's auth token of kind
// "invite": the token is the single-use secret in the join link, the record
// carries the funnel (sent, delivered, opened, clicked; joined is the
// account's activated_at, so joins through SSO count; expired is derived from
// the expiry). Campaigns send in batches on the job queue, never two
// invitations of one campaign to one person (a unique constraint), and each
// invitation gets at most two reminders, scheduled as jobs.
//
// Reminders rotate the link: only a secret's hash is stored, so a reminder
// cannot repeat the first link and carries a fresh one with the same expiry.
// Earlier links stay valid until that expiry, so a person who opens the first
// email is not turned away; joining through any of them uses up all of them.
package invite
