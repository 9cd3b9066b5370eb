import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db'
import { directoryPeople } from '../../db/schema'
import type { StudentStatus } from '../../domain/roster'
import { DUMMY_HASH, hashSecret, verifySecret } from '../../security/crypto'
import { verifyLegacyPassword } from '../../security/legacyPasswords'
import { recognisePasswordHash } from '../../security/passwordFormats'

/** A person as the university's directory knows them. */
export interface DirectoryPerson {
  userId: string
  nameKana: string
  /** 在学, 休学, 卒業, 退学, 除籍: what the person may still do (domain/roster.ts). */
  status: StudentStatus
}

/** The university's directory: who may log in with which university password. */
export interface Directory {
  /** The person when the ID and password match, otherwise null (never says which was wrong). */
  authenticate(
    universityId: string,
    userId: string,
    password: string,
  ): Promise<DirectoryPerson | null>
}

/**
 * A directory kept in D1, loaded from the university's roster (an upload, the registrar, or
 * the seed). An unknown ID, and a person with no password yet, cost the same PBKDF2 work as
 * a known one, so timing reveals nothing.
 *
 * A roster may carry a hash in a format the university's own directory exported ({SSHA},
 * bcrypt, PBKDF2: security/passwordFormats.ts). The first login that verifies one replaces
 * it with the service's own peppered hash, so a leaked legacy hash stops being useful.
 */
export class D1Directory implements Directory {
  constructor(
    private readonly db: Db,
    private readonly pepper: string,
  ) {}

  async authenticate(universityId: string, userId: string, password: string) {
    const where = and(
      eq(directoryPeople.universityId, universityId),
      eq(directoryPeople.userId, userId),
    )
    const person = await this.db.select().from(directoryPeople).where(where).get()
    const stored = person?.passwordHash ?? null
    const format = stored ? recognisePasswordHash(stored) : null
    if (!person || !stored || !format?.ok || format.format === 'service') {
      // The service's own hash; or nothing usable (no person, no password, a hash we cannot
      // verify), which costs what a real check costs and fails.
      const ok = await verifySecret(password, format?.ok ? stored! : DUMMY_HASH, this.pepper)
      return person && ok ? found(person) : null
    }
    if (!(await verifyLegacyPassword(password, stored))) return null
    // Only if the row still holds the hash just verified: a roster applied meanwhile wins.
    await this.db
      .update(directoryPeople)
      .set({ passwordHash: await hashSecret(password, this.pepper) })
      .where(and(where, eq(directoryPeople.passwordHash, stored)))
      .run()
    return found(person)
  }
}

const found = (p: typeof directoryPeople.$inferSelect): DirectoryPerson => ({
  userId: p.userId,
  nameKana: p.nameKana,
  status: p.status,
})
