// `npm run test:clocks`: the test files whose outcome can depend on the clock, again at the
// clocks that have broken tests before (TEST_CLOCK_JST pins the clock a run starts at, see
// vitest.config.ts): a month's last evening inside M.I.C.'s 23:30 stop, either side of the
// nightly 2:00–5:00 stop, and inside a university's fiscal-year-end window. Files that
// read and move no clock run once, in `npm test`; `TEST_CLOCK_JST=… npm test` still runs
// the whole suite at one clock.
//
//   node scripts/testClocks.ts                      every clock
//   node scripts/testClocks.ts '2026-12-15 02:00'   only the clocks given
//   node scripts/testClocks.ts --check              only check that every test file is classified
import { spawnSync } from 'node:child_process'
import { globSync, readFileSync } from 'node:fs'

export const CLOCKS = [
  '2026-11-30 23:45', // the last day of a month, in its 23:30–24:00 stop
  '2026-12-15 01:59', // a minute before the nightly stop
  '2026-12-15 02:00', // its first minute
  '2026-12-15 04:59', // its last minute
  '2027-03-31 21:00', // the demo university's fiscal-year-end window (20:00 – 09:00)
]

/** Test files whose outcome can depend on the clock they start at, and how. */
export const TIME_DEPENDENT: Record<string, string> = {
  'test/integration/cash-refund.test.ts':
    'refund requests decided later, the hourly look, the cron',
  'test/integration/certificates.test.ts':
    'the registrar waited out, certificates expiring, the yearly limit, clock moves',
  'test/integration/chaos.test.ts': 'credit backoff and retries through the cron, clock moves',
  'test/integration/charge.test.ts': 'stop windows, store payment deadlines, the cron',
  'test/integration/console-access.test.ts': 'rows stamped with the clock, pages of the hour',
  'test/integration/console-admin.test.ts': 'stop-window settings, invitation expiry, deadlines',
  'test/integration/console-applications.test.ts': 'timelines, next credit times, the cron',
  'test/integration/console-approval.test.ts':
    'invitations and sign-ins with TOTP codes of the hour',
  'test/integration/console-certificates.test.ts':
    'orders stamped with the service clock, certificates valid or expired by it',
  'test/integration/console-auth.test.ts': 'idle and absolute session limits, invitations',
  'test/integration/console-fuzz.test.ts': 'an invitation valid 25 minutes by the service clock',
  'test/integration/console-reconcile.test.ts': 'JST days, the nightly run, clock moves',
  'test/integration/console-totp.test.ts': "TOTP codes of the hour, the cron's sealing pass",
  'test/integration/console-triage.test.ts': '30-minute alerts, the 48-hour chart, stop windows',
  'test/integration/crediting.test.ts': 'stop windows, backoff, the cron',
  'test/integration/komoju.test.ts': 'store payment deadlines, clock moves',
  'test/integration/login.test.ts': 'idle sessions, login locks',
  'test/integration/model.test.ts': 'random clock jumps, crons, stop windows, deadlines',
  'test/integration/money-back.test.ts': 'stop windows, retries, holds, the cron, clock moves',
  'test/integration/money.test.ts': 'deadlines, backoff, holds, the cron, clock moves',
  'test/integration/next-request.test.ts':
    "a stop window around the service clock's now, set and then seen on the チャージ page",
  'test/integration/onboarding.test.ts': 'one-time URLs expiring, the desk forgetting them',
  'test/integration/platform.test.ts': 'the cron, the desk alarm',
  'test/integration/registrar.test.ts':
    "the registrar twin's clock moved into its nightly window and across an academic year",
  'test/integration/registrar-sync.test.ts':
    "the nightly sync's slot (03:00 JST) on the service clock, the registrar's own window",
  'test/integration/retention.test.ts':
    'leavers removed on the JST day their retention period ends, in the nightly hour; records after 7 fiscal years',
  'test/integration/student-words-window.test.ts':
    "a payment in the nightly stop: the times said on お支払い完了, in チャージ完了 and on the チャージ page's banner",
}

/**
 * Time-dependent files that need not run at every clock, with the clocks they do run at and
 * why: each repetition costs CI minutes (the whole run must stay under 50).
 */
export const FEWER_CLOCKS: Record<string, { clocks: readonly string[]; why: string }> = {
  'test/integration/certificates.test.ts': {
    clocks: ['2026-11-30 23:45', '2027-03-31 21:00'],
    why: "issuing plays no part in M.I.C.'s stop windows (the registrar's own window is set by the tests); run where the day and where the academic year turn during the run",
  },
  'test/integration/console-certificates.test.ts': {
    clocks: ['2026-11-30 23:45'],
    why: 'rows stamped with the service clock, no stop window or deadline in it; once where the day turns during the run',
  },
  'test/integration/registrar.test.ts': {
    clocks: ['2027-03-31 21:00'],
    why: "sets the twin's clock itself wherever time matters (its nightly window, the academic year); once at the fiscal year's end",
  },
  // The console's sign-in, invitations and TOTP, and the student's one-time URLs: what the
  // clock decides there is expiry and the hour's codes, never M.I.C.'s stop windows. The three
  // nightly clocks are the same night for them; the day's and the fiscal year's turns are kept.
  ...Object.fromEntries(
    [
      'test/integration/console-access.test.ts',
      'test/integration/console-approval.test.ts',
      'test/integration/console-auth.test.ts',
      'test/integration/console-fuzz.test.ts',
      'test/integration/console-totp.test.ts',
      'test/integration/onboarding.test.ts',
    ].map((file) => [
      file,
      {
        clocks: ['2026-11-30 23:45', '2027-03-31 21:00'],
        why: "expiry and the hour's codes, no stop window: run where the day and the fiscal year turn",
      },
    ]),
  ),
  // Pages that show a stop window (the menu's balance, the settings of stop windows, the
  // nightly reconciliation) but send no credit through one: one clock inside the nightly stop.
  ...Object.fromEntries(
    [
      'test/integration/login.test.ts',
      'test/integration/console-admin.test.ts',
      'test/integration/console-reconcile.test.ts',
    ].map((file) => [
      file,
      {
        clocks: ['2026-11-30 23:45', '2026-12-15 02:00', '2027-03-31 21:00'],
        why: 'stop windows shown, none crossed by a credit: once inside the nightly stop, and where the day and the fiscal year turn',
      },
    ]),
  ),
  // Console pages that show credits and their times: where a credit meets a stop window they
  // put it there themselves (nextJst, setClock). The nightly stop's edges (a minute before,
  // the last minute) are the desk's, repeated by crediting, money, charge and chaos.
  ...Object.fromEntries(
    [
      'test/integration/console-applications.test.ts',
      'test/integration/console-triage.test.ts',
    ].map((file) => [
      file,
      {
        clocks: ['2026-11-30 23:45', '2026-12-15 02:00', '2027-03-31 21:00'],
        why: 'places its own stop window; once inside the nightly stop, and where the day and the fiscal year turn',
      },
    ]),
  ),
  'test/integration/next-request.test.ts': {
    clocks: ['2026-12-15 02:00'],
    why: "its one stop window is placed around the clock's now, wherever that is; once inside the nightly stop, where the チャージ page is stopped before the window too and only the window's end tells",
  },
  'test/integration/student-words-window.test.ts': {
    clocks: ['2026-12-15 01:59'],
    why: 'sets the clock itself to the next 01:55 and 02:10; where the run starts changes nothing, once',
  },
  'test/integration/registrar-sync.test.ts': {
    clocks: ['2026-12-15 01:59'],
    why: "sets the service's clock itself for the nightly sync and the twin's windows by instants; once, a minute before the night's stop",
  },
  'test/integration/retention.test.ts': {
    clocks: ['2026-11-30 23:45'],
    why: 'sets the service clock to fixed JST instants itself (the day before, the day, the hour, the fiscal years); where the run starts changes nothing, once where the day turns',
  },
  'test/integration/model.test.ts': {
    clocks: ['2026-11-30 23:45', '2027-03-31 21:00'],
    why: 'each run already starts at a random day and jumps the clock at random, through the nightly stop too; the month-end and fiscal-year-end starts are the ones a random start rarely lands in',
  },
}

/**
 * Test files that read and move no clock (checked below, by what their text calls), and
 * why their outcome does not depend on where TEST_CLOCK_JST starts. `atNoon()` is allowed:
 * a file that begins there starts at noon JST whatever the pinned clock says.
 */
export const CLOCK_FREE: Record<string, string> = {
  'test/integration/console-search.test.ts':
    'starts at noon; lock times are read from the rows it made, no time rule decides anything',
  'test/integration/console-reads.test.ts':
    'the console reads at fixed instants given as parameters; moves and reads no clock',
  'test/integration/console-words.test.ts':
    'starts at noon (atNoon) and moves no clock: causes, states and counts read in words',
  'test/unit/certificates.test.ts': 'pure rules given fixed instants and records',
  'test/unit/charge.test.ts': 'pure rules given fixed instants',
  'test/unit/domain.test.ts': 'pure rules, no time',
  'test/unit/creditCause.test.ts': 'records read as causes, no time',
  'test/unit/bankAccount.test.ts': 'pure checks of bank account fields, no time',
  'test/unit/passwords.test.ts': 'password hashes against fixed vectors, no time',
  'test/unit/roundTrips.test.ts': 'round trips counted in the order of events, never by time',
  'test/unit/totp.test.ts': 'TOTP codes at fixed instants (RFC vectors), no clock',
  'test/integration/catalogues.test.ts':
    'reads the catalogue asset and renders the login page, no time',
  'test/integration/leavers.test.ts':
    'starts at noon; statuses and legacy hashes, no time rule (one credit away from any stop)',
  'test/integration/account.test.ts': 'credential changes; its URLs are used at once',
  'test/integration/certificate-pdf.test.ts': 'PDFs made at a fixed signing time, no clock read',
  'test/integration/console-audit.test.ts':
    'starts at noon; audit entries, differences and applications written with fixed times',
  'test/integration/console-events.test.ts': 'starts at noon; unmatched events, no time rules',
  'test/integration/console-retry.test.ts':
    'starts at noon; 再チャージ and refunds through the twins, no clock moved (a held credit is shown, never waited for)',
  'test/integration/english.test.ts':
    'starts at noon; English pages and mails, one charge credited at once, no time rule',
  'test/integration/console-universities.test.ts':
    "starts at noon; the operator's pages, checks and suspension have no time rules",
  'test/integration/fuzz.test.ts': 'starts at noon; bad input changes nothing',
  'test/integration/my-data.test.ts':
    'rows with fixed times; certificates valid until a day long past (期限切れ at any clock)',
  'test/integration/rules.test.ts': 'rows with fixed times',
  'test/integration/security.test.ts': 'headers, CSRF, sessions ended by credential changes',
  'test/integration/roster-fuzz.test.ts': 'bad and hostile roster files; no time rule in them',
  'test/integration/roster.test.ts':
    'roster imports stamped with the clock; no time rule decides anything in them',
  'test/integration/student-words.test.ts':
    "starts at noon; a refused credit, a retry's mails and login tries, no stop window crossed",
}

/** What reading or moving the service's clock looks like in a test file. */
const CLOCK_USE =
  /\b(?:setClock|nextJst|testNow|serviceClockNow|serviceNow|setDevClockOffset|runCron|scheduled|createScheduledController|runDurableObjectAlarm|TEST_CLOCK_\w+|Date\.now|performance\.now)\b|\bnew Date\(\s*\)/

/** The test files `vitest run` runs (vitest.config.ts `include`). */
const testFiles = () => globSync(['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts']).sort()

/** Every way the two lists disagree with the test files on disk: empty when all is well. */
export const classificationProblems = (files = testFiles()) => {
  const problems: string[] = []
  for (const file of files) {
    const time = file in TIME_DEPENDENT
    const free = file in CLOCK_FREE
    if (time && free) problems.push(`${file} is in both TIME_DEPENDENT and CLOCK_FREE`)
    if (!time && !free)
      problems.push(
        `${file} is in neither list: add it to TIME_DEPENDENT (repeated at every clock) or, if it reads and moves no clock, to CLOCK_FREE with the reason`,
      )
    if (free) {
      const use = CLOCK_USE.exec(readFileSync(file, 'utf8'))
      if (use)
        problems.push(
          `${file} is listed as CLOCK_FREE but uses "${use[0]}": move it to TIME_DEPENDENT`,
        )
    }
  }
  for (const file of [...Object.keys(TIME_DEPENDENT), ...Object.keys(CLOCK_FREE)])
    if (!files.includes(file)) problems.push(`${file} is listed but is not a test file`)
  for (const [file, { clocks }] of Object.entries(FEWER_CLOCKS)) {
    if (!(file in TIME_DEPENDENT))
      problems.push(`${file} has FEWER_CLOCKS but is not TIME_DEPENDENT`)
    for (const clock of clocks)
      if (!CLOCKS.includes(clock)) problems.push(`${file}: ${clock} is not one of CLOCKS`)
  }
  return problems
}

const problems = classificationProblems()
if (problems.length > 0) {
  console.error(
    `scripts/testClocks.ts: test files not classified by time:\n- ${problems.join('\n- ')}`,
  )
  process.exit(1)
}

const args = process.argv.slice(2)
if (!args.includes('--check')) {
  const clocks = args.length > 0 ? args : CLOCKS
  const all = Object.keys(TIME_DEPENDENT)
  console.log(
    `${all.length} time-dependent test files at ${clocks.length} clocks (${Object.keys(FEWER_CLOCKS).length} of them at fewer, see FEWER_CLOCKS; ${Object.keys(CLOCK_FREE).length} clock-free files run once, in npm test)`,
  )
  for (const clock of clocks) {
    // A clock asked for by name runs every file; the default list skips where FEWER_CLOCKS says.
    const files =
      args.length > 0 ? all : all.filter((f) => FEWER_CLOCKS[f]?.clocks.includes(clock) ?? true)
    console.log(`\n=== TEST_CLOCK_JST='${clock}' (${files.length} files) ===`)
    const started = Date.now()
    const run = spawnSync('vitest', ['run', ...files], {
      stdio: 'inherit',
      env: { ...process.env, TEST_CLOCK_JST: clock },
    })
    console.log(`=== ${clock}: ${Math.round((Date.now() - started) / 1000)} s ===`)
    if (run.status !== 0) {
      console.error(`tests failed with TEST_CLOCK_JST='${clock}'`)
      process.exit(run.status ?? 1)
    }
  }
}
