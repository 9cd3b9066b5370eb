import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db'
import { directoryPeople } from '../../db/schema'
import { DUMMY_HASH, verifySecret } from '../../security/crypto'

/** A person as the university's directory knows them. */
export interface DirectoryPerson {
  userId: string
  nameKana: string
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
 * A directory kept in D1, loaded from the university's export (here: the seed).
 * An unknown ID costs the same PBKDF2 work as a known one, so timing reveals nothing.
 */
export class D1Directory implements Directory {
  constructor(
    private readonly db: Db,
    private readonly pepper: string,
  ) {}

  async authenticate(universityId: string, userId: string, password: string) {
    const person = await this.db
      .select()
      .from(directoryPeople)
      .where(
        and(eq(directoryPeople.universityId, universityId), eq(directoryPeople.userId, userId)),
      )
      .get()
    const ok = await verifySecret(password, person?.passwordHash ?? DUMMY_HASH, this.pepper)
    return person && ok ? { userId: person.userId, nameKana: person.nameKana } : null
  }
}
