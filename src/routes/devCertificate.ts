import { Hono } from 'hono'
import type { AppEnv } from '../context'
import type { CertificateLang } from '../domain/certificateContent'
import {
  certificateContent,
  certificateSettingsOf,
  issuerNames,
  issueNumberOf,
  newVerificationCode,
} from '../domain/certificates'
import { CERTIFICATE_TYPES, type CertificateType } from '../domain/registrar'
import { AppError } from '../errors'
import { verifyUrlOf } from '../flows/certificates'

/**
 * /_dev/certificate?user=demo0001&type=enrolment&lang=ja: one certificate drawn and signed
 * as the issue draws it (the registrar's record now, a fresh 照合番号, the university's key),
 * answered as the PDF and kept nowhere: no ledger entry, no R2 object, no row. What the
 * benchmark times as the worker's CPU per certificate (mounted by routes/dev.tsx, behind
 * its development-only guard).
 */
export const devCertificate = new Hono<AppEnv>()

const isType = (v: string): v is CertificateType =>
  (CERTIFICATE_TYPES as readonly string[]).includes(v)

devCertificate.get('/', async (c) => {
  const user = c.req.query('user') ?? ''
  const type = c.req.query('type') ?? 'enrolment'
  const lang = (c.req.query('lang') ?? 'ja') as CertificateLang
  if (!/^[\w.-]{1,64}$/.test(user) || !isType(type) || !['ja', 'en'].includes(lang))
    throw new AppError('notFound', 404)
  const deps = c.get('deps')
  const u = c.get('university')
  const r = await deps.registrar(u.id).record(user)
  if (!r.ok) return c.json({ registrar: r }, 502)
  const code = newVerificationCode()
  const issuedAt = deps.clock()
  const content = certificateContent(type, r.record, {
    lang,
    ...issuerNames(u),
    issuedAt,
    issueNumber: issueNumberOf(0, 1),
    verificationCode: code,
    verifyUrl: verifyUrlOf(new URL(c.req.url).origin, code),
    validUntil: issuedAt + certificateSettingsOf(u).validityDays * 24 * 60 * 60_000,
    recipient: null,
    sample: false,
  })
  const pdf = await deps.renderCertificate(content, u.id)
  if (!pdf) return c.json({ error: `no signing key for ${u.id}` }, 500)
  return new Response(pdf, { headers: { 'content-type': 'application/pdf' } })
})
