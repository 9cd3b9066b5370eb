// Certificate contents for the PDF's tests and for scripts/certificatePreview.ts: an
// enrolment certificate in each language for 髙橋 﨑子 (two characters outside JIS levels 1–2)
// and a transcript long enough for two pages.
import type { CertificateContent, CertificateLang } from '../src/domain/certificateContent'

const LABELS: Record<CertificateLang, CertificateContent['labels']> = {
  ja: {
    issueNumber: '発行番号',
    verificationCode: '照合番号',
    validUntil: '有効期限',
    recipient: '提出先',
    verifyHint:
      'この証明書が本学の発行したものであることは、QRコードを読み取るか、https://demo.example/verify で照合番号を入力して確認できます。',
    sample: '見本',
    page: 'ページ',
  },
  en: {
    issueNumber: 'Issue No.',
    verificationCode: 'Verification code',
    validUntil: 'Valid until',
    recipient: 'To',
    verifyHint:
      'To confirm that this certificate was issued by the university, scan the QR code or enter the verification code at https://demo.example/verify.',
    sample: 'SAMPLE',
    page: 'Page',
  },
}

const common = (lang: CertificateLang) => ({
  lang,
  issuer:
    lang === 'ja'
      ? { legalName: '学校法人 デモ学園', universityName: 'デモ大学長' }
      : {
          legalName: 'Demo Gakuen Educational Foundation',
          universityName: 'President, Demo University',
        },
  issueNumber: '000123-1',
  verificationCode: 'K7QM-4XRT-9WHC-2PZD',
  verifyUrl: 'https://demo.example/verify?code=K7QM-4XRT-9WHC-2PZD',
  labels: LABELS[lang],
  sample: false,
})

export const enrolment = (lang: CertificateLang): CertificateContent =>
  lang === 'ja'
    ? {
        ...common('ja'),
        title: '在学証明書',
        fields: [
          { label: '氏名', value: '髙橋 﨑子' },
          { label: '氏名（カナ）', value: 'タカハシ サキコ' },
          { label: '生年月日', value: '2004年4月2日' },
          { label: '学籍番号', value: 'demo0001' },
          {
            label: '学部・学科',
            value: '工学部 情報工学科 知能システムコース（人工知能・データサイエンス分野）',
          },
          { label: '入学年月日', value: '2023年4月1日' },
          { label: '学年', value: '第4学年' },
        ],
        table: null,
        statement: '上記の者は、本学に在学していることを証明する。',
        issuedOn: '2026年12月6日',
        validUntil: '2027年3月6日',
        recipient: { name: '採用担当 山田 太郎 様', organisation: '株式会社サンプル商事 人事部' },
      }
    : {
        ...common('en'),
        title: 'Certificate of Enrollment',
        fields: [
          { label: 'Name', value: 'Sakiko TAKAHASHI (髙橋 﨑子)' },
          { label: 'Date of birth', value: 'April 2, 2004' },
          { label: 'Student number', value: 'demo0001' },
          {
            label: 'Faculty / Department',
            value:
              'Faculty of Engineering, Department of Information Engineering, Intelligent Systems Course (Artificial Intelligence and Data Science)',
          },
          { label: 'Date of admission', value: 'April 1, 2023' },
          { label: 'Year', value: '4th year' },
        ],
        table: null,
        statement: 'This is to certify that the above-named person is enrolled at this university.',
        issuedOn: 'December 6, 2026',
        validUntil: 'March 6, 2027',
        recipient: { name: 'Taro Yamada, Recruitment', organisation: 'Sample Trading Co., Ltd.' },
      }

const COURSES = [
  '線形代数学Ⅰ',
  '微分積分学Ⅱ',
  '情報リテラシー',
  'プログラミング演習',
  'データ構造とアルゴリズム',
  '英語コミュニケーションⅢ',
  'グローバル・コミュニケーション特別演習（英語によるプレゼンテーションとディスカッション）',
  '確率・統計',
  '計算機アーキテクチャ',
  '髙﨑記念特別講義',
]
const GRADES = ['秀', '優', '良', '可']

/** 成績証明書 with `rows` grades (course names numbered, so each row is told apart). */
export const transcript = (rows: number): CertificateContent => ({
  ...common('ja'),
  title: '成績証明書',
  fields: [
    { label: '氏名', value: '髙橋 﨑子' },
    { label: '生年月日', value: '2004年4月2日' },
    { label: '学籍番号', value: 'demo0001' },
    { label: '学部・学科', value: '工学部 情報工学科' },
  ],
  table: {
    columns: ['授業科目', '履修年度・学期', '単位', '評価'],
    numeric: [false, false, true, false],
    rows: Array.from({ length: rows }, (_, i) => [
      `${COURSES[i % COURSES.length]} 第${i + 1}回`,
      `${2023 + Math.floor(i / 24)}年度 ${i % 2 ? '後期' : '前期'}`,
      String(1 + (i % 4)),
      GRADES[i % GRADES.length]!,
    ]),
    summary: [
      {
        label: '総修得単位数',
        value: String(
          Array.from({ length: rows }, (_, i) => 1 + (i % 4)).reduce((a, b) => a + b, 0),
        ),
      },
      { label: 'GPA', value: '3.12' },
    ],
  },
  statement: '上記のとおり相違ないことを証明する。',
  issuedOn: '2026年12月6日',
  validUntil: null,
  recipient: null,
})

export const sampleOf = (c: CertificateContent): CertificateContent => ({ ...c, sample: true })
