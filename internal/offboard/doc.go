// Package offboard records departures and runs the farewell card (寄せ書き):
// HR records that an employee is leaving, colleagues sign a card, and on the
// last day the employee becomes an alumnus who receives the card together
// with their invitation to the alumni network.
//
// The account is converted, never recreated: the membership changes from
// employee to alumni (the old one is kept as history), the profile and its
// history stay, HR's record of the employment is filled in, and the change is
// audited. Conversion runs as a scheduled job on the durable queue, so a
// restart on the last day loses nothing, and it is idempotent: the job may
// run twice, and a departure edited or cancelled in between is left alone.
package offboard
