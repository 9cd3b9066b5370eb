/** @jsxImportSource hono/jsx */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { type Locale, type Payment, returnTo, type Session } from './model'

// KOMOJU's hosted pages in Japanese or English. No JavaScript and inline CSS only; the
// colours keep at least 4.5:1 contrast so the pages pass axe.

type T = (ja: string, en: string) => string
const translate =
  (lang: Locale): T =>
  (ja, en) =>
    lang === 'ja' ? ja : en

const NAMES: Record<string, [string, string]> = {
  credit_card: ['クレジットカード', 'Credit card'],
  konbini: ['コンビニ払い', 'Convenience store'],
  pay_easy: ['ペイジー', 'Pay-easy'],
  docomo: ['ドコモ払い', 'docomo Payment'],
  au: ['auかんたん決済', 'au Easy Payment'],
  softbank: ['ソフトバンクまとめて支払い', 'SoftBank Payment'],
  apple_pay: ['Apple Pay', 'Apple Pay'],
  paypay: ['PayPay', 'PayPay'],
  merpay: ['メルペイ', 'Merpay'],
  'seven-eleven': ['セブン-イレブン', '7-Eleven'],
  'family-mart': ['ファミリーマート', 'FamilyMart'],
  lawson: ['ローソン', 'Lawson'],
  ministop: ['ミニストップ', 'Ministop'],
  'daily-yamazaki': ['デイリーヤマザキ', 'Daily Yamazaki'],
  seicomart: ['セイコーマート', 'Seicomart'],
  authorized: ['お支払い待ち', 'Awaiting payment'],
  captured: ['お支払い済み', 'Paid'],
  expired: ['期限切れ', 'Expired'],
  cancelled: ['キャンセル済み', 'Cancelled'],
  refunded: ['返金済み', 'Refunded'],
}
const named = (key: string, t: T) => (NAMES[key] ? t(...NAMES[key]) : key)

const yen = (n: number) => `¥${n.toLocaleString('ja-JP')}`
const jst = (time: string, t: T) =>
  new Date(time).toLocaleString(t('ja-JP', 'en-GB'), {
    timeZone: 'Asia/Tokyo',
    dateStyle: 'medium',
    timeStyle: 'short',
  }) + t('（日本時間）', ' (JST)')

const CSS = `
body{margin:0;font-family:system-ui,sans-serif;color:#1a1a1a;background:#f4f5f7;line-height:1.6}
header{background:#123c69;color:#fff;padding:.75rem 1rem}header p{margin:0;font-weight:bold}
main{max-width:32rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}dt{font-weight:bold}dd{margin:0 0 .75rem}
.number{font-size:1.3rem;font-family:ui-monospace,monospace;letter-spacing:.05em}
.alert{color:#9b0018;border:2px solid #9b0018;padding:.75rem;border-radius:6px}
form{display:flex;gap:.75rem;margin-top:1rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:2px solid #0b57d0;cursor:pointer}
.primary{background:#0b57d0;color:#fff}.secondary{background:#fff;color:#0b57d0}a{color:#0b57d0}`

export const render = (
  c: Context,
  lang: Locale,
  title: string,
  body: Child,
  status: ContentfulStatusCode = 200,
) => {
  const brand = translate(lang)('KOMOJU (ローカル)', 'KOMOJU (local)')
  return c.html(
    '<!DOCTYPE html>' +
    (
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} — ${brand}`}</title>
          <style dangerouslySetInnerHTML={{ __html: CSS }} />
        </head>
        <body>
          <header>
            <p>{brand}</p>
          </header>
          <main>
            <h1>{title}</h1>
            {body}
          </main>
        </body>
      </html>
    ),
    status,
  )
}

export const notFoundPage = (c: Context) => render(c, 'ja', 'ページが見つかりません', null, 404)

const Row = ({ label, value, number }: { label: string; value?: string | null; number?: true }) =>
  value ? (
    <>
      <dt>{label}</dt>
      <dd class={number && 'number'}>{value}</dd>
    </>
  ) : null

const Summary = ({ s, t }: { s: Session; t: T }) => (
  <dl>
    <Row label={t('お支払い金額', 'Amount')} value={yen(s.amount)} number />
    <Row label={t('お支払い方法', 'Payment method')} value={named(s.payment_methods[0]!.type, t)} />
    <Row label={t('ご注文番号', 'Order number')} value={s.payment_data.external_order_num} />
    <Row label={t('有効期限', 'Expires at')} value={jst(s.expires_at, t)} />
  </dl>
)

/** The hosted page in whatever state the session is; `declined` after a refused card. */
export const sessionPage = (c: Context, s: Session, declined = false) => {
  const lang = s.default_locale
  const t = translate(lang)
  const back = (
    <p>
      <a href={returnTo(s)}>{t('ショップに戻る', 'Back to the shop')}</a>
    </p>
  )
  if (s.status === 'completed')
    return render(c, lang, t('お支払いが完了しました', 'Payment complete'), [
      <Summary s={s} t={t} />,
      back,
    ])
  if (s.status === 'cancelled')
    return render(c, lang, t('このお支払いはキャンセルされました', 'Payment cancelled'), back, 409)
  if (s.expired)
    return render(
      c,
      lang,
      t('お支払いページの有効期限が切れました', 'This payment page has expired'),
      <p>{t('お支払いは行われていません。', 'Nothing was paid.')}</p>,
      410,
    )
  return render(
    c,
    lang,
    t('お支払い', 'Checkout'),
    <>
      {declined && (
        <p class="alert" role="alert">
          {t('カードが承認されませんでした。', 'The card was declined.')}
        </p>
      )}
      <Summary s={s} t={t} />
      {s.payment_methods[0]!.type === 'credit_card' && (
        <p>{t('テスト用カード VISA **** 4242 で決済します。', 'Test card: VISA **** 4242.')}</p>
      )}
      <form method="post" action={`/sessions/${s.id}`}>
        <button type="submit" name="action" value="pay" class="primary">
          {t('支払う', 'Pay')}
        </button>
        <button type="submit" name="action" value="cancel" class="secondary">
          {t('キャンセル', 'Cancel')}
        </button>
      </form>
    </>,
  )
}

/** A refused form post on the hosted page: nothing changed. */
export const refusedPage = (c: Context, s: Session, status: 400 | 409) => {
  const t = translate(s.default_locale)
  return render(
    c,
    s.default_locale,
    t('操作を受け付けられません', 'The request could not be accepted'),
    <p>
      <a href={`/sessions/${s.id}`}>{t('お支払いページへ戻る', 'Back to the payment page')}</a>
    </p>,
    status,
  )
}

/** What the customer needs at the store or ATM (KOMOJU links it from its e-mail). */
export const instructionsPage = (c: Context, p: Payment) => {
  const t = translate(p.locale)
  const d = p.payment_details as Record<string, string | undefined>
  return render(
    c,
    p.locale,
    `${t('お支払い方法のご案内', 'How to pay')}: ${named(d.type!, t)}`,
    <>
      <dl>
        <Row label={t('お支払い金額', 'Amount')} value={yen(p.total)} number />
        <Row label={t('状態', 'Status')} value={named(p.status, t)} />
        <Row label={t('コンビニ', 'Store')} value={d.store && named(d.store, t)} />
        <Row label={t('払込票番号／受付番号', 'Receipt number')} value={d.receipt} number />
        <Row label={t('収納機関番号', 'Bank ID')} value={d.bank_id} number />
        <Row label={t('お客様番号', 'Customer ID')} value={d.customer_id} number />
        <Row
          label={t('確認番号', 'Confirmation code')}
          value={d.confirmation_code ?? d.confirmation_id}
          number
        />
        <Row label={t('お支払い期限', 'Payment deadline')} value={jst(p.payment_deadline!, t)} />
      </dl>
      <p>
        {d.type === 'konbini'
          ? t(
              `${named(d.store!, t)}のレジで上記の番号をお伝えいただくか店頭端末に入力し、期限までに現金でお支払いください。`,
              `At ${named(d.store!, t)}, give these numbers at the register or in-store terminal and pay in cash before the deadline.`,
            )
          : t(
              'Pay-easy対応の銀行ATMまたはネットバンキングで上記の番号を入力し、期限までにお支払いください。',
              'At a Pay-easy ATM or in online banking, enter these numbers and pay before the deadline.',
            )}
      </p>
    </>,
  )
}
