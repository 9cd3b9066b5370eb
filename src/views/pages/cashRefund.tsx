import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { ACCOUNT_TYPES, type AccountType } from '../../domain/bankAccount'
import { formatYen } from '../../domain/charge'
import type { Application } from '../../flows/charge'
import type { TextKey } from '../../i18n'
import { CsrfField, ErrorSummary, Field, Message, type FieldErrors } from '../components'

const TYPE_LABEL: Record<AccountType, TextKey> = {
  normal: 'accountTypeNormal',
  checking: 'accountTypeChecking',
  savings: 'accountTypeSavings',
}

/**
 * 返金先口座の指定: the bank account a コンビニ / Pay-easy payment is refunded to. What was
 * typed comes back on the page with each problem beside its field (nothing is lost), and
 * is never stored: it is posted, checked, passed on to KOMOJU, and forgotten.
 */
export const CashRefundPage = (p: {
  a: Application
  values: Record<string, string>
  errors: FieldErrors
  refused?: boolean
}) => {
  const tr = useRequestContext<AppEnv>().get('tr')
  const { t } = tr
  const v = p.values
  const typeError = p.errors.account_type
  return (
    <>
      {p.refused && (
        <Message kind="error">
          <p>{t('cashRefundRefused')}</p>
        </Message>
      )}
      <ErrorSummary errors={p.errors} />
      <p>{t('cashRefundIntro')}</p>
      <dl class="summary">
        <dt>{t('applicationNumber')}</dt>
        <dd>{p.a.id}</dd>
        <dt>{t('cashRefundAmount')}</dt>
        <dd>{t('yen', { amount: formatYen(p.a.amount) })}</dd>
      </dl>
      <form method="post" action={`/applications/${p.a.id}/refund-account`} class="card">
        <CsrfField />
        <Field
          name="bank_code"
          label={t('bankCode')}
          hint={t('bankCodeHint')}
          value={v.bank_code}
          error={p.errors.bank_code}
          inputmode="numeric"
          maxlength={8}
          autocomplete="off"
          required
        />
        <Field
          name="bank_name"
          label={t('bankName')}
          value={v.bank_name}
          error={p.errors.bank_name}
          maxlength={40}
          autocomplete="off"
          required
        />
        <Field
          name="branch_code"
          label={t('branchCode')}
          hint={t('branchCodeHint')}
          value={v.branch_code}
          error={p.errors.branch_code}
          inputmode="numeric"
          maxlength={8}
          autocomplete="off"
          required
        />
        <Field
          name="branch_name"
          label={t('branchName')}
          value={v.branch_name}
          error={p.errors.branch_name}
          maxlength={40}
          autocomplete="off"
        />
        <fieldset
          id="account_type"
          class={typeError ? 'field has-error' : 'field'}
          aria-describedby={typeError ? 'account_type-error' : undefined}
        >
          <legend>{t('accountType')}</legend>
          {typeError && (
            <div class="field-error" id="account_type-error">
              <p>{typeError.text}</p>
            </div>
          )}
          <ul class="methods">
            {ACCOUNT_TYPES.map((type) => (
              <li>
                <input
                  type="radio"
                  name="account_type"
                  id={`account_type-${type}`}
                  value={type}
                  checked={v.account_type === type}
                  required
                />
                <label for={`account_type-${type}`}>{t(TYPE_LABEL[type])}</label>
              </li>
            ))}
          </ul>
        </fieldset>
        <Field
          name="account_number"
          label={t('accountNumber')}
          hint={t('accountNumberHint')}
          value={v.account_number}
          error={p.errors.account_number}
          inputmode="numeric"
          maxlength={16}
          autocomplete="off"
          required
        />
        <Field
          name="account_holder"
          label={t('accountHolder')}
          hint={t('accountHolderHint')}
          value={v.account_holder}
          error={p.errors.account_holder}
          maxlength={60}
          autocomplete="off"
          required
        />
        <p class="actions">
          <button type="submit" class="button primary">
            {t('cashRefundSubmit')}
          </button>
        </p>
      </form>
      <p class="actions">
        <a class="button" href={`/applications/${p.a.id}`}>
          {t('back')}
        </a>
      </p>
    </>
  )
}
