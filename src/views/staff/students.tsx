import { useRequestContext } from '../renderer'
import type { MicFailure } from '../../adapters/mic'
import type { AppEnv, Student } from '../../context'
import { can } from '../../domain/staff'
import { formatJstDateTime } from '../../domain/time'
import type { BalanceReading } from '../../flows/charge'
import {
  STUDENT_APPLICATIONS_SHOWN,
  type LoginLockState,
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

const LockState = ({ lock }: { lock: LoginLockState }) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  if (lock.lockedUntil !== null)
    return (
      <p class="lock-state" data-locked="true">
        {ct('studentsLocked', {
          until: formatJstDateTime(lock.lockedUntil),
          failures: lock.failures,
        })}
      </p>
    )
  return (
    <p class="lock-state" data-locked="false">
      {ct('studentsNotLocked')}
      {lock.failures > 0 && lock.windowStartedAt !== null && (
        <>
          {' '}
          {ct('studentsFailures', {
            since: formatJstDateTime(lock.windowStartedAt),
            failures: lock.failures,
          })}
        </>
      )}
    </p>
  )
}

export interface StudentPageProps {
  student: Student
  /** The university's name, shown to the call centre, which serves every university. */
  universityName: string | null
  reading: BalanceReading
  lock: LoginLockState
  applications: StudentApplication[]
  done: 'unlock' | 'sessions' | null
}

/** 学生: who the student is, their M.I.C. balance, login lock, sessions and applications. */
export const StudentPage = ({
  student,
  universityName,
  reading,
  lock,
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
          {universityName && (
            <>
              <dt>{ct('university')}</dt>
              <dd>{universityName}</dd>
            </>
          )}
          <dt>{ct('studentsUserId')}</dt>
          <dd>{student.userId}</dd>
          <dt>{ct('studentsNameKana')}</dt>
          <dd>{student.nameKana}</dd>
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

      <section aria-labelledby="student-lock">
        <h2 id="student-lock">{ct('studentsLockHeading')}</h2>
        <LockState lock={lock} />
        <p class="hint">{ct('studentsDeviceNote')}</p>
        {can(member, 'unlockLogin') && (
          <p>
            <a class="button" href={`${base}/unlock`}>
              {ct('studentsUnlock')}
            </a>
          </p>
        )}
      </section>

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

/** The confirmation step of ログインロック解除 or 全セッション終了: what it does, and a reason. */
export const StudentActionPage = ({
  student,
  action,
  reasonError,
}: {
  student: Student
  action: 'unlock' | 'sessions'
  reasonError?: string
}) => {
  const ct = useRequestContext<AppEnv>().get('ct')
  const base = `/staff/students/${student.id}`
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
