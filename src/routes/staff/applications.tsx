import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { can } from '../../domain/staff'
import {
  ACTION_NAMES,
  ACTION_RIGHT,
  CHARGE_ONLY,
  fittingMail,
  runAction,
  situationExtras,
  whyNot,
  whyParams,
  type ActionName,
} from '../../flows/staff/actions'
import {
  applicationDetail,
  openRefundRequest,
  scopedApplication,
} from '../../flows/staff/applications'
import { principalOf } from '../../flows/staff/auth'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import {
  ACTION_LABEL,
  CONFIRM_TITLE,
  ActionConfirm,
  actionNotice,
  ApplicationDetail,
  mailLabel,
  yen,
  type Notice,
} from '../../views/staff/applications'
import { consoleForm, requiredField } from './forms'
import { notFound as notFoundReply } from './replies'

type C = Context<AppEnv>

/** 申請詳細 with its タイムライン and actions (検索 is routes/staff/search.tsx). */
export const applications = new Hono<AppEnv>()

// ---- 申請詳細 --------------------------------------------------------------------------------

/** The application of the path, with its student, if the member may see it at all. */
const loadScoped = async (c: C) => {
  const id = c.req.param('id') ?? ''
  if (!/^\d{1,12}$/.test(id)) return null
  return scopedApplication(c.get('deps').db, c.get('staff')!, Number(id))
}
type Scoped = NonNullable<Awaited<ReturnType<typeof loadScoped>>>

const notFound = (c: C) => notFoundReply(c, { href: '/staff/search', label: 'navSearch' })

const situationOf = async (c: C, found: Scoped) => {
  const [openRequest, extras] = await Promise.all([
    openRefundRequest(c.get('deps').db, found.application.id),
    situationExtras(c.get('deps'), found.application),
  ])
  return {
    application: found.application,
    student: found.student,
    openRequest,
    member: c.get('staff')!,
    extras,
  }
}

/**
 * 申請詳細, from one batch of reads (flows/staff/applications.ts). `notice`: a message of
 * this request's own; else the one of the action the redirect named (`entry`), read from
 * its audit entry (of this application and this member), never from the query string.
 */
const renderDetail = async (c: C, id: number, notice: Notice | null) => {
  const ct = c.get('ct')
  const member = c.get('staff')!
  const entryId = c.req.query('entry') ?? ''
  const { db, clock } = c.get('deps')
  const found = await applicationDetail(
    db,
    member,
    id,
    notice === null && /^\d{1,12}$/.test(entryId) ? Number(entryId) : null,
  )
  if (!found) return notFound(c)
  // A held or credited charge's reasons need the card's room or the 窓口 (one more read).
  const situation = {
    ...found,
    member,
    extras: await situationExtras(c.get('deps'), found.application),
  }
  const lang = c.get('tr').lang
  // Only what the member's role may do is shown; each says whether it makes sense now.
  const offers = ACTION_NAMES.filter(
    (name) =>
      can(member, ACTION_RIGHT[name]) &&
      // A certificate order is offered nothing that credits M.I.C.
      !(found.application.kind === 'certificate' && CHARGE_ONLY.includes(name)),
  ).map((name) => ({
    name,
    why: whyNot(name, situation),
    params: whyParams(situation, lang),
  }))
  return c.render(
    <ApplicationDetail
      a={found.application}
      student={found.student}
      universityName={member.universityId === null ? found.universityName : null}
      timeline={found.timeline}
      offers={offers}
      openRequest={found.openRequest}
      notice={
        notice ??
        (found.entry ? actionNotice(ct, c.get('tr'), found.entry.action, found.entry.after) : null)
      }
      cashRefunds={found.cashRefunds}
      certificate={found.certificate}
      now={clock()}
    />,
    { title: ct('appDetailTitle', { id: found.application.id }) },
  )
}

applications.get('/applications/:id', async (c) => {
  const id = c.req.param('id')
  if (!/^\d{1,12}$/.test(id)) return notFound(c)
  return renderDetail(c, Number(id), null)
})

// ---- Actions: a confirmation page with a reason, then the action ------------------------------

const reasonSchema = z.object({ reason: requiredField(500) })

/** What the confirmation page says will happen. */
const describe = (c: C, name: ActionName, situation: Awaited<ReturnType<typeof situationOf>>) => {
  const ct = c.get('ct')
  const a = situation.application
  const amount = yen(a.amount)
  const requester =
    situation.openRequest?.requestedByName ?? String(situation.openRequest?.requestedBy ?? '')
  switch (name) {
    case 'recredit':
      return ct('appConfirmRecredit', { amount })
    case 'inquire':
      return ct('appConfirmInquire')
    case 'resend-mail': {
      const kind = fittingMail(a)
      return ct('appConfirmResendMail', {
        mail: kind ? mailLabel(ct, kind) : ct('dash'),
        to: situation.student.email ?? ct('dash'),
      })
    }
    case 'refund':
      return ct('appConfirmRefund', { amount })
    case 'refund-approve':
      return ct('appConfirmRefundApprove', { amount, name: requester })
    case 'refund-reject':
      return ct('appConfirmRefundReject', { name: requester })
    case 'credit-net':
      return ct('appConfirmCreditNet', { net: yen(a.amount - a.gatewayRefunded) })
    case 'close-reversal':
      return ct('appConfirmCloseReversal', { refunded: yen(a.gatewayRefunded) })
  }
}

const renderConfirm = async (c: C, name: ActionName, errors: FieldErrors) => {
  const found = await loadScoped(c)
  if (!found) return notFound(c)
  const ct = c.get('ct')
  const situation = await situationOf(c, found)
  const why = whyNot(name, situation)
  if (why) c.status(why === 'appWhyOwnRequest' ? 403 : 409)
  return c.render(
    <ActionConfirm
      name={name}
      a={found.application}
      student={found.student}
      description={describe(c, name, situation)}
      openRequest={situation.openRequest}
      why={why}
      whyParams={whyParams(situation, c.get('tr').lang)}
      errors={errors}
    />,
    { title: ct(CONFIRM_TITLE[name]) },
  )
}

for (const name of ACTION_NAMES) {
  const path = `/applications/:id/actions/${name}`
  // The role is checked before anything is read or validated: a member without the right
  // learns nothing about the application.
  applications.get(path, requireStaff(ACTION_RIGHT[name]), (c) => renderConfirm(c, name, {}))
  applications.post(
    path,
    requireStaff(ACTION_RIGHT[name]),
    consoleForm(reasonSchema, { reason: 'reason' }, (c, errors) => renderConfirm(c, name, errors)),
    async (c) => {
      const found = await loadScoped(c)
      if (!found) return notFound(c)
      const situation = await situationOf(c, found)
      const result = await runAction(c.get('deps'), name, {
        actor: principalOf(c.get('staff')!),
        application: found.application,
        student: found.student,
        openRequest: situation.openRequest,
        extras: situation.extras,
        reason: c.req.valid('form').reason,
      })
      if (!result.done) {
        // Refused (the state moved on, or a requester approving their own refund): said on
        // the detail page as it stands now; nothing was done, nothing is audited.
        c.status(result.status)
        const ct = c.get('ct')
        return renderDetail(c, found.application.id, {
          kind: 'error',
          text: `${ct(ACTION_LABEL[name])}: ${ct(result.why, whyParams(situation, c.get('tr').lang))}`,
        })
      }
      return c.redirect(
        `/staff/applications/${found.application.id}?done=${name}&entry=${result.auditId}`,
        303,
      )
    },
  )
}
