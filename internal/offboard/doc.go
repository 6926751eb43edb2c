// Package offboard records departures and runs the farewell card (寄せ書き): HR records that an employee is leaving, colleagues sign a card, and on the last day the employee becomes an alumnus who receives the card.
package offboard

// Service is a placeholder until the capability is built.
type Service struct{}
