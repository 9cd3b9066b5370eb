// Password hashing for the scripts that write local data (the demo seed, the benchmark's
// fixtures), in the format hashSecret() in src/security/crypto.ts writes and reads.
import { createHmac, pbkdf2, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'

export const ITERATIONS = 100_000 // the same as src/security/crypto.ts: the Workers maximum
const pbkdf2Async = promisify(pbkdf2)

/** A variable from .dev.vars (which scripts/dev-vars.sh writes from .dev.vars.example). */
export const readDevVar = (name: string) => {
  const vars = existsSync('.dev.vars') ? readFileSync('.dev.vars', 'utf8') : ''
  const m = vars.match(new RegExp(`^${name}\\s*=\\s*"?([^"\\n]*)"?`, 'm'))
  if (!m) throw new Error(`${name} is missing from .dev.vars (copy .dev.vars.example)`)
  return m[1]!
}

export const readPepper = () => readDevVar('PEPPER')

export const hashSecret = async (secret: string, pepper: string) => {
  const salt = randomBytes(16)
  const pre = createHmac('sha256', pepper).update(secret).digest()
  const derived = await pbkdf2Async(pre, salt, ITERATIONS, 32, 'sha256')
  return `pbkdf2-sha256$${ITERATIONS}$${salt.toString('base64url')}$${derived.toString('base64url')}`
}

/** A value as an SQL literal. */
export const sqlValue = (v: string | number | null) =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`

/**
 * The demo universities' certificate signing keys and certificates (CERT_SIGNING_KEY_<ID>,
 * CERT_SIGNING_CERT_<ID>) from .dev.vars.example, where they are kept as demo material, with
 * their \n turned into line breaks as wrangler reads them: for the tests and the scripts.
 */
export const demoSigningVars = (): Record<string, string> => {
  const example = readFileSync(new URL('../.dev.vars.example', import.meta.url), 'utf8')
  const vars: Record<string, string> = {}
  for (const m of example.matchAll(/^(CERT_SIGNING_(?:KEY|CERT)_\w+)="([^"]*)"$/gm))
    vars[m[1]!] = m[2]!.replace(/\\n/g, '\n')
  return vars
}
