import { HttpMic, type Mic } from './adapters/mic'
import { HttpRegistrar, type Registrar } from './adapters/registrar'
import type { PaymentProvider } from './adapters/payments'
import { KomojuProvider } from './adapters/payments/komoju'
import { recordingMailer, transportFor, type Mailer } from './adapters/mail/mailer'
import { database, type Db } from './db'
import type { CertificateContent } from './domain/certificateContent'
import type { Clock } from './domain/time'
import { signerFor } from './security/pdfSignature'
import { certificatePdf } from './views/pdf/certificatePdf'
import { certificateFont } from './views/pdf/fontAsset'
import type { University } from './domain/university'
import { clockFor } from './flows/clock'
import type { Desks } from './flows/desks'

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
  desks: Desks
  /** The university's payment gateway account; null when its keys are not configured. */
  payments: (u: Pick<University, 'gatewayAccount'>) => PaymentProvider | null
  /** The university's registrar system (学務システム). */
  registrar: (universityId: string) => Registrar
  /** Where issued certificates (signed PDFs) are kept. */
  certificatesBucket: R2Bucket
  /** A certificate drawn as a PDF and signed with the university's key (null: it has none). */
  renderCertificate: (
    content: CertificateContent,
    universityId: string,
  ) => Promise<Uint8Array | null>
}

export const servicesFor = async (env: Env): Promise<Services> =>
  servicesWith(env, await clockFor(database(env.DB), env.APP_ENV === 'development'))

/** The services with a clock already chosen (a request's: flows/clock.ts requestClock). */
export const servicesWith = (env: Env, clock: Clock): Services => {
  const db = database(env.DB)
  const devMode = env.APP_ENV === 'development'
  return {
    db,
    clock,
    devMode,
    mailer: recordingMailer({ db, clock, transport: transportFor(env), keepBodies: devMode }),
    mic: micFor(env),
    desks: env.STUDENT_DESK,
    payments: (u) => paymentsFor(env, u.gatewayAccount),
    registrar: (universityId) => registrarFor(env, universityId),
    certificatesBucket: env.CERTIFICATES,
    renderCertificate: (content, universityId) => renderCertificateFor(env, content, universityId),
  }
}

/**
 * A certificate as a signed PDF: the font from the static assets, the university's signing
 * key from its secrets. Null when the university has no signing key: nothing unsigned is
 * ever issued.
 */
const renderCertificateFor = async (
  env: Env,
  content: CertificateContent,
  universityId: string,
) => {
  const signer = await signerFor(env, universityId)
  if (!signer && !content.sample) return null
  return certificatePdf(content, await certificateFont(env.ASSETS), signer, new Date())
}

/**
 * M.I.C. over HTTP at MIC_API_URL, the same code path everywhere (locally it is the twin
 * in twins/mic). Unconfigured, every call is "unavailable": credits wait and retry.
 */
export const micFor = (env: Env): Mic => {
  const configured = Boolean(env.MIC_API_URL && env.MIC_API_KEY)
  return new HttpMic({
    baseUrl: env.MIC_API_URL || 'https://mic.invalid',
    apiKey: env.MIC_API_KEY ?? '',
    timeoutMs: Number(env.MIC_TIMEOUT_MS) || 8000,
    fetcher: (req) =>
      configured
        ? fetch(req)
        : Promise.reject(new Error('M.I.C. is not configured (MIC_API_URL, MIC_API_KEY)')),
  })
}

/**
 * A university's registrar over HTTP at REGISTRAR_API_URL (locally the twin in
 * twins/registrar), with its key, the secret REGISTRAR_API_KEY_<UNIVERSITY>. No URL: every
 * call is "unavailable" (issuing waits); a URL but no key: "misconfigured" (staff must look).
 */
export const registrarFor = (env: Env, universityId: string): Registrar => {
  const url = env.REGISTRAR_API_URL
  return new HttpRegistrar({
    baseUrl: url || 'https://registrar.invalid',
    universityId,
    apiKey:
      (env as unknown as Record<string, string | undefined>)[
        secretName('REGISTRAR_API_KEY', universityId, true)
      ] ?? '',
    timeoutMs: Number(env.REGISTRAR_TIMEOUT_MS) || 8000,
    fetcher: (req) =>
      url
        ? fetch(req)
        : Promise.reject(new Error('the registrar is not configured (REGISTRAR_API_URL)')),
  })
}

/**
 * The secret's name for a gateway account: KOMOJU_SECRET_KEY, or KOMOJU_SECRET_KEY_<NAME>;
 * `always` suffixes even "default" (keys held per university).
 */
export const secretName = (base: string, account: string, always = false) =>
  account === 'default' && !always
    ? base
    : `${base}_${account.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`

/**
 * KOMOJU for one merchant account. Each university is its own merchant; without both of
 * its keys nothing is opened and no webhook is believed.
 */
export const paymentsFor = (env: Env, account: string): PaymentProvider | null => {
  const secrets = env as unknown as Record<string, string | undefined>
  const secretKey = secrets[secretName('KOMOJU_SECRET_KEY', account)]
  const webhookSecret = secrets[secretName('KOMOJU_WEBHOOK_SECRET', account)]
  if (!secretKey || !webhookSecret) return null
  return new KomojuProvider({
    apiUrl: env.KOMOJU_API_URL || 'https://komoju.com',
    secretKey,
    webhookSecret,
  })
}
