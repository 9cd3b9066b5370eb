// `npm run test:clocks`: the whole workerd suite again at the hours that have broken tests
// before (TEST_CLOCK_JST pins the clock the suite starts at, see vitest.config.ts): a
// month's last evening inside M.I.C.'s 23:30 stop, either side of the nightly 2:00–5:00
// stop, and inside a university's fiscal-year-end window.
import { spawnSync } from 'node:child_process'

export const CLOCKS = [
  '2026-11-30 23:45', // the last day of a month, in its 23:30–24:00 stop
  '2026-12-15 01:59', // a minute before the nightly stop
  '2026-12-15 02:00', // its first minute
  '2026-12-15 04:59', // its last minute
  '2027-03-31 21:00', // the demo university's fiscal-year-end window (20:00 – 09:00)
]

const only = process.argv.slice(2)
for (const clock of only.length > 0 ? only : CLOCKS) {
  console.log(`\n=== TEST_CLOCK_JST='${clock}' ===`)
  const run = spawnSync('vitest', ['run'], {
    stdio: 'inherit',
    env: { ...process.env, TEST_CLOCK_JST: clock },
  })
  if (run.status !== 0) {
    console.error(`tests failed with TEST_CLOCK_JST='${clock}'`)
    process.exit(run.status ?? 1)
  }
}
