import {
  MAX_COPIES_PER_APPLICATION,
  type CertificateSettings,
  type Delivery,
  type OrderLine,
  type PostalAddress,
} from '../domain/certificates'
import { isPaymentMethod, type PaymentMethod } from '../domain/paymentMethods'
import type { Translator } from '../i18n'
import type { FieldErrors } from '../views/components'
import { copiesField, type OrderFormValues } from '../views/pages/certificates'

/**
 * The certificate order form (各種証明書のオンライン申請), read and checked for shape and
 * sense: what the student typed, each problem named on the field it belongs to. Whether
 * the student may have these certificates is the registrar's and the catalogue's question
 * (domain/certificates.ts), asked after this.
 */
export interface OrderForm {
  lines: OrderLine[]
  delivery: Delivery
  recipient: { name: string; organisation: string; email: string | null } | null
  address: PostalAddress | null
  sealed: boolean
  method: PaymentMethod
  phone: string | null
}

const FIELDS = [
  'delivery',
  'recipient_name',
  'recipient_organisation',
  'recipient_email',
  'recipient_email_confirm',
  'country',
  'post_name',
  'postal_code',
  'address',
  'post_phone',
  'sealed',
  'method',
  'phone',
] as const

const text = (form: Record<string, unknown>, name: string, max: number) => {
  const v = form[name]
  return typeof v === 'string'
    ? v
        .normalize('NFC')
        .trim()
        .slice(0, max + 1)
    : ''
}

/** Full-width digits and hyphens as a student types them on a Japanese phone keyboard. */
const halfWidth = (s: string) =>
  s
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[‐－ー−]/g, '-')

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Reads the posted form; `errors` is empty when every field makes sense. */
export const readOrderForm = (
  form: Record<string, unknown>,
  settings: CertificateSettings,
  methods: readonly PaymentMethod[],
  tr: Translator,
): { values: OrderFormValues; errors: FieldErrors; order: OrderForm | null } => {
  const { t } = tr
  const values: OrderFormValues = {}
  const errors: FieldErrors = {}
  for (const name of FIELDS) values[name] = text(form, name, 300)
  const lines: OrderLine[] = []
  for (const item of settings.catalogue)
    for (const lang of item.languages) {
      const name = copiesField(item, lang)
      const raw = halfWidth(text(form, name, 5))
      values[name] = raw
      if (raw === '' || raw === '0') continue
      const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN
      if (!Number.isInteger(n) || n < 0 || n > MAX_COPIES_PER_APPLICATION)
        errors[name] = { text: t('copiesInvalid', { max: MAX_COPIES_PER_APPLICATION }) }
      else lines.push({ type: item.type, language: lang, copies: n })
    }
  const firstCopies = settings.catalogue[0]
    ? copiesField(settings.catalogue[0], settings.catalogue[0].languages[0] ?? 'ja')
    : 'delivery'
  if (lines.length === 0 && !Object.keys(errors).length)
    errors[firstCopies] = { text: t('copiesNone') }
  const total = lines.reduce((n, l) => n + l.copies, 0)
  if (total > MAX_COPIES_PER_APPLICATION)
    errors[firstCopies] = { text: t('copiesTooMany', { max: MAX_COPIES_PER_APPLICATION }) }

  const delivery = values.delivery === 'pdf' || values.delivery === 'post' ? values.delivery : null
  if (!delivery) errors.delivery = { text: t('deliveryRequired') }

  let recipient: OrderForm['recipient'] = null
  if (delivery === 'pdf') {
    const name = values.recipient_name!
    const organisation = values.recipient_organisation!
    const email = values.recipient_email!
    const confirm = values.recipient_email_confirm!
    if (name || organisation || email || confirm) {
      if (!name) errors.recipient_name = { text: t('required', { field: t('recipientName') }) }
      if (!organisation)
        errors.recipient_organisation = {
          text: t('required', { field: t('recipientOrganisation') }),
        }
      if (name.length > 60)
        errors.recipient_name = { text: t('tooLong', { field: t('recipientName'), max: 60 }) }
      if (organisation.length > 80)
        errors.recipient_organisation = {
          text: t('tooLong', { field: t('recipientOrganisation'), max: 80 }),
        }
      if (email && (!EMAIL.test(email) || email.length > 254))
        errors.recipient_email = { text: t('emailInvalid') }
      else if (email !== confirm)
        errors.recipient_email_confirm = { text: t('recipientEmailMismatch') }
      recipient = { name, organisation, email: email ? email.toLowerCase() : null }
    }
  }

  let address: PostalAddress | null = null
  if (delivery === 'post') {
    const country = values.country === 'abroad' ? 'abroad' : 'JP'
    const name = values.post_name!
    const postalCode = halfWidth(values.postal_code!).replace(/\s/g, '')
    const addr = values.address!
    const phone = halfWidth(values.post_phone!).replace(/\s/g, '')
    if (!name) errors.post_name = { text: t('required', { field: t('postName') }) }
    else if (name.length > 60)
      errors.post_name = { text: t('tooLong', { field: t('postName'), max: 60 }) }
    if (country === 'JP' && !/^\d{3}-?\d{4}$/.test(postalCode))
      errors.postal_code = { text: t('postalCodeInvalid') }
    if (country === 'abroad' && postalCode.length > 20)
      errors.postal_code = { text: t('tooLong', { field: t('postalCode'), max: 20 }) }
    if (!addr) errors.address = { text: t('required', { field: t('postAddress') }) }
    else if (addr.length > 200)
      errors.address = { text: t('tooLong', { field: t('postAddress'), max: 200 }) }
    if (!/^\+?[\d-]{8,20}$/.test(phone)) errors.post_phone = { text: t('postPhoneInvalid') }
    address = {
      country,
      name,
      postalCode: country === 'JP' ? postalCode.replace(/^(\d{3})-?(\d{4})$/, '$1-$2') : postalCode,
      address: addr,
      phone,
    }
  }

  const method =
    isPaymentMethod(values.method) && methods.includes(values.method) ? values.method : null
  if (!method) errors.method = { text: t('methodRequired') }
  let phone: string | null = null
  if (method === 'payeasy') {
    const digits = halfWidth(values.phone!).replace(/[-\s]/g, '')
    if (!/^0\d{9,10}$/.test(digits)) errors.phone = { text: t('contactPhoneInvalid') }
    phone = digits
  }
  const ok = Object.keys(errors).length === 0 && delivery && method
  return {
    values,
    errors,
    order: ok
      ? {
          lines,
          delivery,
          recipient,
          address,
          sealed: values.sealed === 'on' && delivery === 'post',
          method,
          phone,
        }
      : null,
  }
}
