import { HttpMic, type Mic } from './adapters/mic'
import { localMicFor } from './adapters/mic/localMic'
import type { PaymentProvider } from './adapters/payments'
import { SandboxProvider } from './adapters/payments/sandbox'
import { sandboxGatewayFor } from './adapters/payments/sandboxGateway'
import { recordingMailer, transportFor, type Mailer } from './adapters/mail/mailer'
import { database, type Db } from './db'
import type { Clock } from './domain/time'
import type { StudentDesk } from './durable/studentDesk'
import { clockFor } from './flows/clock'

/**
 * What every entry point (a request, the queue consumer, the cron, a Durable Object)
 * works with, built from the bindings in one place.
 */
export interface Services {
  db: Db
  clock: Clock
  devMode: boolean
  mailer: Mailer
  mic: Mic
  desks: DurableObjectNamespace<StudentDesk>
}

export const servicesFor = async (env: Env): Promise<Services> => {
  const db = database(env.DB)
  const devMode = env.APP_ENV === 'development'
  const clock = await clockFor(db, devMode)
  return {
    db,
    clock,
    devMode,
    mailer: recordingMailer({ db, clock, transport: transportFor(env), keepBodies: devMode }),
    mic: micFor(env),
    desks: env.STUDENT_DESK,
  }
}

/** M.I.C. over HTTP: the real endpoint, or the local twin when MIC_TRANSPORT is "local". */
export const micFor = (env: Env): Mic => {
  const timeoutMs = Number(env.MIC_TIMEOUT_MS) || 8000
  if (env.MIC_TRANSPORT === 'local') {
    const twin = localMicFor(env.LOCAL_MIC)
    return new HttpMic({
      baseUrl: 'https://mic.local',
      apiKey: env.MIC_API_KEY,
      timeoutMs,
      fetcher: (req) => twin.fetch(req),
    })
  }
  // Unconfigured, every call is 'unavailable': credits wait and retry rather than pages failing.
  const configured = env.MIC_TRANSPORT === 'http' && Boolean(env.MIC_API_URL)
  return new HttpMic({
    baseUrl: env.MIC_API_URL || 'https://mic.invalid',
    apiKey: env.MIC_API_KEY,
    timeoutMs,
    fetcher: (req) =>
      configured
        ? fetch(req)
        : Promise.reject(new Error('M.I.C. is not configured (MIC_TRANSPORT, MIC_API_URL)')),
  })
}

/**
 * The payment gateway. The sandbox gateway is served by this Worker under
 * /sandbox-gateway on the student's own origin, so its pages and how-tos are links there.
 */
export const providerFor = (env: Env, origin: string): PaymentProvider => {
  if (env.PAYMENT_PROVIDER !== 'sandbox')
    throw new Error(`Unknown PAYMENT_PROVIDER: ${env.PAYMENT_PROVIDER}`)
  const gateway = sandboxGatewayFor(env.SANDBOX_GATEWAY)
  return new SandboxProvider({
    baseUrl: `${origin}/sandbox-gateway`,
    apiKey: env.PAYMENT_API_KEY,
    webhookSecret: env.PAYMENT_WEBHOOK_SECRET,
    fetcher: (req) => gateway.fetch(req),
  })
}
