// `npm run totp`: the current code of the demo console accounts' TOTP secret (or of a
// secret given as the argument), for trying the console without an authenticator app.
// Development only: a real member's secret lives in their app, never in a terminal.
import { DEMO_TOTP_SECRET } from '../src/db/demo.ts'
import { totpCode } from '../src/security/totp.ts'

const secret = process.argv[2] ?? DEMO_TOTP_SECRET
const now = Date.now()
const left = 30 - (Math.floor(now / 1000) % 30)
console.log(
  `${await totpCode(secret, now)}  (valid for ${left} more seconds; each code works once)`,
)
