import { randomId, type Merchant } from './model'

// How KOMOJU delivers one webhook attempt. The outbox (which events, when, how often)
// lives in the Durable Object; this file is only the wire format.

export const MAX_FAILURES = 20
const TIMEOUT_MS = 10_000

/** 5 s, 10 s, 20 s, … doubling per failed attempt, never more than an hour apart. */
export const backoffMs = (failures: number) => Math.min(3_600_000, 5_000 * 2 ** (failures - 1))

/** Lowercase hex HMAC-SHA256 of the exact body bytes, as in `X-Komoju-Signature`. */
export const sign = async (secret: string, body: string) => {
  const enc = new TextEncoder()
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(body)))
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')
}

export interface Attempt {
  /** This POST's X-Komoju-ID: every delivery has its own, retries and copies included. */
  deliveryId: string
  ok: boolean
  status: number | null
  error: string | null
}

/**
 * POSTs the stored body, byte for byte, to the merchant's webhook. Only a 2xx counts:
 * redirects are not followed (KOMOJU does not), and a hang is cut off after 10 s.
 * X-Komoju-ID is KOMOJU's "unique ID of the webhook delivery", a delivery being one POST
 * (its docs): a new one each time, never the event's id, so a receiver that deduplicated by
 * this header would handle a retried event twice.
 */
export const post = async (
  merchant: Merchant | undefined,
  event: { id: string; type: string; body: string },
): Promise<Attempt> => {
  const deliveryId = randomId(25)
  if (!merchant)
    return { deliveryId, ok: false, status: null, error: 'merchant is no longer configured' }
  try {
    const res = await fetch(merchant.webhookUrl, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Komoju-Webhook',
        'X-Komoju-ID': deliveryId,
        'X-Komoju-Event': event.type,
        'X-Komoju-Signature': await sign(merchant.webhookSecret, event.body),
      },
      body: event.body,
    })
    await res.body?.cancel()
    const ok = res.status >= 200 && res.status < 300
    return { deliveryId, ok, status: res.status, error: ok ? null : `HTTP ${res.status}` }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err)
    return { deliveryId, ok: false, status: null, error }
  }
}
