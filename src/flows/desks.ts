/**
 * The students' desks (one StudentDesk Durable Object per student) as the rest of the
 * service reaches them. The binding's type comes from `wrangler types`, so nothing here
 * imports the desk: the desk depends on the flows it runs, and no flow depends back on it.
 */
export type Desks = Env['STUDENT_DESK']

/** The desk of one student of one university. */
export const deskFor = (ns: Desks, universityId: string, studentId: number) =>
  ns.getByName(`${universityId}/${studentId}`)
