import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertInsideViewport } from './a11y.ts'
import { assertFits, launch, PHONE } from './browser.ts'

/**
 * The layout check itself, on pages written here (no service needed): it must fail on what
 * a phone showed of 申請完了 before (a value squeezed beside a long label, one character a
 * line) and on a page that scrolls sideways, at whichever phone width that happens, and
 * pass a page that fits, with its hidden and short texts.
 */

let browser: Browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const FONT = `body { margin: 0; font: 16px/1.6 'Noto Sans CJK JP', sans-serif } main { padding: 1rem }`
/** 申請完了's numbers as the old stylesheet laid them out: the label's column took the row. */
const SQUEEZED = `
  <style>${FONT} dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem }
    dd { margin: 0; min-width: 0; overflow-wrap: anywhere }</style>
  <main><dl>
    <dt>お支払い番号</dt><dd>847691612795</dd>
    <dt>お支払い方法の案内（決済代行会社のページ）</dt><dd><a href="#">お支払い方法の案内（決済代行会社のページ）</a></dd>
  </dl></main>`

const page = async (html: string, width = PHONE.width): Promise<Page> => {
  const p = await browser.newPage({ viewport: { ...PHONE, width } })
  await p.setContent(html)
  return p
}
const failure = async (p: Page) => {
  try {
    await assertFits(p, 'the page')
  } catch (e) {
    return String((e as Error).message)
  }
  return null
}

describe('the layout check (assertFits)', () => {
  it('fails on a value squeezed into a column a few pixels wide, naming it', async () => {
    const message = await failure(await page(SQUEEZED, 1280))
    assert.ok(message, 'a squeezed value passed')
    assert.match(message, /at 320 px text is squeezed: dd "847691612795": \d+ lines/)
    assert.match(message, /at 414 px text is squeezed: dd "847691612795"/)
    // At the desktop width the same page fits.
    assert.doesNotMatch(message, /at 1280 px/)
  })

  it('fails on text wrapped a character a line in a box narrower than two characters', async () => {
    const html = `<style>${FONT} p { width: 12px; overflow-wrap: anywhere }</style><main><p>2026/12/14 12:00</p></main>`
    assert.match((await failure(await page(html))) ?? '', /p "2026\/12\/14 12:00": \d+ lines of/)
  })

  it('fails on a number that runs out of a box narrower than two characters', async () => {
    const html = `<style>${FONT} p { width: 12px; white-space: nowrap }</style><main><p>9585</p></main>`
    assert.match((await failure(await page(html))) ?? '', /p "9585": \d+ px of text in a box 12 px/)
  })

  it('fails on a page that scrolls sideways at one of the phone widths', async () => {
    const html = `<style>${FONT} .wide { width: 370px }</style><main><div class="wide">x</div></main>`
    const message = (await failure(await page(html, 1280))) ?? ''
    assert.match(message, /at 320 px it scrolls sideways: div\.wide \(right edge/)
    assert.match(message, /at 375 px it scrolls sideways/)
    assert.doesNotMatch(message, /at (390|414|1280) px/)
  })

  it('passes a page that fits, with short cells, hidden text and its own width restored', async () => {
    const html = `
      <style>${FONT} .sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
        clip: rect(0 0 0 0) } td { width: 2rem }</style>
      <main><h1>申請情報 詳細</h1><span class="sr">画面の読み上げだけに聞こえる長い説明文</span>
        <table><tr><th>数量</th><td>1部</td></tr></table>
        <p>お支払い番号 847691612795 を控えて、お支払い期限までにお支払いください。</p>
        <details><summary>メニュー</summary><p style="width: 4px">閉じていて見えない長い文</p></details>
      </main>`
    const p = await page(html, 1280)
    assert.equal(await failure(p), null)
    assert.deepEqual(p.viewportSize(), { ...PHONE, width: 1280 })
  })
})

/** The ☰ menu as it was at 320 px: a 14rem list anchored to the right of a button near the left. */
const MENU_OFF_LEFT = `
  <style>${FONT} header { display: flex; flex-wrap: wrap; padding: .6rem 1rem }
    details { position: relative } ul { position: absolute; right: 0; min-width: 14rem; margin: 0 }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%) }</style>
  <header><p style="flex-basis: 100%">デモ大学</p>
    <details open><summary>☰ メニュー</summary><ul><li>メールアドレス変更</li></ul></details></header>
  <main><span class="sr">読み上げだけの列名</span><p>2026/12/06</p></main>`

describe('the viewport check (assertInsideViewport)', () => {
  it('fails on the ☰ menu running off the left edge, naming it', async () => {
    const p = await page(MENU_OFF_LEFT, 320)
    await assert.rejects(
      assertInsideViewport(p, 'the menu'),
      /ul \(-\d+\.\.\d+ px of 320\): メールアドレス変更/,
    )
  })

  it('fails on a date split over two lines', async () => {
    const p = await page(
      `<style>${FONT} p { width: 4.5em; overflow-wrap: anywhere }</style><main><p>2026/12/06</p></main>`,
      320,
    )
    await assert.rejects(assertInsideViewport(p, 'a date'), /"2026\/12\/06" is split over 2 lines/)
  })

  it('passes the same page with the menu inside and a text for screen readers only', async () => {
    const inside = MENU_OFF_LEFT.replace('right: 0;', 'right: auto; left: 0;')
    await assertInsideViewport(await page(inside, 320), 'the menu')
  })
})
