import { and, eq } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { PaymentProviderError } from '../adapters/payments'
import type { RegistrarFailure } from '../adapters/registrar'
import type { AppEnv } from '../context'
import { certificates } from '../db/schema'
import {
  certificateStanding,
  certificateSettingsOf,
  normaliseVerificationCode,
  postageFor,
  priceOrder,
} from '../domain/certificates'
import { startPayment } from '../flows/charge'
import {
  certificateByCode,
  checkOrder,
  downloadable,
  fileNameOf,
  loadOrder,
  recipientOrder,
  samplesOf,
  type Certificate,
} from '../flows/certificates'
import { deskFor } from '../flows/desks'
import { breakdownOf, certificateLineName } from '../flows/mails'
import { AppError } from '../errors'
import { requireRight, requireStage } from '../middleware/session'
import { randomToken } from '../security/crypto'
import type { FieldErrors } from '../views/components'
import {
  eligibilityText,
  OrderConfirmPage,
  OrderPage,
  RecipientPage,
  registrarFailureText,
  VerifyPage,
  type OrderFormValues,
} from '../views/pages/certificates'
import { readOrderForm, type OrderForm } from './certificateForm'
import { clientOf } from './forms'
import { ownApplication } from './applications'

type C = Context<AppEnv>

/**
 * 各種証明書のオンライン申請 (manual §1.1): the order form → 申請内容確認 (each certificate's
 * 見本 from the registrar's data now) → 申請 → the same payment as a charge. The recipient's
 * link and /verify need no account.
 */
export const certificatePages = new Hono<AppEnv>()
// Ordering is a right of the student's status (domain/roster.ts: 在学, 休学, 卒業); the
// registrar still decides each certificate by its own rules.
const mayOrder = requireRight('certificates')
certificatePages.use('/certificates', requireStage('ready'), mayOrder)
certificatePages.use('/certificates/*', requireStage('ready'), mayOrder)

const student = (c: C) => c.get('session')!.student
const settingsOf = (c: C) => certificateSettingsOf(c.get('university'))
const originOf = (c: C) => new URL(c.req.url).origin

const renderOrder = async (
  c: C,
  values: OrderFormValues,
  errors: FieldErrors,
  problems: Parameters<typeof OrderPage>[0]['problems'] = [],
  /** Why the order was refused when no field says it (the registrar, a stale form). */
  notice: { failure: RegistrarFailure } | { text: string } | null = null,
) => {
  const deps = c.get('deps')
  const r = await deps.registrar(c.get('university').id).record(student(c).userId)
  return c.render(
    <OrderPage
      settings={settingsOf(c)}
      record={r.ok ? r.record : null}
      failure={notice && 'failure' in notice ? notice.failure : r.ok ? null : r}
      notice={notice && 'text' in notice ? notice.text : null}
      problems={problems}
      methods={c.get('university').paymentMethods}
      values={values}
      errors={errors}
    />,
    { title: c.get('tr').t('certTitle') },
  )
}

certificatePages.get('/certificates', (c) => renderOrder(c, {}, {}))

/** 戻る from 申請内容確認: the form again, as it was filled in. */
certificatePages.post('/certificates/edit', async (c) => {
  const form = await c.req.parseBody()
  const { values } = readOrderForm(
    form,
    settingsOf(c),
    c.get('university').paymentMethods,
    c.get('tr'),
  )
  return renderOrder(c, values, {})
})

/** What 申請内容確認 shows of the delivery: the recipient, or where the post goes. */
const deliverySummary = (c: C, order: OrderForm) => {
  const { t } = c.get('tr')
  if (order.delivery === 'pdf')
    return [
      t('deliveryPdf'),
      ...(order.recipient
        ? [
            `${t('recipientHeading')}: ${order.recipient.organisation} ${order.recipient.name}`,
            ...(order.recipient.email ? [`${t('recipientEmail')}: ${order.recipient.email}`] : []),
          ]
        : []),
    ]
  const a = order.address!
  return [
    `${t('deliveryPost')}${order.sealed ? `（${t('sealed')}）` : ''}`,
    `${a.country === 'JP' ? `〒${a.postalCode}` : `${t('postAbroad')} ${a.postalCode}`} ${a.address}`,
    `${a.name} ${t('postPhone')} ${a.phone}`,
  ]
}

/**
 * Checks the order (form, then the registrar's record and the catalogue's rules) and shows
 * 申請内容確認, or the form again with every problem named.
 */
const confirmOrder = async (c: C, form: Record<string, unknown>, error?: string) => {
  const tr = c.get('tr')
  const u = c.get('university')
  const settings = settingsOf(c)
  const { values, errors, order } = readOrderForm(form, settings, u.paymentMethods, tr)
  if (!order) {
    c.status(422)
    return renderOrder(c, values, errors)
  }
  const deps = c.get('deps')
  const check = await checkOrder(deps, u, student(c), order.lines, order.delivery)
  if (!check.ok) {
    c.status(503)
    return renderOrder(c, values, {}, [], { failure: check.failure })
  }
  if (check.problems.length > 0) {
    c.status(422)
    return renderOrder(c, values, {}, check.problems)
  }
  const price = priceOrder(
    settings,
    order.lines,
    postageFor(settings, order.delivery, order.address),
  )
  const samples = samplesOf(
    u,
    check.record,
    order.lines,
    order.delivery === 'pdf' && order.recipient ? order.recipient : null,
    deps.clock(),
    originOf(c),
  )
  return c.render(
    <OrderConfirmPage
      settings={settings}
      samples={samples}
      breakdown={breakdownOf(tr, price.lines, price.postage)}
      total={price.total}
      delivery={order.delivery}
      deliverySummary={deliverySummary(c, order)}
      method={order.method}
      values={values}
      requestKey={randomToken(16)}
      error={error}
    />,
    { title: tr.t('confirmTitle') },
  )
}

certificatePages.post('/certificates/confirm', async (c) =>
  confirmOrder(c, await c.req.parseBody()),
)

/** 申請: the desk checks it all again and records it; then the payment opens as a charge's. */
certificatePages.post('/certificates/apply', async (c) => {
  const form = await c.req.parseBody()
  const tr = c.get('tr')
  const u = c.get('university')
  const requestKey =
    typeof form.request_key === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(form.request_key)
      ? form.request_key
      : null
  const { values, errors, order } = readOrderForm(form, settingsOf(c), u.paymentMethods, tr)
  if (!order || !requestKey) {
    c.status(422)
    // A form whose fields are right but whose key is not 申請内容確認's (edited, or very old).
    return renderOrder(c, values, errors, [], order ? { text: tr.t('certStartOver') } : null)
  }
  const deps = c.get('deps')
  const provider = deps.payments(u)
  if (!provider) {
    c.status(503)
    return confirmOrder(c, form, tr.t('paymentsNotConfigured'))
  }
  const s = student(c)
  const outcome = await deskFor(deps.desks, s.universityId, s.id).order({
    universityId: s.universityId,
    studentId: s.id,
    lines: order.lines,
    delivery: order.delivery,
    recipient: order.delivery === 'pdf' ? order.recipient : null,
    address: order.address,
    sealed: order.sealed,
    method: order.method,
    requestKey,
    lang: tr.lang,
    provider: provider.id,
    contactPhone: order.phone,
    siteOrigin: originOf(c),
  })
  if (!outcome.ok) {
    if ('problems' in outcome) {
      c.status(422)
      return renderOrder(c, values, {}, outcome.problems)
    }
    c.status('registrar' in outcome ? 503 : 422)
    return 'registrar' in outcome
      ? renderOrder(c, values, {}, [], { failure: outcome.registrar })
      : renderOrder(c, values, { method: { text: tr.t('methodRequired') } })
  }
  try {
    await startPayment(deps, provider, u, s, outcome.application, originOf(c))
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    console.error('payment could not be started', {
      application: outcome.application.id,
      error: e.message,
    })
  }
  return c.redirect(`/applications/${outcome.application.id}/pay`, 303)
})

/** The PDF as stored, to download (never cached: it carries personal data). */
const pdfResponse = async (c: C, cert: Certificate) => {
  const object = await c.get('deps').certificatesBucket.get(cert.objectKey)
  if (!object) throw new AppError('notFound', 404)
  return new Response(object.body, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${fileNameOf(cert)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  })
}

const certificateOf = async (c: C, applicationId: number) => {
  const id = c.req.param('cid') ?? ''
  if (!/^\d{1,12}$/.test(id)) throw new AppError('notFound', 404)
  const cert = await c
    .get('deps')
    .db.select()
    .from(certificates)
    .where(and(eq(certificates.id, Number(id)), eq(certificates.applicationId, applicationId)))
    .get()
  if (!cert) throw new AppError('notFound', 404)
  return cert
}

/**
 * 印刷可能: the student's own certificate, while it is valid and not revoked; whatever their
 * status now (a 退学 student keeps what they paid for: middleware/session.ts LEAVER_PAGES).
 */
certificatePages.get('/applications/:id/certificates/:cid', requireStage('ready'), async (c) => {
  const a = await ownApplication(c)
  const cert = await certificateOf(c, a.id)
  const view = await loadOrder(c.get('deps').db, a.id)
  if (!view || view.order.delivery !== 'pdf' || !downloadable(cert, c.get('deps').clock()))
    throw new AppError('notFound', 404)
  return pdfResponse(c, cert)
})

/** The recipient's link: no account, only the token, until the certificates' validity ends. */
const recipientView = async (c: C) => {
  const deps = c.get('deps')
  const link = await recipientOrder(deps, c.req.param('token') ?? '')
  const view = link && (await loadOrder(deps.db, link.applicationId))
  if (!view || view.order.universityId !== c.get('university').id) {
    c.status(404)
    return null
  }
  return view
}

certificatePages.get('/r/:token', async (c) => {
  const view = await recipientView(c)
  const { t } = c.get('tr')
  if (!view) return c.render(<p>{t('recipientLinkInvalid')}</p>, { title: t('recipientPageTitle') })
  const u = c.get('university')
  return c.render(
    <RecipientPage
      view={view}
      token={c.req.param('token')}
      now={c.get('deps').clock()}
      universityName={c.get('tr').lang === 'en' ? u.nameEn : u.name}
    />,
    { title: t('recipientPageTitle') },
  )
})

certificatePages.get('/r/:token/:cid', async (c) => {
  const view = await recipientView(c)
  if (!view) throw new AppError('notFound', 404)
  const cert = await certificateOf(c, view.order.applicationId)
  if (!downloadable(cert, c.get('deps').clock())) throw new AppError('notFound', 404)
  return pdfResponse(c, cert)
})

/**
 * /verify: the 照合番号 (typed, or the QR code's link) shows what was issued and whether it
 * is 有効, 失効 or 期限切れ. Lookups are limited per client, and a code cannot be guessed.
 */
certificatePages.get('/verify', async (c) => {
  const typed = (c.req.query('code') ?? '').slice(0, 40)
  const tr = c.get('tr')
  const render = (p: Omit<Parameters<typeof VerifyPage>[0], 'code'>) =>
    c.render(<VerifyPage code={typed} {...p} />, { title: tr.t('verifyTitle') })
  if (!typed) return render({ result: null, notFound: false })
  const code = normaliseVerificationCode(typed)
  if (!code) {
    c.status(422)
    return render({ result: null, notFound: false, error: tr.t('verifyCodeInvalid') })
  }
  const { success } = await c.env.VERIFY_LOOKUPS.limit({ key: clientOf(c) })
  if (!success) {
    c.status(429)
    return render({ result: null, notFound: false, error: tr.t('verifyTooMany') })
  }
  const deps = c.get('deps')
  const cert = await certificateByCode(deps.db, c.get('university').id, code)
  if (!cert) {
    c.status(404)
    return render({ result: null, notFound: true })
  }
  return render({
    notFound: false,
    result: {
      certificate: cert,
      lineName: certificateLineName(tr, cert),
      standing: certificateStanding(cert, deps.clock()),
    },
  })
})
