import { Hono, type Context } from 'hono'
import type { AppEnv } from '../context'
import { csvHeaders, toCsv } from '../domain/csv'
import { jstParts } from '../domain/time'
import { loadMyData } from '../flows/myData'
import { requireStage } from '../middleware/session'
import { MyDataPage, myDataDocument, myDataTable } from '../views/pages/myData'

type C = Context<AppEnv>

/**
 * 個人データのダウンロード: a student's own data, as JSON or CSV. Open to every status (a
 * 卒業, 退学 or 除籍 student too), only ever the logged-in student's own: nothing in the
 * path or query names a student. Not rate-limited: it reads what 申請一覧 reads, for the
 * student alone, behind the login (which is throttled), and changes nothing.
 */
export const myDataPages = new Hono<AppEnv>()
myDataPages.use('/account/data', requireStage('ready'))
myDataPages.use('/account/data.json', requireStage('ready'))
myDataPages.use('/account/data.csv', requireStage('ready'))

myDataPages.get('/account/data', (c) =>
  c.render(<MyDataPage lastLoginAt={c.get('session')!.student.lastLoginAt} />, {
    title: c.get('tr').t('myDataTitle'),
  }),
)

/** The document at the service's clock, and the file name: mydata-<ユーザID>-<JST date>. */
const documentOf = async (c: C) => {
  const { db, clock } = c.get('deps')
  const now = clock()
  const tr = c.get('tr')
  const data = await loadMyData(db, c.get('session')!.student)
  const doc = myDataDocument(tr, data, now, c.get('university').fiscalYearEndBlackouts)
  const d = jstParts(now)
  const day = `${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`
  // A ユーザID is the university's; only what is safe in a header's quoted file name stays.
  const base = `mydata-${data.userId.replace(/[^A-Za-z0-9._-]/g, '_')}-${day}`
  return { doc, base }
}

myDataPages.get('/account/data.json', async (c) => {
  const { doc, base } = await documentOf(c)
  return c.body(JSON.stringify(doc, null, 2), 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="${base}.json"`,
  })
})

myDataPages.get('/account/data.csv', async (c) => {
  const { doc, base } = await documentOf(c)
  const { header, rows } = myDataTable(c.get('tr'), doc)
  return c.body(toCsv(header, rows), 200, csvHeaders(`${base}.csv`))
})
