// Package apply handles the public application page: a former employee
// applies from a link on the company's website, proves the email address is
// theirs, and is either matched automatically against the HR records the
// organization already holds or queued for an admin or supporter to approve
// or reject.
//
// Matching rule (automatic approval). Only records nobody has used yet are
// considered: an active alumni membership whose account was never activated
// (no password, no SSO sign-in), typically made by the HR import or by a
// departure. A record is a strong match when
//
//   - its email is the applicant's verified email, or
//   - the written name (family and given) or the kana name agrees, and the
//     joined and left years both agree exactly with the record's HR dates
//     (hired_on / left_on), or its profile years where HR has none, and the
//     department agrees when both sides name one.
//
// Exactly one strong match approves the application automatically: the
// applicant's verified email becomes the record's email and an invitation
// link is sent to it. Years and name are not secret, so the second rule is a
// takeover risk in principle; it is limited to records that were never
// activated (a person who already uses their account cannot lose it), both
// years are required on both sides, every link is audited with the old and
// new email, and the old address is told of the change (without the new
// one), so that the real person can object. Anything weaker, or more than
// one match, goes to staff, who see the candidates side by side.
package apply
