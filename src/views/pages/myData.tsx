import { useRequestContext } from '../renderer'
import type { AppEnv } from '../../context'
import { certificateStanding, formatVerificationCode } from '../../domain/certificates'
import { formatYen } from '../../domain/charge'
import { hasDeadline } from '../../domain/paymentMethods'
import type { StudentStatus } from '../../domain/roster'
import { formatJstDate, formatJstDateTime } from '../../domain/time'
import type { BlackoutPeriod } from '../../domain/university'
import { certificateLineName } from '../../flows/mails'
import type { CashRefund, MyData } from '../../flows/myData'
import type { TextKey, Translator } from '../../i18n'
import { LastLogin } from './general'
import { certificateOrderText, STANDING_KEYS } from './certificates'
import { creditText, methodLabel, statusLabel } from './charge'

/**
 * 個人データのダウンロード: the student's data in the words they read on the pages (申請一覧,
 * 申請情報 詳細), in their language. The JSON's keys are fixed English names, for programs;
 * its values and the CSV are what a person reads.
 */
export interface MyDataDocument {
  exportedAt: string
  language: 'ja' | 'en'
  profile: {
    userId: string
    nameKana: string
    email: string | null
    status: string
    leftOn: string | null
    lastLogin: string | null
  }
  applications: {
    applicationNumber: number
    kind: string
    appliedOn: string
    quantity: number
    amount: number
    paymentMethod: string
    paymentStatus: string
    paidAt: string | null
    paymentDeadline: string | null
    state: string
  }[]
  certificates: {
    applicationNumber: number
    issueNumber: string
    certificate: string
    issuedAt: string
    validUntil: string
    verificationCode: string
    standing: string
  }[]
  refunds: {
    applicationNumber: number
    way: string
    amount: number
    requestedAt: string | null
    refundedAt: string | null
    state: string
  }[]
}

const STATUS_KEYS: Record<StudentStatus, TextKey> = {
  enrolled: 'myDataStatus_enrolled',
  on_leave: 'myDataStatus_on_leave',
  graduated: 'myDataStatus_graduated',
  withdrawn: 'myDataStatus_withdrawn',
  expelled: 'myDataStatus_expelled',
}

const CASH_REFUND_KEYS: Record<NonNullable<CashRefund['outcome']> | 'open', TextKey> = {
  open: 'myDataRefundPending',
  completed: 'myDataRefundDone',
  rejected: 'myDataRefundRejected',
  lost: 'myDataRefundLost',
}

const time = (ms: number | null) => (ms === null ? null : formatJstDateTime(ms))

/** The student's data as they download it, at `now`. */
export const myDataDocument = (
  tr: Translator,
  data: MyData,
  now: number,
  fiscal: readonly BlackoutPeriod[],
): MyDataDocument => {
  const { t } = tr
  const doc: MyDataDocument = {
    exportedAt: formatJstDateTime(now),
    language: tr.lang,
    profile: {
      userId: data.userId,
      nameKana: data.nameKana,
      email: data.email,
      status: t(data.status ? STATUS_KEYS[data.status] : 'myDataStatusUnknown'),
      leftOn: data.leftOn,
      lastLogin: time(data.lastLoginAt),
    },
    applications: [],
    certificates: [],
    refunds: [],
  }
  for (const { application: a, order, cashRefunds } of data.applications) {
    const latestCash = cashRefunds.at(-1)
    doc.applications.push({
      applicationNumber: a.id,
      kind: order
        ? [...new Set(order.lines.map((l) => certificateLineName(tr, l)))].join('、')
        : t('menuCharge'),
      appliedOn: formatJstDate(a.createdAt),
      quantity: a.quantity,
      amount: a.amount,
      paymentMethod: methodLabel(tr, a.paymentMethod),
      paymentStatus: statusLabel(tr, a.status),
      paidAt: time(a.paidAt),
      paymentDeadline: hasDeadline(a.paymentMethod) ? time(a.paymentDeadline) : null,
      state: order
        ? certificateOrderText(tr, a, order.order, now)
        : creditText(tr, a, now, fiscal, latestCash),
    })
    for (const c of order?.certificates ?? []) {
      const line = order!.lines.find((l) => l.id === c.lineId)
      doc.certificates.push({
        applicationNumber: a.id,
        issueNumber: c.issueNumber,
        certificate: line ? certificateLineName(tr, line) : c.type,
        issuedAt: formatJstDateTime(c.issuedAt),
        validUntil: formatJstDateTime(c.validUntil),
        verificationCode: formatVerificationCode(c.verificationCode),
        standing: t(STANDING_KEYS[certificateStanding(c, now)]),
      })
    }
    // A card or wallet payment goes back the way it came (the gateway says how much); a
    // コンビニ / Pay-easy one to a bank account, by request.
    if (!hasDeadline(a.paymentMethod) && (a.status === 'refunded' || a.gatewayRefunded > 0))
      doc.refunds.push({
        applicationNumber: a.id,
        way: t('myDataRefundGateway'),
        amount: a.gatewayRefunded || a.amount,
        requestedAt: null,
        refundedAt: time(a.refundedAt),
        state: t('myDataRefundDone'),
      })
    for (const r of cashRefunds)
      doc.refunds.push({
        applicationNumber: a.id,
        way: t('myDataRefundBank'),
        amount: a.amount,
        requestedAt: time(r.requestedAt),
        refundedAt: r.outcome === 'completed' ? time(r.decidedAt) : null,
        state: t(CASH_REFUND_KEYS[r.outcome ?? 'open']),
      })
  }
  return doc
}

/**
 * The same data as one table for a spreadsheet: a row per field (区分, 番号, 項目, 値), so
 * records of every kind fit one sheet and read top to bottom.
 */
export const myDataTable = (tr: Translator, doc: MyDataDocument) => {
  const { t } = tr
  const yen = (n: number) => t('yen', { amount: formatYen(n) })
  const header = [
    t('myDataColumnSection'),
    t('myDataColumnNumber'),
    t('myDataColumnField'),
    t('myDataColumnValue'),
  ]
  const rows: (string | number | null)[][] = []
  const add = (section: TextKey, n: number | string, fields: [TextKey, unknown][]) => {
    for (const [field, value] of fields)
      rows.push([
        t(section),
        n,
        t(field),
        value === null || value === undefined ? '' : String(value),
      ])
  }
  const p = doc.profile
  add('myDataSectionProfile', '', [
    ['userId', p.userId],
    ['myDataNameKana', p.nameKana],
    ['emailAddress', p.email],
    ['myDataStatus', p.status],
    ['myDataLeftOn', p.leftOn],
    ['lastLogin', p.lastLogin ?? t('lastLoginNone')],
  ])
  for (const a of doc.applications)
    add('myDataSectionApplication', a.applicationNumber, [
      ['kind', a.kind],
      ['issueDate', a.appliedOn],
      ['quantity', a.quantity],
      ['amountColumn', yen(a.amount)],
      ['paymentMethod', a.paymentMethod],
      ['paymentStatus', a.paymentStatus],
      ['paidAt', a.paidAt],
      ['paymentDeadline', a.paymentDeadline],
      ['myDataState', a.state],
    ])
  for (const c of doc.certificates)
    add('myDataSectionCertificate', c.applicationNumber, [
      ['issueNumber', c.issueNumber],
      ['certificate', c.certificate],
      ['verifyIssuedAt', c.issuedAt],
      ['validUntil', c.validUntil],
      ['verificationCode', c.verificationCode],
      ['verifyStanding', c.standing],
    ])
  for (const r of doc.refunds)
    add('myDataSectionRefund', r.applicationNumber, [
      ['myDataRefundWay', r.way],
      ['amountColumn', yen(r.amount)],
      ['myDataRefundRequestedAt', r.requestedAt],
      ['myDataRefundAt', r.refundedAt],
      ['myDataState', r.state],
    ])
  return { header, rows }
}

/** /account/data: what the download holds, and its two formats. */
export const MyDataPage = ({ lastLoginAt }: { lastLoginAt: number | null }) => {
  const { t, list } = useRequestContext<AppEnv>().get('tr')
  return (
    <>
      <LastLogin at={lastLoginAt} />
      <p>{t('myDataIntro')}</p>
      <section class="card">
        <ul class="my-data-contents">
          {list('myDataContents').map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="formats-heading">
        <h2 id="formats-heading">{t('myDataFormats')}</h2>
        <ul class="my-data-formats">
          <li>
            <a class="button primary" href="/account/data.csv" download>
              {t('myDataCsv')}
            </a>
            <p class="hint">{t('myDataCsvHint')}</p>
          </li>
          <li>
            <a class="button" href="/account/data.json" download>
              {t('myDataJson')}
            </a>
            <p class="hint">{t('myDataJsonHint')}</p>
          </li>
        </ul>
        <p class="hint">{t('myDataNote')}</p>
      </section>
      <p class="actions">
        <a class="button" href="/menu">
          {t('back')}
        </a>
      </p>
    </>
  )
}
