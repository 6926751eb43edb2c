// Package message carries direct messages between members and from members
// to the company's HR inbox, with unread counts and blocking.
//
// A direct conversation joins two active members of one organization (one
// conversation per pair). The HR inbox gives each member one thread with the
// company: every admin sees it and replies as the company, so the member
// sees the organization's name while the record keeps which admin wrote.
// Supporters do not see the inbox: they are trusted alumni, and what a
// member tells HR (rehire wishes, complaints) is for HR.
//
// Blocking applies to direct messages only: neither side can send to the
// other, and the blocker no longer sees the conversation. It never cuts a
// member off from the company, nor the company from the member.
package message
