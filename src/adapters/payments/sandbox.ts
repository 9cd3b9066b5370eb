import type { PaymentMethod } from '../../domain/paymentMethods'
import type { Fetcher } from '../mic'
import {
  providerEvent,
  PaymentProviderError,
  type CreatedPayment,
  type CreatePayment,
  type PaymentProvider,
  type VerifiedNotification,
} from './index'
import { SIGNATURE_HEADER, verifyNotificationSignature } from './signature'

/**
 * The merchant side of the sandbox gateway (./sandboxGateway.tsx): the same calls a real
 * hosted-payment gateway's client makes, over HTTP.
 */
export class SandboxProvider implements PaymentProvider {
  readonly id = 'sandbox'
  constructor(
    private readonly opts: {
      baseUrl: string
      apiKey: string
      webhookSecret: string
      fetcher: Fetcher
    },
  ) {}

  async createPayment(input: CreatePayment): Promise<CreatedPayment> {
    const res = await this.opts
      .fetcher(
        new Request(`${this.opts.baseUrl}/api/payments`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.opts.apiKey}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ ...input, merchantRef: String(input.applicationId) }),
        }),
      )
      .catch((e: unknown) => {
        throw new PaymentProviderError(`sandbox gateway unreachable: ${String(e)}`)
      })
    const json = (await res.json().catch(() => null)) as Partial<CreatedPayment> | null
    if (
      !res.ok ||
      !json ||
      typeof json.paymentId !== 'string' ||
      typeof json.redirectUrl !== 'string' ||
      typeof json.deadline !== 'number'
    ) {
      throw new PaymentProviderError(`sandbox gateway refused the payment: HTTP ${res.status}`)
    }
    return {
      paymentId: json.paymentId,
      redirectUrl: json.redirectUrl,
      paymentNumber: json.paymentNumber ?? null,
      deadline: json.deadline,
    }
  }

  howToUrl(method: PaymentMethod) {
    return `${this.opts.baseUrl}/howto/${method}`
  }

  async verifyNotification(
    rawBody: string,
    headers: Headers,
    now: number,
  ): Promise<VerifiedNotification> {
    // Without a secret anyone could sign: refuse everything until one is configured.
    if (!this.opts.webhookSecret) return { ok: false, reason: 'not_configured', status: 401 }
    const check = await verifyNotificationSignature(
      this.opts.webhookSecret,
      headers.get(SIGNATURE_HEADER),
      rawBody,
      now,
    )
    if (!check.ok)
      return {
        ok: false,
        reason: check.reason,
        status: check.reason === 'bad_signature' || check.reason === 'stale' ? 401 : 400,
      }
    let json: unknown
    try {
      json = JSON.parse(rawBody)
    } catch {
      return { ok: false, reason: 'malformed_body', status: 400 }
    }
    const event = providerEvent.safeParse(json)
    if (!event.success) return { ok: false, reason: 'malformed_body', status: 400 }
    return { ok: true, event: event.data, signature: check.signature }
  }
}
