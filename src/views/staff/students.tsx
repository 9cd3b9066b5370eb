import { useRequestContext } from '../renderer'
import type { MicFailure } from '../../adapters/mic'
import type { AppEnv, Student } from '../../context'
import { can } from '../../domain/staff'
import { formatJstDateTime } from '../../domain/time'
import type { BalanceReading } from '../../flows/charge'
import {
  STUDENT_APPLICATIONS_SHOWN,
  type LoginLocks,
  type RosterPerson,
  type studentApplications,
} from '../../flows/staff/students'
import type { ConsoleText } from '../../i18n/console'
import { ErrorSummary, Message } from '../components'
import { methodLabel } from '../pages/charge'
import { ActionForm, codedMarkup, TableWrap, When } from './components'
import { paymentShown } from './applications'
import { creditErrorSentence, creditShown, yen } from '../../flows/staff/words'

type StudentApplication = Awaited<ReturnType<typeof studentApplications>>[number]

/** Why M.I.C. gave no balance, in staff's words. */
const whyText = (ct: ConsoleText, failure: MicFailure) =>
  failure.error === 'blackout'
    ? ct('studentsMicBlackout')
    : failure.error === 'rejected'
      ? ct('studentsMicRefused')
      : ct('studentsMicUnavailable')

/** M.I.C.'s refusal as its cause (flows/staff/words.ts), its record in small type. */
const RefusalCause = ({ failure }: { failure: MicFailure }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  const cause = failure.error === 'rejected' && creditErrorSentence(ct, failure.detail, 'refused')
  return cause ? <p>{codedMarkup(ct, cause.sentence, cause.code)}</p> : null
}

/** The balance read live; when M.I.C. cannot answer, that, and the last one it gave with its time. */
const Balance = ({ reading }: { reading: BalanceReading }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  if (!reading.known)
    return (
      <Message kind="error">
        {ct('studentsBalanceUnknown', { why: whyText(ct, reading.failure) })}
        <RefusalCause failure={reading.failure} />
      </Message>
    )
  if (reading.live)
    return (
      <p class="balance" data-live="true">
        <strong>{yen(reading.balance)}</strong>{' '}
        {ct('studentsBalanceLive', { time: formatJstDateTime(reading.asOf) })}
      </p>
    )
  return (
    <div class="balance" data-live="false">
      <Message kind="error">
        {ct('studentsBalanceStale', { why: whyText(ct, reading.failure!) })}
        <RefusalCause failure={reading.failure!} />
      </Message>
      <p>
        <strong>{yen(reading.balance)}</strong>{' '}
        {ct('studentsBalanceAsOf', { time: formatJstDateTime(reading.asOf) })}
      </p>
    </div>
  )
}

/**
 * Where a student's page is: an account's by its id; a roster person who never logged in by
 * university and user ID (that address leads to the account's page once there is one).
 */
export const studentPath = (p: {
  accountId: number | null
  universityId?: string
  userId?: string
}) =>
  p.accountId !== null
    ? `/staff/students/${p.accountId}`
    : `/staff/people/${encodeURIComponent(p.universityId!)}/${encodeURIComponent(p.userId!)}`

/**
 * Which lock a caller has, each in a sentence with what to tell the student: the account
 * lock (lifted here), the student's own browsers (ending by themselves at a stated time), or
 * none; and ログインロック解除 when the member may do it.
 */
const LockSection = ({ locks, base }: { locks: LoginLocks; base: string }) => {
  const c = useRequestContext<AppEnv>()
  const ct = c.get('ct')
  const { account, devices } = locks
  const locked = account.lockedUntil !== null
  return (
    <section aria-labelledby="student-lock">
      <h2 id="student-lock">{ct('studentsLockHeading')}</h2>
      <div class="lock-state" data-locked={String(locked)} data-device-locked={String(!!devices)}>
        {locked && (
          <p>
            <strong>
              {ct('studentsAccountLocked', {
                until: formatJstDateTime(account.lockedUntil!),
                failures: account.failures,
              })}
            </strong>{' '}
            {ct('studentsAccountLockedLift')}
          </p>
        )}
        {devices && (
          <p>
            <strong>
              {ct('studentsDeviceLocked', {
                until: formatJstDateTime(devices.until),
                count: devices.count,
              })}
            </strong>{' '}
            {ct('studentsDeviceLockedEnds', { until: formatJstDateTime(devices.until) })}
            {!locked && <> {ct('studentsDeviceLockedOther')}</>}
          </p>
        )}
        {devices && !locked && <p>{ct('studentsAccountNotLocked')}</p>}
        {!devices && !locked && <p>{ct('studentsNoLock')}</p>}
        {!locked && account.failures > 0 && account.windowStartedAt !== null && (
          <p>
            {ct('studentsFailures', {
              since: formatJstDateTime(account.windowStartedAt),
              failures: account.failures,
            })}
          </p>
        )}
      </div>
      <p class="hint">{ct('studentsNetworkNote')}</p>
      {can(c.get('staff')!, 'unlockLogin') && (
        <p>
          <a class="button" href={`${base}/unlock`}>
            {ct('studentsUnlock')}
          </a>
        </p>
      )}
    </section>
  )
}

/** Who the page is about, as 学生 and a roster person's page both begin (inside a dl.facts). */
const WhoFacts = ({
  who,
  universityName,
}: {
  who: { userId: string; nameKana: string }
  universityName: string | null
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <>
      {universityName && (
        <>
          <dt>{ct('university')}</dt>
          <dd>{universityName}</dd>
        </>
      )}
      <dt>{ct('studentsUserId')}</dt>
      <dd>{who.userId}</dd>
      <dt>{ct('studentsNameKana')}</dt>
      <dd>{who.nameKana}</dd>
    </>
  )
}

export interface StudentPageProps {
  student: Student
  /** The university's name, shown to the call centre, which serves every university. */
  universityName: string | null
  reading: BalanceReading
  locks: LoginLocks
  applications: StudentApplication[]
  done: 'unlock' | 'sessions' | null
}

/** 学生: who the student is, their M.I.C. balance, login lock, sessions and applications. */
export const StudentPage = ({
  student,
  universityName,
  reading,
  locks,
  applications,
  done,
}: StudentPageProps) => {
  const c = useRequestContext<AppEnv>()
  const ct = c.get('ct')
  const tr = c.get('tr')
  const member = c.get('staff')!
  const base = `/staff/students/${student.id}`
  return (
    <>
      {done && (
        <Message kind="success">
          {ct(done === 'unlock' ? 'studentsUnlockDone' : 'studentsEndSessionsDone')}
        </Message>
      )}
      <section aria-labelledby="student-profile">
        <h2 id="student-profile">{ct('studentsProfile')}</h2>
        <dl class="facts">
          <WhoFacts who={student} universityName={universityName} />
          <dt>{ct('studentsEmail')}</dt>
          <dd>{student.email ?? ct('studentsNotRegistered')}</dd>
          <dt>{ct('studentsLastLogin')}</dt>
          <dd>
            <When ms={student.lastLoginAt} />
          </dd>
          <dt>{ct('studentsCurrentLogin')}</dt>
          <dd>
            <When ms={student.currentLoginAt} />
          </dd>
        </dl>
      </section>

      <section aria-labelledby="student-balance">
        <h2 id="student-balance">{ct('studentsBalanceHeading')}</h2>
        <Balance reading={reading} />
      </section>

      <LockSection locks={locks} base={base} />

      <section aria-labelledby="student-sessions">
        <h2 id="student-sessions">{ct('studentsSessionsHeading')}</h2>
        <p>{ct('studentsSessionsNote')}</p>
        {can(member, 'endSessions') && (
          <p>
            <a class="button" href={`${base}/end-sessions`}>
              {ct('studentsEndSessions')}
            </a>
          </p>
        )}
      </section>

      <section aria-labelledby="student-applications">
        <h2 id="student-applications">{ct('studentsApplications')}</h2>
        {applications.length === 0 ? (
          <p>{ct('studentsNoApplications')}</p>
        ) : (
          <>
            {applications.length >= STUDENT_APPLICATIONS_SHOWN && (
              <p>{ct('studentsApplicationsShown', { n: STUDENT_APPLICATIONS_SHOWN })}</p>
            )}
            <TableWrap label={ct('studentsApplications')}>
              <table class="student-applications">
                <thead>
                  <tr>
                    <th scope="col">{ct('studentsColId')}</th>
                    <th scope="col">{ct('studentsColCreated')}</th>
                    <th scope="col">{ct('studentsColAmount')}</th>
                    <th scope="col">{ct('studentsColMethod')}</th>
                    <th scope="col">{ct('studentsColStatus')}</th>
                    <th scope="col">{ct('studentsColCredit')}</th>
                  </tr>
                </thead>
                <tbody>
                  {applications.map((a) => (
                    <tr>
                      <td>
                        <a href={`/staff/applications/${a.id}`}>{a.id}</a>
                      </td>
                      <td>
                        <When ms={a.createdAt} />
                      </td>
                      <td class="num">{yen(a.amount)}</td>
                      <td>{methodLabel(tr, a.paymentMethod)}</td>
                      <td>{paymentShown(ct, tr, a)}</td>
                      <td>{creditShown(ct, a)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </>
        )}
      </section>
    </>
  )
}

/** A roster person who never logged in: who they are, and the login lock they may have. */
export const RosterPersonPage = ({
  person,
  universityName,
  locks,
  done,
}: {
  person: RosterPerson
  universityName: string | null
  locks: LoginLocks
  done: boolean
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <>
      {done && <Message kind="success">{ct('studentsUnlockDone')}</Message>}
      <section aria-labelledby="student-profile">
        <h2 id="student-profile">{ct('studentsProfile')}</h2>
        <dl class="facts">
          <WhoFacts who={person} universityName={universityName} />
        </dl>
        <p>{ct('studentsRosterOnly')}</p>
      </section>
      <LockSection locks={locks} base={studentPath(person)} />
    </>
  )
}

/** The confirmation step of ログインロック解除 or 全セッション終了: what it does, and a reason. */
export const StudentActionPage = ({
  student,
  base,
  action,
  reasonError,
}: {
  student: Pick<Student, 'userId' | 'nameKana'>
  /** The student's page (an account's, or a roster person's). */
  base: string
  action: 'unlock' | 'sessions'
  reasonError?: string
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  return (
    <>
      <ErrorSummary errors={reasonError ? { reason: { text: reasonError } } : {}} />
      <p>
        {ct(action === 'unlock' ? 'studentsUnlockExplain' : 'studentsEndSessionsExplain', {
          userId: student.userId,
        })}
      </p>
      <dl class="facts">
        <dt>{ct('studentsUserId')}</dt>
        <dd>{student.userId}</dd>
        <dt>{ct('studentsNameKana')}</dt>
        <dd>{student.nameKana}</dd>
      </dl>
      <ActionForm
        action={`${base}/${action === 'unlock' ? 'unlock' : 'end-sessions'}`}
        label={ct(action === 'unlock' ? 'studentsUnlock' : 'studentsEndSessions')}
        reasonError={reasonError}
      />
      <p>
        <a href={base}>{ct('studentsBackToStudent')}</a>
      </p>
    </>
  )
}
