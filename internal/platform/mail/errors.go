package mail

import (
	"errors"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// IsPermanent reports whether retrying the same message cannot succeed, so
// a job queue should stop retrying it:
//
//   - the server answered MAIL FROM, RCPT TO or DATA with a 5xx reply
//     (e.g. 550 mailbox unavailable, 552 too large, 554 rejected as spam);
//   - the message itself is invalid (ErrInvalidMessage).
//
// It is false for nil, network errors, timeouts, cancelled contexts and
// 4xx replies. It is also false for 5xx replies to the connection set-up
// (greeting, EHLO, STARTTLS, AUTH): those mean our SMTP configuration is
// wrong, not the message, and the message should go out once the
// configuration is fixed. ReplyCode still returns their code.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			code := se.ErrorCode()
			return code >= 500 && code <= 599
		}
	}
	return false
}

// ReplyCode returns the SMTP reply code (e.g. 451, 550) carried by err, or 0
// when err does not come from an SMTP reply (network error, timeout...).
func ReplyCode(err error) int {
	if err == nil {
		return 0
	}
	// go-mail's SendError does not unwrap to the server reply, but records
	// its code.
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code != 0 {
			return code
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
