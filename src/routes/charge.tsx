import { Hono, type Context } from 'hono'
import * as z from 'zod'
import { PaymentProviderError } from '../adapters/payments'
import type { AppEnv } from '../context'
import { blackoutAt, linkOpensAt } from '../domain/blackout'
import {
  chargeableAmount,
  chargeProblem,
  formatYen,
  parseYen,
  type ChargeProblem,
  type ChargeRoom,
} from '../domain/charge'
import { isPaymentMethod, type PaymentMethod } from '../domain/paymentMethods'
import { deskFor } from '../flows/desks'
import { chargeRoom, readBalance, startPayment } from '../flows/charge'
import type { Translator } from '../i18n'
import { requireRight, requireStage } from '../middleware/session'
import { randomToken } from '../security/crypto'
import type { FieldErrors } from '../views/components'
import { ChargePage, ConfirmPage, MethodPage, type ChargeView } from '../views/pages/charge'
import { InfoPage } from '../views/pages/general'
import { requiredText, validForm } from './forms'

type C = Context<AppEnv>

/** M.I.C.チャージ (manual §4.1): チャージ → お支払い方法選択 → 申請内容確認 → 申請. */
export const charge = new Hono<AppEnv>()
/**
 * Charging is a right of the student's status (domain/roster.ts): a 卒業 student is told on
 * this page why it is closed, at every step and whatever the method (GET or POST); the desk
 * refuses the application too (flows/desk/apply.ts), so no request gets around it.
 */
const chargeClosed = (c: C) => {
  c.status(403)
  const { t, list } = c.get('tr')
  return c.render(
    <InfoPage
      role="alert"
      lines={list('chargeClosed')}
      links={[
        { href: '/applications', label: t('menuApplications') },
        { href: '/certificates', label: t('menuCertificates') },
        { href: '/menu', label: t('menuTitle') },
      ]}
    />,
    { title: t('chargeTitle') },
  )
}
charge.use('/charge', requireStage('ready'), requireRight('charge', chargeClosed))
charge.use('/charge/*', requireStage('ready'), requireRight('charge', chargeClosed))

const student = (c: C) => c.get('session')!.student

export const problemText = (
  t: Translator['t'],
  p:
    | ChargeProblem
    | { code: 'balanceUnknown' }
    | { code: 'methodUnavailable' }
    | { code: 'notAllowed' },
) => {
  switch (p.code) {
    case 'notWhole':
      return t('amountNotWhole')
    case 'belowMinimum':
      return t('amountBelowMinimum', { min: formatYen(p.min) })
    case 'notStep':
      return t('amountNotStep', { step: formatYen(p.step) })
    case 'overCap':
      return p.max > 0 ? t('amountOverCap', { max: formatYen(p.max) }) : t('amountNoRoom')
    case 'balanceUnknown':
      return t('balanceUnknown')
    case 'methodUnavailable':
      return t('methodRequired')
    case 'notAllowed':
      return t('chargeNotAllowed')
  }
}

/** Everything the チャージ screen shows, read fresh from M.I.C. (or its last word). */
const chargeView = async (c: C): Promise<{ view: ChargeView; room: ChargeRoom | null }> => {
  const deps = c.get('deps')
  const u = c.get('university')
  const { reading, room } = await chargeRoom(deps, student(c))
  const now = deps.clock()
  // Only a stop window has an end to announce; a fault does not.
  const stopped =
    blackoutAt(now, u.fiscalYearEndBlackouts) !== null || reading.failure?.error === 'blackout'
  return {
    room,
    view: {
      reading,
      cap: u.balanceCap,
      chargeable: room ? chargeableAmount(u, room) : null,
      minCharge: u.minCharge,
      chargeStep: u.chargeStep,
      opensAt: stopped ? linkOpensAt(now, u.fiscalYearEndBlackouts) : null,
    },
  }
}

const renderCharge = async (c: C, value: string | undefined, errors: FieldErrors) => {
  const { view } = await chargeView(c)
  return c.render(<ChargePage view={view} value={value} errors={errors} />, {
    title: c.get('tr').t('chargeTitle'),
  })
}

/**
 * A later step was sent an amount, method or request key that no form of ours sends
 * (an edited or truncated request): say so on the チャージ page, and create nothing.
 */
const startOver = (c: C) => {
  c.status(400)
  return renderCharge(c, undefined, { amount: { text: c.get('tr').t('chargeStartOver') } })
}

charge.get('/charge', (c) => renderCharge(c, c.req.query('amount')?.slice(0, 20), {}))

const amountSchema = z.object({ amount: requiredText(20) })

charge.post(
  '/charge',
  validForm(amountSchema, { amount: 'chargeAmount' }, (c, errors, raw) =>
    renderCharge(c, undefined, errors),
  ),
  async (c) => {
    const { amount: text } = c.req.valid('form')
    const { t } = c.get('tr')
    const amount = parseYen(text)
    const { view, room } = await chargeView(c)
    const problem: Parameters<typeof problemText>[1] | null =
      amount === null
        ? { code: 'notWhole' }
        : room
          ? chargeProblem(amount, c.get('university'), room)
          : { code: 'balanceUnknown' }
    if (problem || amount === null) {
      c.status(422)
      return c.render(
        <ChargePage
          view={view}
          value={text}
          errors={{ amount: { text: problemText(t, problem!) } }}
        />,
        { title: t('chargeTitle') },
      )
    }
    return c.redirect(`/charge/method?amount=${amount}`, 303)
  },
)

/**
 * The amount carried between the steps, checked again at each one against the
 * university's rules (the student's room under the cap is checked at 申請).
 */
const amountParam = (c: C, value: unknown) => {
  const n = typeof value === 'string' ? parseYen(value) : null
  const nothingOnTheCard = { balance: 0, outstanding: 0 }
  return n !== null && chargeProblem(n, c.get('university'), nothingOnTheCard) === null ? n : null
}

const methodsOf = (c: C) =>
  c.get('university').paymentMethods.map((method) => ({ method, howTo: `/howto/${method}` }))

const renderMethods = (
  c: C,
  amount: number,
  selected?: string,
  errors: { method?: string; phone?: string } = {},
  phone?: string,
) =>
  c.render(
    <MethodPage
      amount={amount}
      methods={methodsOf(c)}
      selected={selected}
      error={errors.method}
      phoneError={errors.phone}
      phone={phone}
    />,
    { title: c.get('tr').t('methodTitle') },
  )

/**
 * Pay-easy's telephone number, as digits (full-width digits, hyphens and spaces allowed
 * in), or 'invalid'. Other methods carry none.
 */
const contactPhone = (method: PaymentMethod, value: unknown): string | null | 'invalid' => {
  if (method !== 'payeasy') return null
  const digits =
    typeof value === 'string'
      ? value
          .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
          .replace(/[-‐－ー\s]/g, '')
      : ''
  return /^0\d{9,10}$/.test(digits) ? digits : 'invalid'
}

charge.get('/charge/method', (c) => {
  const amount = amountParam(c, c.req.query('amount'))
  if (amount === null) return c.redirect('/charge', 303)
  return renderMethods(c, amount, c.req.query('method'), {}, c.req.query('phone')?.slice(0, 20))
})

const enabledMethod = (c: C, value: unknown): PaymentMethod | null =>
  isPaymentMethod(value) && c.get('university').paymentMethods.includes(value) ? value : null

charge.post('/charge/method', async (c) => {
  const form = await c.req.parseBody()
  const amount = amountParam(c, form.amount)
  if (amount === null) return startOver(c)
  const method = enabledMethod(c, form.method)
  const typed = typeof form.phone === 'string' ? form.phone.slice(0, 20) : undefined
  if (!method) {
    c.status(422)
    return renderMethods(c, amount, undefined, { method: c.get('tr').t('methodRequired') }, typed)
  }
  const phone = contactPhone(method, form.phone)
  if (phone === 'invalid') {
    c.status(422)
    return renderMethods(c, amount, method, { phone: c.get('tr').t('contactPhoneInvalid') }, typed)
  }
  const phoneParam = phone ? `&phone=${phone}` : ''
  return c.redirect(`/charge/confirm?amount=${amount}&method=${method}${phoneParam}`, 303)
})

const renderConfirm = async (
  c: C,
  amount: number,
  method: PaymentMethod,
  phone: string | null,
  error?: string,
) => {
  // 申請内容確認 shows the balance after the charge; the cap is checked again at 申請.
  const reading = await readBalance(c.get('deps'), student(c))
  return c.render(
    <ConfirmPage
      amount={amount}
      method={method}
      phone={phone}
      reading={reading}
      requestKey={randomToken(16)}
      error={error}
    />,
    {
      title: c.get('tr').t('confirmTitle'),
    },
  )
}

charge.get('/charge/confirm', async (c) => {
  const amount = amountParam(c, c.req.query('amount'))
  const method = enabledMethod(c, c.req.query('method'))
  if (amount === null) return c.redirect('/charge', 303)
  if (!method) return c.redirect(`/charge/method?amount=${amount}`, 303)
  const phone = contactPhone(method, c.req.query('phone'))
  if (phone === 'invalid')
    return c.redirect(`/charge/method?amount=${amount}&method=${method}`, 303)
  return renderConfirm(c, amount, method, phone)
})

charge.post('/charge/apply', async (c) => {
  const form = await c.req.parseBody()
  const amount = amountParam(c, form.amount)
  const method = enabledMethod(c, form.method)
  const requestKey =
    typeof form.request_key === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(form.request_key)
      ? form.request_key
      : null
  if (amount === null || !requestKey) return startOver(c)
  if (!method) {
    c.status(422)
    return renderMethods(c, amount, undefined, { method: c.get('tr').t('methodRequired') })
  }
  const phone = contactPhone(method, form.phone)
  if (phone === 'invalid') {
    c.status(422)
    return renderMethods(c, amount, method, { phone: c.get('tr').t('contactPhoneInvalid') })
  }
  const deps = c.get('deps')
  // Without the university's gateway keys no payment can be opened: say so, create nothing.
  const provider = deps.payments(c.get('university'))
  if (!provider) {
    c.status(503)
    return renderConfirm(c, amount, method, phone, c.get('tr').t('paymentsNotConfigured'))
  }
  const s = student(c)
  const outcome = await deskFor(deps.desks, s.universityId, s.id).apply({
    universityId: s.universityId,
    studentId: s.id,
    amount,
    method,
    requestKey,
    lang: c.get('tr').lang,
    provider: provider.id,
    contactPhone: phone,
  })
  if (!outcome.ok) {
    c.status(422)
    return renderConfirm(c, amount, method, phone, problemText(c.get('tr').t, outcome.problem))
  }
  try {
    await startPayment(
      deps,
      provider,
      c.get('university'),
      s,
      outcome.application,
      new URL(c.req.url).origin,
    )
  } catch (e) {
    if (!(e instanceof PaymentProviderError)) throw e
    // The application stands; 申請完了 offers to open the payment page again.
    console.error('payment could not be started', {
      application: outcome.application.id,
      error: e.message,
    })
  }
  return c.redirect(`/applications/${outcome.application.id}/pay`, 303)
})
