import { section } from './section.ts' // .ts: the browser tests read the wording in Node

/** 個人データの保存期間 on 大学設定; every key starts with `retention`. */
export const retention = section({
  ja: {
    retentionSection: '個人データの保存期間',
    retentionYears: '保存期間（年）',
    retentionHint:
      '卒業・退学・除籍した学生の個人データ（ユーザID、氏名、メールアドレス、証明書のPDF、送付先など）を、離籍日からこの年数が過ぎた日に削除します（1〜10年）。支払・反映の記録は、氏名なしで会計のために7年度保存します。',
    retentionPostponedHeading: '保存期間を過ぎても削除を保留している学生',
    retentionPostponedIntro:
      '次の学生は、支払待ち・反映待ち・返金手続中などのお金の動きが残っているため、削除を保留しています。完了した日の夜に削除します。',
    retentionPostponedTable: '削除を保留している学生',
    retentionUserId: 'ユーザID',
    retentionLeftOn: '離籍日',
  },
  en: {
    retentionSection: 'Retention of personal data',
    retentionYears: 'Retention period (years)',
    retentionHint:
      'Personal data of students who graduated, withdrew or were expelled (user ID, name, e-mail address, certificate PDFs, recipients …) is removed on the day this many years after they left (1–10 years). Payment and credit records stay for the accounts, without the name, for 7 fiscal years.',
    retentionPostponedHeading: 'Students past the retention period, removal postponed',
    retentionPostponedIntro:
      'Money is still on its way for these students (awaiting payment, awaiting the credit, a refund under way): their data is removed the night after it is settled.',
    retentionPostponedTable: 'Students whose removal is postponed',
    retentionUserId: 'User ID',
    retentionLeftOn: 'Left on',
  },
})
