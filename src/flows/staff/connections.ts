import { PaymentProviderError } from '../../adapters/payments'
import type { University } from '../../domain/university'
import { micFor, paymentsFor, registrarFor, secretName } from '../../services'

/**
 * 接続確認: the operator's check of a university's three outside connections, each with the
 * secrets configured for it, through the same adapters the service uses (services.ts), so
 * a check that says OK is the path a payment, a credit or a certificate takes. A result
 * names a missing secret, never a value; nothing of it is stored (the page shows it once).
 */
export const CONNECTIONS = ['komoju', 'mic', 'registrar'] as const
export type Connection = (typeof CONNECTIONS)[number]

export const isConnection = (v: unknown): v is Connection =>
  typeof v === 'string' && (CONNECTIONS as readonly string[]).includes(v)

export type ConnectionCheck =
  /** The system answered with these secrets and knows the university. */
  | { status: 'ok' }
  /** Secrets (or settings) to configure, by name: nothing was called. */
  | { status: 'missing'; names: string[] }
  /** The system refused the key. */
  | { status: 'refused' }
  /** The key works but the system does not know this university. */
  | { status: 'unknown' }
  /** No answer, a timeout or a server error. */
  | { status: 'unreachable'; detail: string }

/** The secrets and settings each connection reads, by name, for this university. */
export const connectionSecrets = (
  connection: Connection,
  u: Pick<University, 'id' | 'gatewayAccount'>,
): string[] => {
  switch (connection) {
    case 'komoju':
      return [
        secretName('KOMOJU_SECRET_KEY', u.gatewayAccount),
        secretName('KOMOJU_WEBHOOK_SECRET', u.gatewayAccount),
      ]
    case 'mic':
      return ['MIC_API_URL', 'MIC_API_KEY']
    case 'registrar':
      return ['REGISTRAR_API_URL', secretName('REGISTRAR_API_KEY', u.id, true)]
  }
}

const missingOf = (env: Env, names: readonly string[]) => {
  const values = env as unknown as Record<string, unknown>
  return names.filter((n) => typeof values[n] !== 'string' || values[n] === '')
}

/** How long a check waits for each system: the page must answer even if one hangs. */
const CHECK_TIMEOUT_MS = 5000

/**
 * Checks one connection of a university. KOMOJU: both of its account's secrets are set and
 * KOMOJU accepts the secret key (a one-minute payment list; the webhook secret can only be
 * proved by a signed webhook, so its presence is what is checked). M.I.C.: the key is
 * accepted and M.I.C. serves the university. The registrar: `ping` with the university's key.
 */
export const checkConnection = async (
  env: Env,
  u: Pick<University, 'id' | 'gatewayAccount'>,
  connection: Connection,
  now: number,
): Promise<ConnectionCheck> => {
  const missing = missingOf(env, connectionSecrets(connection, u))
  if (missing.length > 0) return { status: 'missing', names: missing }
  switch (connection) {
    case 'komoju': {
      const provider = paymentsFor(env, u.gatewayAccount)
      if (!provider) return { status: 'missing', names: connectionSecrets(connection, u) }
      try {
        await Promise.race([
          provider.listPayments({ from: now - 60_000, to: now }),
          new Promise((_, reject) =>
            setTimeout(
              () => reject(new PaymentProviderError('no answer in time')),
              CHECK_TIMEOUT_MS,
            ),
          ),
        ])
        return { status: 'ok' }
      } catch (e) {
        if (e instanceof PaymentProviderError && (e.status === 401 || e.status === 403))
          return { status: 'refused' }
        return { status: 'unreachable', detail: e instanceof Error ? e.message : String(e) }
      }
    }
    case 'mic': {
      const r = await micFor({ ...env, MIC_TIMEOUT_MS: String(CHECK_TIMEOUT_MS) }).university(u.id)
      if (r.ok) return { status: 'ok' }
      if (r.error === 'unauthorized') return { status: 'refused' }
      if (r.error === 'rejected') return { status: 'unknown' }
      return { status: 'unreachable', detail: 'detail' in r ? r.detail : 'in a stop window' }
    }
    case 'registrar': {
      const r = await registrarFor(
        { ...env, REGISTRAR_TIMEOUT_MS: String(CHECK_TIMEOUT_MS) },
        u.id,
      ).ping()
      if (r.ok) return { status: 'ok' }
      // The registrar answers 401 both for a wrong key and for a university it does not
      // serve (it tells a caller nothing about other universities): the page says both.
      if (r.error === 'misconfigured') return { status: 'refused' }
      if (r.error === 'maintenance') return { status: 'unreachable', detail: 'maintenance' }
      return { status: 'unreachable', detail: 'detail' in r ? r.detail : '' }
    }
  }
}
