import { describe, expect, it } from 'vitest'
import { checkBankAccount, HOLDER_MAX, toZenginKana } from '../../src/domain/bankAccount'

describe('口座名義 in Zengin kana', () => {
  it('writes katakana, hiragana and half-width kana as half-width katakana with their voiced marks', () => {
    expect(toZenginKana('ヤマダ　ハナコ')).toBe('ﾔﾏﾀﾞ ﾊﾅｺ')
    expect(toZenginKana('やまだ はなこ')).toBe('ﾔﾏﾀﾞ ﾊﾅｺ')
    expect(toZenginKana('ﾔﾏﾀﾞ ﾊﾅｺ')).toBe('ﾔﾏﾀﾞ ﾊﾅｺ')
    expect(toZenginKana('パン ポップ')).toBe('ﾊﾟﾝ ﾎﾟﾂﾌﾟ')
  })
  it('turns small kana into large ones and the long vowel into a hyphen, as banks register names', () => {
    expect(toZenginKana('キャノン')).toBe('ｷﾔﾉﾝ')
    expect(toZenginKana('ジョー')).toBe('ｼﾞﾖ-')
  })
  it('takes Latin letters and digits in either width, in capitals', () => {
    expect(toZenginKana('ｓｍｉｔｈ john 2')).toBe('SMITH JOHN 2')
    expect(toZenginKana('カ)テスト')).toBe('ｶ)ﾃｽﾄ')
  })
  it('refuses what has no place in Zengin: kanji, other symbols, nothing at all', () => {
    expect(toZenginKana('山田 花子')).toBeNull()
    expect(toZenginKana('ヤマダ＠')).toBeNull()
    expect(toZenginKana('　')).toBeNull()
  })
})

describe('a bank account to refund to', () => {
  const good = {
    bank_code: '0005',
    bank_name: 'テスト銀行',
    branch_code: '001',
    branch_name: '',
    account_type: 'savings',
    account_number: '１２３',
    account_holder: 'ヤマダ ハナコ',
  }
  it('pads a short account number to 7 digits and reads full-width digits', () => {
    const r = checkBankAccount(good)
    expect(r).toEqual({
      ok: true,
      account: {
        bankCode: '0005',
        bankName: 'テスト銀行',
        branchCode: '001',
        branchName: null,
        accountType: 'savings',
        accountNumber: '0000123',
        accountHolder: 'ﾔﾏﾀﾞ ﾊﾅｺ',
      },
    })
  })
  it('names every bad field at once', () => {
    const r = checkBankAccount({
      bank_code: '５',
      bank_name: ' ',
      branch_code: '1234',
      account_type: 'ordinary',
      account_number: '12345678',
      account_holder: 'ア'.repeat(HOLDER_MAX + 1),
    })
    expect(r).toEqual({
      ok: false,
      problems: {
        bank_code: 'bankCode',
        bank_name: 'required',
        branch_code: 'branchCode',
        account_type: 'accountType',
        account_number: 'accountNumber',
        account_holder: 'holderTooLong',
      },
    })
  })
  it('counts a voiced mark as a character of its own, as Zengin does', () => {
    expect(checkBankAccount({ ...good, account_holder: 'ガ'.repeat(15) }).ok).toBe(true)
    expect(checkBankAccount({ ...good, account_holder: 'ガ'.repeat(16) }).ok).toBe(false)
  })
})
