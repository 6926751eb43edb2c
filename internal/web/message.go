package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/message"
	"github.com/tsunagu/tsunagu/internal/org"
)

// messageRoutes registers the message pages. Members message each other
// and the company; the HR inbox is for admins only (see package message).
func (s *Server) messageRoutes() {
	if s.messages == nil {
		return
	}
	s.page("GET /o/{org}/messages", anyMember, s.messageList)
	s.page("GET /o/{org}/messages/new", anyMember, s.messageNewForm)
	s.page("POST /o/{org}/messages/new", anyMember, s.messageStart)
	s.page("GET /o/{org}/messages/company", anyMember, s.messageCompanyForm)
	s.page("POST /o/{org}/messages/company", anyMember, s.messageCompanyStart)
	s.page("GET /o/{org}/messages/blocked", anyMember, s.messageBlockedList)
	s.page("POST /o/{org}/messages/block", anyMember, s.messageBlock)
	s.page("POST /o/{org}/messages/unblock", anyMember, s.messageUnblock)
	s.page("GET /o/{org}/messages/{id}", anyMember, s.messageThread)
	s.page("POST /o/{org}/messages/{id}", anyMember, s.messageSend)

	s.page("GET /o/{org}/admin/inbox", adminOnly, s.inboxList)
	s.page("GET /o/{org}/admin/inbox/{id}", adminOnly, s.inboxThread)
	s.page("POST /o/{org}/admin/inbox/{id}", adminOnly, s.inboxReply)
	s.page("POST /o/{org}/admin/inbox/{id}/close", adminOnly, s.inboxClose)
	s.page("POST /o/{org}/admin/inbox/{id}/reopen", adminOnly, s.inboxReopen)
}

// MessageUnread is the signed-in member's unread message count, for a menu
// label; 0 when messages are not wired.
func (s *Server) MessageUnread(r *http.Request, m *org.Member) int {
	if s.messages == nil || m == nil {
		return 0
	}
	n, err := s.messages.Unread(r.Context(), m.OrgID, m.UserID)
	if err != nil {
		s.log.ErrorContext(r.Context(), "message unread count", "err", err)
		return 0
	}
	return n
}

func isHX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// refuseSend shows why a message was not sent, keeping what was typed, on
// the page render draws. htmx swaps only successful responses, so an htmx
// request gets its errors in a 200.
func (s *Server) refuseSend(w http.ResponseWriter, r *http.Request, p *Page, err error, render func(status int)) {
	p.Form = map[string]string{"body": r.PostForm.Get("body")}
	status, ok := sendProblem(p, err)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	if isHX(r) {
		status = http.StatusOK
	}
	render(status)
}

// sendProblem maps a send error to the field and message shown next to the
// box, with its status; ok is false for errors a person cannot act on.
func sendProblem(p *Page, err error) (status int, ok bool) {
	status = http.StatusUnprocessableEntity
	var msg string
	switch {
	case errors.Is(err, message.ErrEmpty):
		msg = p.T("message.error.empty")
	case errors.Is(err, message.ErrTooLong):
		msg = p.T("message.error.too_long", "max", message.MaxBody)
	case errors.Is(err, message.ErrCannotSend):
		p.Errors = map[string]string{"form": p.T("message.error.cannot_send")}
		return status, true
	case errors.Is(err, message.ErrRateLimited):
		// Not a problem of the text: said once, above the box.
		p.Errors = map[string]string{"form": p.T("message.error.rate_limited", "max", message.RateLimit)}
		return http.StatusTooManyRequests, true
	default:
		return 0, false
	}
	p.Errors = map[string]string{"body": msg}
	return status, true
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) messageList(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	list, err := s.messages.Conversations(r.Context(), rc.org.ID, rc.member.UserID, rc.member.Role)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	total := 0
	for _, c := range list {
		total += c.Unread
	}
	p := s.newPage(r, rc, "message.list.title")
	s.takeFlash(w, r, p)
	p.Data = map[string]any{"List": list, "Unread": total}
	s.render(w, r, http.StatusOK, "message_list.html", p)
}

// recipient loads the member a new message is for, as the viewer may see them.
func (s *Server) recipient(w http.ResponseWriter, r *http.Request, rc *reqCtx, raw string) (member.Profile, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return member.Profile{}, false
	}
	full, err := s.members.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, member.ErrNotFound) {
		s.notFoundPage(w, r)
		return full, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return full, false
	}
	return full.For(viewerOf(rc)), true
}

func (s *Server) renderNew(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, to member.Profile, status int) {
	can, err := s.messages.CanMessage(r.Context(), rc.org.ID, rc.member.UserID, to.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	blocking, err := s.messages.Blocking(r.Context(), rc.org.ID, rc.member.UserID, to.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Title = p.T("message.new.title_to", "name", to.Name.Display(p.Lang))
	p.Data = map[string]any{"To": to, "CanSend": can, "Blocking": blocking, "Self": to.UserID == rc.member.UserID, "Max": message.MaxBody}
	s.render(w, r, status, "message_new.html", p)
}

// messageNewForm starts a conversation from a profile; an existing one opens instead.
func (s *Server) messageNewForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	to, ok := s.recipient(w, r, rc, r.URL.Query().Get("to"))
	if !ok {
		return
	}
	if to.UserID != rc.member.UserID {
		id, err := s.messages.DirectWith(r.Context(), rc.org.ID, rc.member.UserID, to.UserID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if id != 0 {
			if _, err := s.messages.Conversation(r.Context(), rc.org.ID, rc.member.UserID, rc.member.Role, id); err == nil {
				http.Redirect(w, r, p0(rc, "/messages/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
				return
			}
		}
	}
	p := s.newPage(r, rc, "message.new.title")
	p.Form = map[string]string{}
	s.renderNew(w, r, rc, p, to, http.StatusOK)
}

func p0(rc *reqCtx, rest string) string { return "/o/" + rc.org.Slug + rest }

func (s *Server) messageStart(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	to, ok := s.recipient(w, r, rc, r.PostForm.Get("to"))
	if !ok {
		return
	}
	id, err := s.messages.StartDirect(r.Context(), rc.org.ID, rc.member.UserID, to.UserID, r.PostForm.Get("body"))
	if errors.Is(err, message.ErrNotRecipient) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		p := s.newPage(r, rc, "message.new.title")
		s.refuseSend(w, r, p, err, func(status int) { s.renderNew(w, r, rc, p, to, status) })
		return
	}
	http.Redirect(w, r, p0(rc, "/messages/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
}

// threadView is what message_thread.html shows, for a member or for the
// admins' inbox.
type threadView struct {
	C        message.Conversation
	Messages []message.Message
	Me       int64
	Inbox    bool // the HR inbox, seen by admins
	Company  bool // a member's thread with the company
	CanSend  bool
	Blocking bool
	Action   string
	Max      int
}

// conversationFromPath loads a conversation the member may see; anything
// else (another organization's, other people's, one hidden by a block) is
// not found.
func (s *Server) conversationFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (message.Conversation, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return message.Conversation{}, false
	}
	c, err := s.messages.Conversation(r.Context(), rc.org.ID, rc.member.UserID, rc.member.Role, id)
	if errors.Is(err, message.ErrNotFound) {
		s.notFoundPage(w, r)
		return c, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return c, false
	}
	return c, true
}

func (s *Server) renderThread(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, c message.Conversation, status int) {
	msgs, err := s.messages.Messages(r.Context(), rc.org.ID, c.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := threadView{C: c, Messages: msgs, Me: rc.member.UserID, Company: c.Kind == message.Inbox, CanSend: true, Max: message.MaxBody,
		Action: p0(rc, "/messages/"+strconv.FormatInt(c.ID, 10))}
	if c.Kind == message.Direct {
		if v.CanSend, err = s.messages.CanMessage(r.Context(), rc.org.ID, rc.member.UserID, c.Other.UserID); err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Title = c.Other.Name.Display(p.Lang)
	} else {
		p.Title = p.T("message.company.title")
	}
	p.Data = v
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	s.render(w, r, status, "message_thread.html", p)
}

func (s *Server) messageThread(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	c, ok := s.conversationFromPath(w, r, rc)
	if !ok {
		return
	}
	// Opening a conversation reads it. (A GET that writes: a mail scanner
	// has no session, so it cannot mark anything read.)
	if err := s.messages.MarkRead(r.Context(), rc.org.ID, rc.member.UserID, c.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "message.list.title")
	s.takeFlash(w, r, p)
	s.renderThread(w, r, rc, p, c, http.StatusOK)
}

func (s *Server) messageSend(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	c, ok := s.conversationFromPath(w, r, rc)
	if !ok {
		return
	}
	err := s.messages.Send(r.Context(), rc.org.ID, rc.member.UserID, c.ID, r.PostForm.Get("body"))
	if errors.Is(err, message.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	p := s.newPage(r, rc, "message.list.title")
	if err != nil {
		s.refuseSend(w, r, p, err, func(status int) { s.renderThread(w, r, rc, p, c, status) })
		return
	}
	if isHX(r) {
		s.renderThread(w, r, rc, p, c, http.StatusOK)
		return
	}
	http.Redirect(w, r, p0(rc, "/messages/"+strconv.FormatInt(c.ID, 10)), http.StatusSeeOther)
}

// messageCompanyForm opens the member's thread with the company, or the
// form to start it.
func (s *Server) messageCompanyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id, err := s.messages.CompanyThread(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if id != 0 {
		http.Redirect(w, r, p0(rc, "/messages/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, rc, "message.company.title")
	p.Form = map[string]string{}
	p.Data = map[string]any{"Max": message.MaxBody}
	s.render(w, r, http.StatusOK, "message_company.html", p)
}

func (s *Server) messageCompanyStart(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	id, err := s.messages.WriteToCompany(r.Context(), rc.org.ID, rc.member.UserID, r.PostForm.Get("body"))
	if err != nil {
		p := s.newPage(r, rc, "message.company.title")
		p.Data = map[string]any{"Max": message.MaxBody}
		s.refuseSend(w, r, p, err, func(status int) { s.render(w, r, status, "message_company.html", p) })
		return
	}
	s.flash(w, rc.org, "flash.message_company_sent")
	http.Redirect(w, r, p0(rc, "/messages/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
}

func (s *Server) messageBlockedList(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	list, err := s.messages.Blocked(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "message.blocked.title")
	s.takeFlash(w, r, p)
	p.Data = map[string]any{"List": list}
	s.render(w, r, http.StatusOK, "message_blocked.html", p)
}

func (s *Server) messageBlock(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PostForm.Get("user_id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return
	}
	err = s.messages.Block(r.Context(), rc.org.ID, rc.member.UserID, id)
	if errors.Is(err, message.ErrNotRecipient) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.message_blocked")
	http.Redirect(w, r, p0(rc, "/messages"), http.StatusSeeOther)
}

func (s *Server) messageUnblock(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PostForm.Get("user_id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return
	}
	if err := s.messages.Unblock(r.Context(), rc.org.ID, rc.member.UserID, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.message_unblocked")
	http.Redirect(w, r, p0(rc, "/messages/blocked"), http.StatusSeeOther)
}

// The HR inbox.

func (s *Server) inboxList(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	closed := r.URL.Query().Get("state") == "closed"
	list, err := s.messages.InboxThreads(r.Context(), rc.org.ID, closed)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	unread, err := s.messages.InboxUnread(r.Context(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "message.inbox.title")
	s.takeFlash(w, r, p)
	p.Data = map[string]any{"List": list, "Closed": closed, "Unread": unread}
	s.render(w, r, http.StatusOK, "message_inbox.html", p)
}

func (s *Server) inboxFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (message.Conversation, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return message.Conversation{}, false
	}
	c, err := s.messages.InboxThread(r.Context(), rc.org.ID, id)
	if errors.Is(err, message.ErrNotFound) {
		s.notFoundPage(w, r)
		return c, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return c, false
	}
	return c, true
}

func (s *Server) renderInboxThread(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, c message.Conversation, status int) {
	msgs, err := s.messages.Messages(r.Context(), rc.org.ID, c.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Title = p.T("message.inbox.thread_title", "name", c.Other.Name.Display(p.Lang))
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	p.Data = threadView{C: c, Messages: msgs, Me: rc.member.UserID, Inbox: true, CanSend: true, Max: message.MaxBody,
		Action: p0(rc, "/admin/inbox/"+strconv.FormatInt(c.ID, 10))}
	s.render(w, r, status, "message_thread.html", p)
}

func (s *Server) inboxThread(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	c, ok := s.inboxFromPath(w, r, rc)
	if !ok {
		return
	}
	if err := s.messages.MarkInboxRead(r.Context(), rc.org.ID, c.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "message.inbox.title")
	s.takeFlash(w, r, p)
	s.renderInboxThread(w, r, rc, p, c, http.StatusOK)
}

func (s *Server) inboxReply(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	c, ok := s.inboxFromPath(w, r, rc)
	if !ok {
		return
	}
	err := s.messages.Reply(r.Context(), rc.org, *rc.member, s.clientIP(r), c.ID, r.PostForm.Get("body"))
	p := s.newPage(r, rc, "message.inbox.title")
	if err != nil {
		s.refuseSend(w, r, p, err, func(status int) { s.renderInboxThread(w, r, rc, p, c, status) })
		return
	}
	if isHX(r) {
		s.renderInboxThread(w, r, rc, p, c, http.StatusOK)
		return
	}
	http.Redirect(w, r, p0(rc, "/admin/inbox/"+strconv.FormatInt(c.ID, 10)), http.StatusSeeOther)
}

func (s *Server) inboxSetClosed(w http.ResponseWriter, r *http.Request, rc *reqCtx, closed bool) {
	if !s.parseForm(w, r) {
		return
	}
	c, ok := s.inboxFromPath(w, r, rc)
	if !ok {
		return
	}
	if err := s.messages.SetClosed(r.Context(), rc.org.ID, *rc.member, s.clientIP(r), c.ID, closed); err != nil {
		s.serverError(w, r, err)
		return
	}
	if closed {
		s.flash(w, rc.org, "flash.message_inbox_closed")
		http.Redirect(w, r, p0(rc, "/admin/inbox"), http.StatusSeeOther)
		return
	}
	s.flash(w, rc.org, "flash.message_inbox_reopened")
	http.Redirect(w, r, p0(rc, "/admin/inbox/"+strconv.FormatInt(c.ID, 10)), http.StatusSeeOther)
}

func (s *Server) inboxClose(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.inboxSetClosed(w, r, rc, true)
}

func (s *Server) inboxReopen(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.inboxSetClosed(w, r, rc, false)
}

// inboxHubCounts shows the inbox's unread messages on the administration page.
func (s *Server) inboxHubCounts(r *http.Request, rc *reqCtx, sections []hubEntry) error {
	if s.messages == nil {
		return nil
	}
	for i := range sections {
		if sections[i].Path != "/admin/inbox" {
			continue
		}
		n, err := s.messages.InboxUnread(r.Context(), rc.org.ID)
		if err != nil {
			return err
		}
		sections[i].Pending = n
	}
	return nil
}
