package email

import (
	"context"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// The letters of the public application page. The applicant is not a
// member yet, so their language is the one the form was shown in.

func (o *Outbox) applyLetter(lang, to, name string) (Letter, func(key string, args ...any) string) {
	lang = Lang(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "apply.email."+key, args...) }
	return Letter{To: to, ToName: name, Lang: lang}, t
}

// ApplicationVerify asks the applicant to confirm their address.
func (o *Outbox) ApplicationVerify(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang, link string) error {
	l, t := o.applyLetter(lang, to, name)
	orgName := organization.Name(l.Lang)
	l.Subject = t("verify.subject", "org", orgName)
	l.Paras = []string{t("verify.body", "org", orgName), t("verify.expiry")}
	l.Button, l.Link = t("verify.button"), link
	l.After = []string{t("verify.ignore")}
	return o.Send(ctx, exec, organization, l)
}

// ApplicationApproved sends the join link of an approved application.
func (o *Outbox) ApplicationApproved(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang, link string) error {
	l, t := o.applyLetter(lang, to, name)
	orgName := organization.Name(l.Lang)
	l.Subject = t("approved.subject", "org", orgName)
	l.Paras = []string{t("approved.body", "org", orgName), t("approved.expiry")}
	l.Button, l.Link = t("approved.button"), link
	return o.Send(ctx, exec, organization, l)
}

// ApplicationRejected tells the applicant, politely, why they were not admitted.
func (o *Outbox) ApplicationRejected(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang, reason string) error {
	l, t := o.applyLetter(lang, to, name)
	orgName := organization.Name(l.Lang)
	l.Subject = t("rejected.subject", "org", orgName)
	l.Paras = []string{t("rejected.body", "org", orgName), t("rejected.reason_label") + "\n" + reason, t("rejected.closing")}
	return o.Send(ctx, exec, organization, l)
}

// ApplicationAlreadyMember answers an application from someone who already
// has an account: the form did not say so, only their mailbox does.
func (o *Outbox) ApplicationAlreadyMember(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang, signInLink, resetLink string) error {
	l, t := o.applyLetter(lang, to, name)
	orgName := organization.Name(l.Lang)
	l.Subject = t("member.subject", "org", orgName)
	l.Paras = []string{t("member.body", "org", orgName)}
	l.Button, l.Link = t("member.button"), signInLink
	l.After = []string{t("member.reset", "link", resetLink), t("member.ignore")}
	return o.Send(ctx, exec, organization, l)
}

// ApplicationEmailChanged tells a record's previous address that an
// application linked the record to another address. It does not name the
// new address.
func (o *Outbox) ApplicationEmailChanged(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang string) error {
	l, t := o.applyLetter(lang, to, name)
	orgName := organization.Name(l.Lang)
	l.Subject = t("changed.subject", "org", orgName)
	l.Paras = []string{t("changed.body", "org", orgName), t("changed.object", "org", orgName)}
	return o.Send(ctx, exec, organization, l)
}
