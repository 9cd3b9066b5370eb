/**
 * The console's TOTP secrets at rest: AES-256-GCM through WebCrypto, under a key from the
 * `TOTP_KEYS` Worker secret, so a copy of D1 alone produces no member's codes.
 *
 * `TOTP_KEYS` holds one or more keys, `id:key` separated by commas, each key 32 random
 * bytes in base64url (`openssl rand -base64 32 | tr '+/' '-_' | tr -d '='`). The first is
 * the current one: every new value is sealed under it. The others only open what was sealed
 * under them, until re-sealed (at the member's next sign-in, and by the cron's pass), which
 * is how a key is rotated: put a new key first, keep the old one after it until no value
 * names it, then drop it.
 *
 * A sealed value is `v1.<key id>.<iv>.<ciphertext>` (base64url), the key id beside the
 * value. The member's address is authenticated with it (GCM's additional data), so a value
 * copied onto another member's row does not open. Values written before encryption (bare
 * base32) are still read, and re-sealed on first use.
 *
 * No relative imports: the demo seed (Node) seals with this module too.
 */

const VERSION = 'v1'
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/
const SEALED = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/
const PLAIN = /^[A-Z2-7]+=*$/

export interface TotpKeys {
  /** The id new values are sealed under. */
  current: string
  keys: Map<string, CryptoKey>
}

const fromBase64Url = (text: string) => {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0))
}

const toBase64Url = (bytes: Uint8Array) => {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const parsed = new Map<string, Promise<TotpKeys>>()

/** The keys of a `TOTP_KEYS` value (parsed once per isolate); throws when it is unusable. */
export const totpKeys = (config: string | undefined): Promise<TotpKeys> => {
  const text = config?.trim() ?? ''
  let keys = parsed.get(text)
  if (!keys) {
    keys = parseKeys(text)
    parsed.set(text, keys)
    // A failed parse is not kept: the next request reads the configuration again.
    keys.catch(() => parsed.delete(text))
  }
  return keys
}

const parseKeys = async (text: string): Promise<TotpKeys> => {
  if (!text) throw new Error('TOTP_KEYS is not set: the console cannot read its MFA secrets')
  const keys = new Map<string, CryptoKey>()
  let current: string | null = null
  for (const entry of text.split(',')) {
    const [id, material, ...rest] = entry.trim().split(':')
    if (!id || !KEY_ID.test(id) || !material || rest.length > 0 || keys.has(id))
      throw new Error('TOTP_KEYS must read id:key[,id:key…] with distinct ids')
    const raw = fromBase64Url(material)
    if (raw.length !== 32) throw new Error(`TOTP_KEYS: key ${id} is not 32 bytes`)
    keys.set(
      id,
      await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']),
    )
    current ??= id
  }
  return { current: current!, keys }
}

const context = (email: string) =>
  new TextEncoder().encode(`staff-totp|${email.trim().toLowerCase()}`)

/** `secret` (base32) sealed under the current key, for the member or invitation of `email`. */
export const sealTotpSecret = async (keys: TotpKeys, secret: string, email: string) => {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: context(email) },
    keys.keys.get(keys.current)!,
    new TextEncoder().encode(secret),
  )
  return `${VERSION}.${keys.current}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`
}

export interface OpenedTotpSecret {
  secret: string
  /** Not sealed under the current key (or not sealed at all): to be sealed again. */
  stale: boolean
}

/**
 * The base32 secret of a stored value. Throws when it cannot be opened: a key id
 * TOTP_KEYS no longer holds, a value altered or copied from another member's row.
 */
export const openTotpSecret = async (
  keys: TotpKeys,
  stored: string,
  email: string,
): Promise<OpenedTotpSecret> => {
  if (PLAIN.test(stored)) return { secret: stored, stale: true }
  const m = SEALED.exec(stored)
  if (!m) throw new Error('a stored TOTP secret has an unknown format')
  const [, id, iv, data] = m as unknown as [string, string, string, string]
  const key = keys.keys.get(id)
  if (!key) throw new Error(`a stored TOTP secret names key ${id}, which TOTP_KEYS does not hold`)
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: context(email) },
    key,
    fromBase64Url(data),
  )
  return { secret: new TextDecoder().decode(plain), stale: id !== keys.current }
}

/** Whether a stored value is sealed under the current key (nothing to do for it). */
export const isCurrentlySealed = (keys: TotpKeys, stored: string) =>
  stored.startsWith(`${VERSION}.${keys.current}.`)
