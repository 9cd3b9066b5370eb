import { Hono, type Context } from 'hono'
import type { AppEnv } from '../context'
import { refundableToBankAccount } from '../domain/application'
import {
  BANK_ACCOUNT_FIELDS,
  checkBankAccount,
  type BankAccountField,
  type BankAccountProblem,
} from '../domain/bankAccount'
import { deskFor } from '../flows/desks'
import type { TextKey } from '../i18n'
import { requireStage } from '../middleware/session'
import type { FieldErrors } from '../views/components'
import { CashRefundPage } from '../views/pages/cashRefund'
import { ownApplication } from './applications'
import { refill } from './forms'

type C = Context<AppEnv>

/**
 * 返金先口座の指定: a コンビニ / Pay-easy payment goes back to the student through KOMOJU's
 * refund request, which needs the bank account. Behind the student's login, for their own
 * application only; the account is posted here, checked, handed to the desk (which passes
 * it to KOMOJU) and forgotten: no session, no KV, no D1 row, no log line holds it.
 */
export const cashRefundPages = new Hono<AppEnv>()
cashRefundPages.use('/applications/*', requireStage('ready'))

const LABEL: Record<BankAccountField, TextKey> = {
  bank_code: 'bankCode',
  bank_name: 'bankName',
  branch_code: 'branchCode',
  branch_name: 'branchName',
  account_type: 'accountType',
  account_number: 'accountNumber',
  account_holder: 'accountHolder',
}
const PROBLEM: Record<Exclude<BankAccountProblem, 'required' | 'tooLong'>, TextKey> = {
  bankCode: 'bankCodeInvalid',
  branchCode: 'branchCodeInvalid',
  accountType: 'accountTypeInvalid',
  accountNumber: 'accountNumberInvalid',
  holderCharacters: 'accountHolderInvalid',
  holderTooLong: 'accountHolderTooLong',
}

const render = (
  c: C,
  a: Awaited<ReturnType<typeof ownApplication>>,
  values: Record<string, string>,
  errors: FieldErrors = {},
  refused = false,
) =>
  c.render(<CashRefundPage a={a} values={values} errors={errors} refused={refused} />, {
    title: c.get('tr').t('cashRefundTitle'),
  })

cashRefundPages.get('/applications/:id/refund-account', async (c) => {
  const a = await ownApplication(c)
  if (!refundableToBankAccount(a)) return c.redirect(`/applications/${a.id}`, 303)
  return render(c, a, {})
})

cashRefundPages.post('/applications/:id/refund-account', async (c) => {
  const a = await ownApplication(c)
  if (!refundableToBankAccount(a))
    return c.redirect(`/applications/${a.id}?refund=notRefundable`, 303)
  const form = await c.req.parseBody().catch(() => ({}))
  const values = refill(form, BANK_ACCOUNT_FIELDS)
  const { t } = c.get('tr')
  const checked = checkBankAccount(values)
  if (!checked.ok) {
    const errors: FieldErrors = {}
    for (const [field, problem] of Object.entries(checked.problems) as [
      BankAccountField,
      BankAccountProblem,
    ][]) {
      const label = t(LABEL[field])
      errors[field] = {
        text:
          problem === 'required'
            ? t('required', { field: label })
            : problem === 'tooLong'
              ? t('tooLong', { field: label, max: 40 })
              : t(PROBLEM[problem]),
      }
    }
    c.status(422)
    return render(c, a, values, errors)
  }
  const outcome = await deskFor(
    c.get('deps').desks,
    a.universityId,
    a.studentId,
  ).refundToBankAccount(a.id, checked.account)
  if (outcome.kind === 'refused') {
    c.status(422)
    const errors: FieldErrors = outcome.field
      ? { [outcome.field]: { text: t('cashRefundFieldRefused') } }
      : {}
    return render(c, a, values, errors, true)
  }
  const shown = outcome.kind === 'requested' ? 'requested' : outcome.kind
  return c.redirect(`/applications/${a.id}?refund=${shown}`, 303)
})
