import { and, desc, eq, gte, inArray } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../../context'
import { auditLog, mailLog } from '../../db/schema'
import { principalOf } from '../../flows/staff/auth'
import { universitiesFor } from '../../flows/staff/applications'
import {
  advancePostStep,
  isPostStep,
  normaliseTrackingNumber,
  POST_ACTIONS,
  postalQueue,
  printableOf,
  QUEUE_LIMIT,
  reissueCertificate,
  revokeCertificate,
  scopedCertificate,
  type PostAction,
  type PostStep,
} from '../../flows/staff/certificates'
import type { ConsoleText } from '../../i18n/console'
import { requireStaff } from '../../middleware/staff'
import type { FieldErrors } from '../../views/components'
import {
  CertificateActionConfirm,
  PostalQueuePage,
  STEP_LABEL,
  type RowProblem,
} from '../../views/staff/certificates'
import { consoleForm, requiredField } from './forms'
import { notFound as notFoundReply } from './replies'

type C = Context<AppEnv>
type Notice = { kind: 'info' | 'success' | 'error'; text: string }

/**
 * 証明書: the 郵送 queue (印刷 → 封入 → 発送), a certificate's PDF from the bucket, and
 * 失効 / 再発行 of one certificate. Reading the queue is every member's (the call centre
 * answers "where are my certificates?"); the work and the PDFs are the university's own
 * staff's (STAFF_ACTIONS.certificates), 失効 too (revokeCertificate).
 */
export const certificates = new Hono<AppEnv>()

// ---- The queue --------------------------------------------------------------------------------

const DONE_KEY = {
  'certificate.print': 'certDonePrint',
  'certificate.enclose': 'certDoneEnclose',
  'certificate.ship': 'certDoneShip',
} as const

/**
 * The message after a step, read from the step's own audit entry (this member's) and the
 * mail it sent, never from the query string.
 */
const doneNotice = async (c: C): Promise<Notice | null> => {
  const entryId = c.req.query('entry') ?? ''
  if (!/^\d{1,12}$/.test(entryId)) return null
  const { db } = c.get('deps')
  const entry = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.id, Number(entryId)), eq(auditLog.staffId, c.get('staff')!.id)))
    .get()
  if (!entry || !(entry.action in DONE_KEY) || entry.applicationId === null) return null
  const ct = c.get('ct')
  const after = JSON.parse(entry.after ?? '{}') as { trackingNumber?: string }
  const done = ct(DONE_KEY[entry.action as keyof typeof DONE_KEY], {
    id: entry.applicationId,
    tracking: after.trackingNumber ?? '',
  })
  if (entry.action === 'certificate.enclose') return { kind: 'success', text: done }
  const mail = await db
    .select({ result: mailLog.result })
    .from(mailLog)
    .where(
      and(
        eq(mailLog.applicationId, entry.applicationId),
        inArray(mailLog.kind, ['certificate-printed', 'certificate-shipped']),
        gte(mailLog.createdAt, entry.at),
      ),
    )
    .orderBy(desc(mailLog.id))
    .get()
  return mail?.result === 'sent'
    ? { kind: 'success', text: `${done} ${ct('certDoneMailed')}` }
    : { kind: 'info', text: `${done} ${ct('certDoneMailFailed')}` }
}

const renderQueue = async (
  c: C,
  step: PostStep,
  notice: Notice | null,
  problem: RowProblem | null = null,
) => {
  const ct = c.get('ct')
  const { db } = c.get('deps')
  const member = principalOf(c.get('staff')!)
  const queue = await postalQueue(db, member, step)
  const pdfs =
    step === 'to_print'
      ? await printableOf(
          db,
          queue.rows.map((r) => r.order.applicationId),
        )
      : new Map()
  // The call centre serves every university: each order says whose it is.
  const universityNames =
    member.universityId === null
      ? new Map(
          (await universitiesFor(db, member)).map((u) => [
            u.id,
            c.get('tr').lang === 'en' ? u.nameEn : u.name,
          ]),
        )
      : null
  return c.render(
    <PostalQueuePage
      step={step}
      rows={queue.rows}
      pdfs={pdfs}
      counts={queue.counts}
      limited={queue.limited}
      limit={QUEUE_LIMIT}
      notice={notice}
      problem={problem}
      universityNames={universityNames}
    />,
    { title: ct('certQueueTitle') },
  )
}

certificates.get('/certificates', async (c) => {
  const asked = c.req.query('step')
  const step: PostStep = isPostStep(asked) ? asked : 'to_print'
  return renderQueue(c, step, await doneNotice(c))
})

// ---- 印刷 / 封入 / 発送 -------------------------------------------------------------------------

const stepSchema = z.object({
  tracking: z.string().max(100, { error: 'tooLong' }).optional(),
  sealed: z.string().max(10).optional(),
  step: z.string().max(20).optional(),
})

/** The order's field errors in the console's words; empty when the form is good. */
const stepProblems = (
  ct: ConsoleText,
  action: PostAction,
  form: z.infer<typeof stepSchema>,
  sealed: boolean,
): { errors: FieldErrors; tracking: string | null } => {
  const errors: FieldErrors = {}
  let tracking: string | null = null
  if (action === 'ship') {
    const field = ct('certTracking')
    const typed = (form.tracking ?? '').trim()
    tracking = typed === '' ? null : normaliseTrackingNumber(typed)
    if (typed === '') errors.tracking = { text: ct('required', { field }) }
    else if (!tracking) errors.tracking = { text: ct('certErrTracking', { field }) }
  }
  if (action === 'enclose' && sealed && form.sealed !== '1')
    errors.sealed = { text: ct('certErrSealedConfirm') }
  return { errors, tracking }
}

for (const action of Object.keys(POST_ACTIONS) as PostAction[])
  certificates.post(
    `/certificate-orders/:id/${action}`,
    requireStaff('certificates'),
    consoleForm(stepSchema, { tracking: 'certTracking' }, (c) => renderQueue(c, 'to_print', null)),
    async (c) => {
      const id = c.req.param('id')
      if (!/^\d{1,12}$/.test(id)) return notFound(c)
      const applicationId = Number(id)
      const ct = c.get('ct')
      const deps = c.get('deps')
      const member = principalOf(c.get('staff')!)
      const form = c.req.valid('form')
      const { from } = POST_ACTIONS[action]
      // The order as the member may see it (another university's is not found).
      const queue = await postalQueue(deps.db, member, from)
      const row = queue.rows.find((r) => r.order.applicationId === applicationId)
      const { errors, tracking } = stepProblems(ct, action, form, row?.order.sealed ?? false)
      if (row && Object.keys(errors).length > 0) {
        c.status(422)
        return renderQueue(c, from, null, {
          applicationId,
          errors,
          tracking: (form.tracking ?? '').slice(0, 100),
        })
      }
      const result = await advancePostStep(deps, member, applicationId, action, tracking)
      if (result.done)
        return c.redirect(
          `/staff/certificates?step=${POST_ACTIONS[action].to}&entry=${result.auditId}`,
          303,
        )
      if (result.why === 'notFound') return notFound(c)
      // Out of order, done twice, or by someone else a moment ago: nothing changed.
      c.status(409)
      const step = result.step
      return renderQueue(c, isPostStep(step) ? step : from, {
        kind: 'error',
        text: step
          ? ct('certErrWrongStep', { id: applicationId, step: ct(STEP_LABEL[step]) })
          : ct('certErrNotInQueue', { id: applicationId }),
      })
    },
  )

// ---- One certificate -------------------------------------------------------------------------

const notFound = (c: C) => notFoundReply(c, { href: '/staff/certificates', label: 'certNav' })

const loadCertificate = async (c: C) => {
  const id = c.req.param('id') ?? ''
  if (!/^\d{1,12}$/.test(id)) return null
  return scopedCertificate(c.get('deps').db, c.get('staff')!, Number(id))
}

/** The signed PDF as issued, from the bucket: what is printed is what the student downloads. */
certificates.get('/certificates/:id/pdf', requireStaff('certificates'), async (c) => {
  const found = await loadCertificate(c)
  if (!found) return notFound(c)
  const object = await c.env.CERTIFICATES.get(found.objectKey)
  if (!object) return notFound(c)
  return new Response(object.body, {
    headers: {
      'content-type': 'application/pdf',
      'content-length': String(object.size),
      'content-disposition': `inline; filename="${found.issueNumber}.pdf"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  })
})

const reasonSchema = z.object({ reason: requiredField(500) })

const renderConfirm = async (
  c: C,
  kind: 'revoke' | 'reissue',
  errors: FieldErrors,
  refusal: string | null = null,
) => {
  const found = await loadCertificate(c)
  if (!found) return notFound(c)
  const ct = c.get('ct')
  const revoked = found.revokedAt !== null && !refusal
  if (revoked) c.status(409)
  return c.render(
    <CertificateActionConfirm
      kind={kind}
      certificate={found}
      errors={errors}
      refusal={revoked ? ct('certErrAlreadyRevoked') : refusal}
    />,
    { title: ct(kind === 'revoke' ? 'certRevokeTitle' : 'certReissueTitle') },
  )
}

const certificatePath = (kind: 'revoke' | 'reissue') => `/certificates/:id/${kind}` as const

for (const kind of ['revoke', 'reissue'] as const)
  certificates.get(certificatePath(kind), requireStaff('revokeCertificate'), (c) =>
    renderConfirm(c, kind, {}),
  )

certificates.post(
  certificatePath('revoke'),
  requireStaff('revokeCertificate'),
  consoleForm(reasonSchema, { reason: 'reason' }, (c, errors) =>
    renderConfirm(c, 'revoke', errors),
  ),
  async (c) => {
    const result = await revokeCertificate(
      c.get('deps'),
      principalOf(c.get('staff')!),
      Number(c.req.param('id')),
      c.req.valid('form').reason,
    )
    if (!result.done) {
      if (result.why === 'notFound') return notFound(c)
      return renderConfirm(c, 'revoke', {})
    }
    const found = (await loadCertificate(c))!
    return c.redirect(
      `/staff/applications/${found.applicationId}?entry=${result.auditId}#certificate-${found.id}`,
      303,
    )
  },
)

/**
 * 再発行 goes through the student's desk, which issues certificates exactly once: a new
 * certificate from the registrar's data now, the old one revoked with the reason.
 */
certificates.post(
  certificatePath('reissue'),
  requireStaff('revokeCertificate'),
  consoleForm(reasonSchema, { reason: 'reason' }, (c, errors) =>
    renderConfirm(c, 'reissue', errors),
  ),
  async (c) => {
    const result = await reissueCertificate(
      c.get('deps'),
      principalOf(c.get('staff')!),
      Number(c.req.param('id')),
      c.req.valid('form').reason,
    )
    if (!result.done) {
      if (result.why === 'notFound') return notFound(c)
      if (result.why === 'alreadyRevoked') return renderConfirm(c, 'reissue', {})
      c.status(result.why === 'registrarDown' ? 503 : 409)
      return renderConfirm(
        c,
        'reissue',
        {},
        c.get('ct')(
          result.why === 'registrarDown'
            ? 'certReissueUnavailable'
            : result.why === 'registrarRefused'
              ? 'certReissueRefused'
              : 'certReissueNotIssued',
        ),
      )
    }
    const found = (await loadCertificate(c))!
    return c.redirect(
      `/staff/applications/${found.applicationId}?entry=${result.auditId}#certificate-${result.certificateId}`,
      303,
    )
  },
)
