import { DurableObject } from 'cloudflare:workers'
import type { CreditStatus } from '../domain/application'
import type { BankAccount } from '../domain/bankAccount'
import { serviceNow } from '../flows/clock'
import { applyForCharge, type ApplyOutcome, type ChargeRequest } from '../flows/desk/apply'
import {
  requestCashRefund,
  settleCashRefund,
  type CashRefundOutcome,
  type CashRefundState,
} from '../flows/desk/cashRefund'
import { creditApplication, creditTheNet, retryCreditNow } from '../flows/desk/credit'
import { markFraud, settleWithGateway, type GatewayVerdict } from '../flows/desk/gateway'
import { refundApplication, type RefundOutcome } from '../flows/desk/refund'
import { reissueCertificate, type ReissueOutcome } from '../flows/desk/issue'
import { placeOrder, type OrderOutcome, type OrderRequest } from '../flows/certificates'
import { loadCatalogues } from '../i18n/load'
import { servicesFor } from '../services'

/**
 * One per student. Everything that must happen exactly once for a student goes through
 * here: KV (eventually consistent) cannot tell two simultaneous openings of one one-time
 * URL apart, this can. And everything that touches the student's balance (the cap check
 * when applying, each M.I.C. credit) runs here one at a time, awaits included.
 */
export class StudentDesk extends DurableObject<Env> {
  /**
   * A Durable Object interleaves calls whenever one awaits I/O (D1, M.I.C.), so the
   * balance work is chained explicitly: each call starts when the one before has ended.
   */
  private tail: Promise<unknown> = Promise.resolve()

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work)
    this.tail = run.catch(() => undefined)
    return run
  }

  /** Applies for a charge, after the cap check (see applyForCharge). */
  async apply(req: ChargeRequest): Promise<ApplyOutcome> {
    return this.oneAtATime(async () => applyForCharge(await servicesFor(this.env), req))
  }

  /** Places a certificate order, after the registrar's and the yearly limits' checks (see placeOrder). */
  async order(req: OrderRequest): Promise<OrderOutcome> {
    return this.oneAtATime(async () => placeOrder(await servicesFor(this.env), req))
  }

  /** 再発行 from the console: a new certificate in place of one, revoked (see reissueCertificate). */
  async reissue(certificateId: number, staffId: number, reason: string): Promise<ReissueOutcome> {
    return this.oneAtATime(async () =>
      reissueCertificate(await servicesFor(this.env), certificateId, staffId, reason),
    )
  }

  /** Refunds a paid charge that cannot be credited, at the student's request (see refundApplication). */
  async refund(applicationId: number): Promise<RefundOutcome> {
    return this.oneAtATime(async () =>
      refundApplication(await servicesFor(this.env), applicationId),
    )
  }

  /**
   * The gateway may no longer hold the whole payment (a refund or chargeback made there, or
   * a refund request to a bank account carried out): asks it and settles the application
   * (see settleWithGateway); a bank refund under way so ends too (settleCashRefund).
   */
  async settleWithGateway(applicationId: number): Promise<GatewayVerdict> {
    return this.oneAtATime(async () => {
      const s = await servicesFor(this.env)
      const verdict = await settleWithGateway(s, applicationId)
      if (verdict === 'refunded') await settleCashRefund(s, applicationId)
      return verdict
    })
  }

  /** A コンビニ / Pay-easy payment back to the student's bank account (see requestCashRefund). */
  async refundToBankAccount(
    applicationId: number,
    account: BankAccount,
  ): Promise<CashRefundOutcome> {
    return this.oneAtATime(async () =>
      requestCashRefund(await servicesFor(this.env), applicationId, account),
    )
  }

  /** What became of a refund request to a bank account, asked of KOMOJU (see settleCashRefund). */
  async settleBankRefund(applicationId: number): Promise<CashRefundState> {
    return this.oneAtATime(async () => settleCashRefund(await servicesFor(this.env), applicationId))
  }

  /** Credits a paid application to M.I.C., or issues a certificate order (see creditApplication). */
  async credit(applicationId: number): Promise<CreditStatus | null> {
    return this.oneAtATime(async () =>
      creditApplication(await servicesFor(this.env), applicationId),
    )
  }

  /** KOMOJU marked the payment as fraud: nothing more is credited (see markFraud). */
  async markFraud(applicationId: number): Promise<CreditStatus | null> {
    return this.oneAtATime(async () => markFraud(await servicesFor(this.env), applicationId))
  }

  /** 差額をチャージ from the console: credits what KOMOJU still holds (see creditTheNet). */
  async creditNet(applicationId: number): Promise<CreditStatus | null> {
    return this.oneAtATime(async () => creditTheNet(await servicesFor(this.env), applicationId))
  }

  /** 再チャージ from the console: tries the credit now, with its own key (see retryCreditNow). */
  async recredit(applicationId: number): Promise<CreditStatus | null> {
    return this.oneAtATime(async () => retryCreditNow(await servicesFor(this.env), applicationId))
  }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS consumed_tokens (
           token_hash TEXT PRIMARY KEY,
           consumed_at INTEGER NOT NULL,
           forget_after INTEGER NOT NULL
         )`,
      )
      await loadCatalogues(env.ASSETS) // its mails' texts (i18n/load.ts)
    })
  }

  /**
   * Marks a one-time URL as used. True for exactly one caller per token; every later
   * (or simultaneous) caller gets false. The mark is kept until `forgetAfter`, by which
   * time the token itself has expired.
   */
  async consumeToken(tokenHash: string, now: number, forgetAfter: number): Promise<boolean> {
    // RETURNING yields a row only for the insert that happened (the cursor is lazy, so
    // reading it is what runs the statement).
    const won =
      this.ctx.storage.sql
        .exec(
          'INSERT INTO consumed_tokens (token_hash, consumed_at, forget_after) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING token_hash',
          tokenHash,
          now,
          forgetAfter,
        )
        .toArray().length === 1
    if (won) {
      // `now` and `forgetAfter` are the service's clock; an alarm is set in real time.
      const at = Date.now() + Math.max(0, forgetAfter - now)
      const alarm = await this.ctx.storage.getAlarm()
      if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at)
    }
    return won
  }

  async wasTokenConsumed(tokenHash: string): Promise<boolean> {
    return (
      this.ctx.storage.sql
        .exec('SELECT 1 FROM consumed_tokens WHERE token_hash = ?', tokenHash)
        .toArray().length > 0
    )
  }

  /**
   * Forgets marks of tokens that have long expired; wakes again for the next one. Expiry is
   * judged by the service's clock, as the token's own is: a development clock days behind
   * real time must not forget the mark of a URL that is still valid by that clock.
   */
  override async alarm() {
    const now = await serviceNow(this.env)
    this.ctx.storage.sql.exec('DELETE FROM consumed_tokens WHERE forget_after <= ?', now)
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>('SELECT MIN(forget_after) AS at FROM consumed_tokens')
      .one().at
    if (next !== null) await this.ctx.storage.setAlarm(Date.now() + Math.max(0, next - now))
  }
}
