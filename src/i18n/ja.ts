/**
 * The Japanese catalogue: every string a student sees. Labels follow the student manual
 * (M.I.C.オンラインチャージ 利用マニュアル) word for word.
 */
export const ja = {
  langName: '日本語',
  serviceName: '証明書発行サービス',
  skipToContent: '本文へ移動',
  menu: 'メニュー',
  switchLanguage: 'English',
  notes: '注意事項',
  notesMustRead: '！注意事項は必ずお読みください',
  ok: 'OK',
  back: '戻る',
  errorSummary: '入力内容を確認してください。',
  required: '{field}を入力してください。',
  tooLong: '{field}は{max}文字以内で入力してください。',

  // Contact (§5)
  contactHeading: 'お問い合わせ',
  contactHours: '受付時間 {hours}',

  // A university suspended by the operator (運用者): every student page
  suspendedTitle: 'ただいまご利用いただけません',
  suspendedLead:
    '{university}のこのサービスは、現在停止しています。ログイン、チャージ、証明書の申請はできません。',
  suspendedPaid:
    'お支払い済みのお金は失われません。停止前にお支払いいただいたチャージは、通常どおりM.I.C.に入金されます。コンビニ・ペイジーでのお支払いがまだの申請は、お支払い期限まではお支払いいただけ、お支払いいただければ入金されます。',
  suspendedContact: 'ご不明な点は、下記のお問い合わせ先までご連絡ください。',

  // 2.3 Login
  loginTitle: '在学生ログイン',
  userId: 'ユーザID',
  password: 'パスワード',
  secondPassword: '第2パスワード',
  loginButton: 'ログイン',
  forgotSecondPasswordLink: '第2パスワードを忘れた場合',
  loginNotes: [
    '大学で利用している「ユーザID」および「パスワード」を入力してください。',
    '初回ログイン時は「第2パスワード」を空欄のままログインしてください。メールアドレスの登録と第2パスワードの設定に進みます。',
    '2回目以降は、設定した「第2パスワード」も入力してください。',
  ],
  loginFailed: 'ユーザID、パスワード、または第2パスワードが正しくありません。',
  loginLocked:
    'ログインに続けて失敗したため、一時的にログインを制限しています。{time} 以降にもう一度お試しください。',
  loggedOut: 'ログアウトしました。',
  sessionExpired: '一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。',
  manualLink: 'マニュアル',

  // 2.1 Email registration
  emailSetupTitle: 'メールアドレス設定',
  emailAddress: 'メールアドレス',
  emailConfirm: '確認',
  confirmButton: '確認',
  emailNotes: [
    '「確認」ボタンを押すと、指定のメールアドレスに確認メールが送信されます。',
    '確認メールに記載されたURLにアクセスし、メールアドレスの設定を完了して下さい。',
    '確認メールの送信までには、少々時間がかかる場合があります。',
    'フリーメールアドレスの場合、確認メールを受信出来ない可能性があります。',
  ],
  emailAllowList:
    '※迷惑メールフィルタ等で、確認メールを受信出来ない場合があります。事前に、許可リストへ以下のアドレスを追加するようにして下さい。',
  emailAllowListAddress: 'アドレス: {address}',
  emailNotArrived: '30分経っても確認メールが届かない場合は、以下をご確認下さい。',
  emailNotArrivedChecks: [
    'メールアドレスの入力が正しいか。',
    '余分なスペース等を誤って入力していないか。',
    '半角英数文字で入力しているか。',
    '迷惑メールフィルタ許可リストへ追加したメールアドレスが正しいか。',
  ],
  emailSent:
    '確認メールを送信しました。確認メールに記載されたURLにアクセスし、メールアドレスの設定を完了してください。',
  emailSendFailed:
    'メールを送信できませんでした。しばらくしてからもう一度お試しください。解決しない場合はお問い合わせ先までご連絡ください。',
  emailInvalid: 'メールアドレスの形式が正しくありません。',
  emailNotHalfWidth: 'メールアドレスは半角英数字で入力してください。',
  emailMismatch: 'メールアドレスと確認が一致しません。',
  emailSetDoneTitle: 'メールアドレス設定完了',
  emailSetDone: [
    'メールアドレスを設定しました。',
    '今後、システムからの連絡はこのメールアドレス宛に送信されます。',
    'メールアドレスはログイン後のメニューから変更可能です。',
  ],
  goToLogin: 'ログインページへ移動',

  // 2.4 (a) Email change
  emailChangeTitle: 'メールアドレス変更',
  newEmailAddress: '新しいメールアドレス',
  currentEmailAddress: '現在のメールアドレス',
  emailChangeSameAsCurrent: '現在のメールアドレスと同じです。',
  emailChangeSecondPasswordHint:
    '本人確認のため入力してください。変更が完了すると、ほかの端末やブラウザでのログインは終了します。',
  emailChangeSent:
    '確認メールを送信しました。確認メールに記載されたURLにアクセスし、メールアドレスの変更を完了してください。',
  emailChangedTitle: 'メールアドレス変更完了',
  emailChanged: [
    'メールアドレスを変更しました。',
    '今後、システムからの連絡はこのメールアドレス宛に送信されます。',
  ],
  goToMenu: 'メニューへ移動',

  // One-time URLs
  linkInvalidTitle: 'URLが無効です',
  linkExpired:
    'このURLは有効期限（30分）が切れているか、正しくありません。お手数ですが、もう一度手続きをやり直してください。',
  linkUsed: 'このURLは既に使用されています。URLは一度だけ使用できます。',
  linkAskAgainLogin: 'ログインしてメールアドレス設定をやり直す',
  linkAskAgainForgot: '第2パスワードの再設定をもう一度申し込む',
  linkAskAgainEmailChange: 'ログインしてメールアドレス変更をやり直す',

  // 2.2 Second password
  secondPasswordSetupTitle: '第2パスワード設定',
  secondPasswordConfirm: '確認',
  setButton: '設定',
  secondPasswordSetupNotes: [
    'セキュリティ向上の為、第2パスワードを設定してください。',
    '次回ログイン時より、パスワードと併せて第2パスワードも入力してください。',
    '第2パスワードはログイン後のメニューから変更可能です。',
  ],
  secondPasswordRulesIntro: '第2パスワードは下記ルールに従い設定してください。',
  ruleMinLength: '8文字以上であること。',
  ruleUpper: '1文字以上の半角英大文字(A-Z)が含まれること。',
  ruleLower: '1文字以上の半角英小文字(a-z)が含まれること。',
  ruleDigit: '1文字以上の半角数字(0-9)が含まれること。',
  ruleOnlyAlnum: '半角英数字以外を含まないこと。',
  ruleNotUniversityPassword: '※大学で利用しているパスワードは設定しないでください。',
  secondPasswordBrokenRules: '{field}が次のルールを満たしていません。',
  secondPasswordMismatch: '{field}と確認が一致しません。',
  secondPasswordIsUniversityPassword:
    '大学で利用しているパスワードは第2パスワードに設定できません。別のパスワードを設定してください。',
  secondPasswordSameAsCurrent:
    '新しい第2パスワードは現在の第2パスワードと異なるものにしてください。',
  doneTitle: '変更完了',
  secondPasswordSet: '第2パスワードが設定されました',

  // 2.4 (b) Second password change
  secondPasswordChangeTitle: '第2パスワード変更',
  currentSecondPassword: '現在の第2パスワード',
  newSecondPassword: '新しい第2パスワード',
  changeButton: '変更',
  currentSecondPasswordWrong: '現在の第2パスワードが正しくありません。',
  secondPasswordChanged: '第2パスワードは変更されました',

  // 2.4 (c) Forgotten second password
  forgotTitle: '第2パスワードを忘れた場合',
  forgotIntro: '第2パスワードの再設定を行うため、登録しているメールアドレスを入力してください。',
  forgotNotes: [
    '「送信」ボタンを押すと、登録されているメールアドレス宛に第2パスワード再設定用のURLが送信されます。',
    'URLの有効期限は30分です。期限内に再設定を完了してください。',
    'メールが届かない場合は、迷惑メールフィルタの設定をご確認ください。',
  ],
  sendButton: '送信',
  forgotSent:
    '入力されたメールアドレスが登録されている場合は、第2パスワード再設定用のURLを記載したメールを送信しました。メールに記載されたURLにアクセスし、30分以内に再設定を完了してください。',
  resetTitle: '第2パスワード再設定',
  resetFor: 'ユーザID: {userId}',

  // Menu (2.3, 3)
  menuTitle: 'メニュー選択',
  lastLogin: '前回ログイン日時',
  lastLoginNone: 'なし（初回ログイン）',
  menuCharge: 'M.I.C.チャージ',
  // Leavers (卒業 / 退学 / 除籍): what their status still allows (domain/roster.ts).
  menuChargeClosed: '卒業されたため、ご利用いただけません',
  chargeClosed: [
    '卒業されたため、M.I.C.チャージはご利用いただけません。',
    '申請一覧（これまでの申請、お支払い・返金の状況）、証明書の申請、メールアドレスと第2パスワードの変更は、引き続きご利用いただけます。',
  ],
  chargeNotAllowed:
    'M.I.C.チャージは在学中・休学中の方のみご利用いただけます。申請は受け付けていません。',
  leaverNotice:
    '{status}のため、ご利用いただけるのは申請一覧（申請とお支払い・返金の状況、返金の手続き）と、ご自身のデータのダウンロードのみです。',
  leaverPageClosed: 'お探しのページはご利用いただけません。',
  leaverStatus_withdrawn: '退学',
  leaverStatus_expelled: '除籍',
  menuApplications: '申請一覧',
  menuEmailChange: 'メールアドレス変更',
  menuSecondPasswordChange: '第2パスワード変更',
  menuManual: 'マニュアル',
  logout: 'ログアウト',
  loggedInAs: '{name} 様（{userId}）',

  // Payment methods (4.1 順序3)
  pm_credit_card: 'クレジットカード決済',
  pm_cvs_seven_eleven: 'コンビニ現金払い（セブンイレブン）',
  pm_cvs_familymart: 'コンビニ現金払い（ファミリーマート）',
  pm_cvs_lawson: 'コンビニ現金払い（ローソン）',
  pm_payeasy: 'Pay-easy決済',
  pm_d_barai: 'd払い',
  pm_au_kantan: 'auかんたん決済',
  pm_softbank_matomete: 'ソフトバンクまとめて支払い',
  pm_apple_pay: 'Apple Pay',
  pm_paypay: 'PayPay',
  pm_merpay: 'メルペイ',

  // 4.1 Charge
  yen: '{amount}円',
  next: '進む',
  chargeTitle: 'チャージ',
  currentBalance: '現在の残高',
  balanceNotAvailable: '確認できません',
  balanceCap: '残高上限額',
  chargeable: 'チャージできる金額',
  chargeHeading: 'チャージ',
  chargeAmount: 'チャージ金額',
  chargeAmountYen: 'チャージ金額（円）',
  chargeAmountHint: '{min}円以上、{step}円単位で入力してください。',
  chargeNotes: [
    '設定されている残高上限額を超えない金額を入力してください。お支払い前・M.I.C.への反映前の申請の金額も含めて計算します。',
    'M.I.C.への反映は、お支払いの1分後以降となります。「M.I.C.」にて最新残高が反映されていることを確認し、発行機などで購入をしてください。',
    'M.I.C.オンラインチャージ連携停止時間：①毎日2:00～5:00　②毎月末の23:30～24:00　③年度末（別途ホームページなどで周知します）。この間に申請されたチャージは、停止時間の終了後に反映されます。',
    'コンビニ現金払い・Pay-easy決済は、お支払い期限までにお支払いください。お支払い後にM.I.C.へチャージします。',
  ],
  chargeNoteCap: '残高上限額：{cap}円',
  balanceStale: 'M.I.C.に接続できないため、{time} 時点の残高を表示しています。',
  balanceUnknown:
    'M.I.C.に接続できないため、残高を確認できません。現在はチャージの申請を受け付けられません。',
  creditAfterWindow:
    'ただいまM.I.C.オンラインチャージ連携停止時間です。お支払いいただいたチャージは {time} 以降にM.I.C.へ反映されます。',
  amountNotWhole: 'チャージ金額は半角数字（円単位の整数）で入力してください。',
  amountBelowMinimum: 'チャージ金額は{min}円以上で入力してください。',
  amountNotStep: 'チャージ金額は{step}円単位で入力してください。',
  amountOverCap:
    '残高上限額を超えるため、チャージできません。チャージできる金額は{max}円までです。',
  amountNoRoom:
    '残高上限額に達しているため、現在チャージできません（お支払い待ち・反映待ちの申請を含みます）。',
  methodTitle: 'お支払い方法選択',
  chargeAmountIs: 'チャージ金額：{amount}',
  paymentMethod: 'お支払い方法',
  methodPaidLater: '（お支払い期限までに店頭・ATM等でお支払い）',
  howTo: '操作手順',
  howToFor: '{method}の操作手順',
  methodRequired: 'お支払い方法を選択してください。',
  chargeStartOver:
    '申請内容を読み取れませんでした。お手数ですが、チャージ金額の入力からやり直してください。',
  cvsNote:
    '※お支払い方法を「コンビニ現金払い」とした場合は、コンビニにてお支払い後に、「M.I.C.」へチャージを実施します。「お支払いステータス」はお支払い後に「お支払い済み」となります。',
  confirmTitle: '申請内容確認',
  balanceAfter: 'チャージ後残高',
  applicationContents: '申請内容',
  kind: '種別',
  quantity: '数量',
  amountColumn: '金額',
  total: '合計',
  copies: '{n}部',
  apply: '申請',
  appliedTitle: '申請完了',
  appliedHeading: '申請完了',
  goingToPayment: 'お支払いページに移動します',
  paymentPageUnavailable:
    'お支払いページを準備できませんでした。しばらくしてからもう一度お試しください。申請は保存されています。',
  retryPaymentPage: 'お支払いページを開く',
  applicationNumber: '発行申請番号',
  paymentNumber: 'お支払い番号',
  paymentDeadline: 'お支払い期限',
  confirmationCode: '確認番号',
  payEasyBankId: '収納機関番号',
  payEasyCustomerId: 'お客様番号',
  payEasyConfirmationId: '確認番号',
  paymentInstructions: 'お支払い方法の案内（決済代行会社のページ）',
  contactPhone: '電話番号（Pay-easy決済の場合のみ）',
  contactPhoneHint:
    'Pay-easy決済では、決済代行会社へのお届けのため電話番号が必要です（例：09012345678）。',
  contactPhoneInvalid: 'Pay-easy決済の場合は、電話番号を半角数字10桁または11桁で入力してください。',
  paymentsNotConfigured:
    'ただいまオンラインでのお支払いを受け付けていません（決済の設定が完了していません）。申請は作成されていません。大学の窓口にお問い合わせください。',
  howToTitle: '{method}の操作手順',
  howToLater: [
    '「申請」すると、お支払い番号とお支払い期限が表示されます（メールでもお知らせします）。',
    '{place}でお支払い番号を入力し、お支払い期限までにお支払いください。',
    'お支払い後、M.I.C.へチャージされ、お支払いステータスが「お支払い済み」になります。',
  ],
  howToPlaceStore: '店頭のレジまたは端末',
  howToPlacePayEasy: 'Pay-easy対応の銀行ATMまたはネットバンキング',
  howToNow: [
    '「申請」後、決済代行会社（KOMOJU）のお支払いページに移動します。',
    '内容を確認してお支払いください。やめる場合は「キャンセル」を押してください。',
    'お支払い後、このサイトに戻り「お支払い完了」が表示されます。',
  ],
  paymentDoneTitle: 'お支払い完了',
  paymentDoneHeading: 'お支払い完了',
  paymentDone: 'お支払いが正常におこなわれました。',
  paymentDoneMail: '登録しているメールアドレスに申込みの概要を記載したメールが届きます。',
  applyAgain: '続けて申請する',
  seeDetails: '明細を確認する',
  payLaterHeading: '申請を受け付けました',
  payLater:
    '次のお支払い番号で、お支払い期限までにお支払いください。お支払い番号と期限はメールでもお知らせしています。お支払い後、M.I.C.へチャージします。',
  payLaterInstructions:
    'お支払いに必要な番号は、下の「お支払い方法の案内（決済代行会社のページ）」に記載されています。お支払い期限までにお支払いください。案内と期限はメールでもお知らせしています。お支払い後、M.I.C.へチャージします。',
  confirmingHeading: 'お支払いを確認しています',
  confirmingPayment:
    'お支払いサービスからの結果をまだ受け取っていません。このページは数秒ごとに自動で更新されます。',
  reload: '再読み込み',
  notPaidHeading: 'お支払いは完了していません',
  notPaid:
    'この申請のお支払いステータスは「{status}」です。チャージする場合は、もう一度申請してください。',

  // 4.2 Application list and details
  applicationsTitle: '証明書 申請一覧',
  tabPrintable: '印刷可能',
  tabHistory: '履歴',
  tabPrintableHint:
    'お支払い期限がない決済にて、お支払いが完了した申請の一覧およびお支払い期限がある決済（コンビニ現金払い／Pay-easy）にて、支払期限が過ぎていない申請の一覧が表示されます。',
  tabHistoryHint:
    'お支払い期限がある決済（コンビニ現金払い／Pay-easy）にて、お支払いが完了した申請、申請をしたにもかかわらず、未決済などの理由で、支払期限日から7日たった一覧が表示されます。',
  listCurrent: '申請一覧（現在）',
  listHistory: '申請一覧（履歴）',
  noApplications: '該当する申請はありません。',
  issueNumber: '発行番号',
  paymentColumn: 'お支払い',
  issueDate: '発行年月日',
  certificate: '証明書',
  copiesColumn: '部数',
  totalAmount: '合計金額',
  paymentCompleted: 'お支払い完了',
  statusAwaiting: 'お支払い待ち',
  statusPaid: 'お支払い済み',
  statusUnpaid: '未払い',
  statusCancelled: 'キャンセル',
  statusRefunded: '返金済み',
  detailTitle: '申請情報 詳細',
  issueInfo: '発行情報',
  paymentInfo: 'お支払い情報',
  paymentStatus: 'お支払いステータス',
  paidAt: 'お支払い日時',
  toPaymentPage: 'お支払いページへ',
  detailInfo: '詳細情報',
  creditHeading: 'M.I.C.への反映',
  creditNotPaid: 'お支払いの完了後にM.I.C.へチャージします。',
  creditDone: '{time} にM.I.C.へ反映しました。',
  creditProcessing: 'M.I.C.へ反映しています。反映はお支払いの1分後以降となります。',
  creditWaitingWindow: 'M.I.C.オンラインチャージ連携停止時間のため、{time} 以降に反映されます。',
  creditRetrying:
    'M.I.C.でエラーが発生したため、反映が遅れています。自動的に再試行します（次回 {time} 頃）。30分程度待っても反映されない場合は、お問い合わせ先までご連絡ください。',
  creditFailed:
    'M.I.C.へ反映できませんでした。担当者が確認しますので、お手数ですが発行申請番号をお伝えのうえ、お問い合わせ先までご連絡ください。',
  creditHeld:
    '残高上限額を超えるため、チャージを保留しています（上限超過のため保留）。M.I.C.の残高に空きができると自動的にチャージします。お支払いいただいた金額の返金を申し込むこともできます。',
  creditRefunding:
    '返金の手続き中です。決済代行会社の確認が取れ次第「返金済み」になります。M.I.C.へはチャージしません。',
  creditRefunded: 'お支払いいただいた金額を返金しました。M.I.C.へはチャージしていません。',
  creditPartlyRefunded:
    'お支払いのうち{amount}が決済代行会社で返金されたため、M.I.C.へのチャージを止めています。担当者が残りの金額の扱いを確認し、ご連絡します。',
  creditPartlyChargedBack:
    'お支払いのうち{amount}がカード会社によって取り消された（チャージバック）ため、M.I.C.へのチャージを止めています。担当者が残りの金額の扱いを確認し、ご連絡します。',
  creditReversed:
    '{time}にM.I.C.へチャージしましたが、その後お支払いのうち{amount}が決済代行会社で返金されました。カードに残る金額の扱いについて、大学の窓口からご連絡します。',
  creditReversedChargeback:
    '{time}にM.I.C.へチャージしましたが、その後お支払いのうち{amount}がカード会社によって取り消されました（チャージバック）。カードに残る金額の扱いについて、大学の窓口からご連絡します。',
  refundRequest: '返金を申し込む',
  refundConfirm:
    'この申請のお支払い金額 {amount} を、お支払いに使った方法で返金します。M.I.C.へはチャージされません。よろしいですか。',
  refundDone: '返金を受け付けました。お支払いに使った方法で返金されます。',
  refundUnavailable:
    'ただいま返金を受け付けられません。しばらくしてからもう一度お試しいただくか、お問い合わせ先までご連絡ください。',
  refundNotPossible: 'この申請は返金の対象ではありません。',
  // Issue 22 (words): why a credit stopped, in words, and the one next step; the refund's
  // own confirmation page; the wait of a stop window; tries left before the lock.
  creditCause_cardSuspended:
    'M.I.C.がこのカードへのチャージを受け付けませんでした。カードが利用停止中（紛失・再発行の手続き中など）のためです。お待ちいただいても反映されません。',
  creditCause_cardUnknown:
    'M.I.C.にこのカードが登録されていないため、チャージできませんでした。お待ちいただいても反映されません。',
  creditCause_micRefused:
    'M.I.C.がこのチャージを受け付けませんでした。お待ちいただいても反映されません。',
  creditCause_amountMismatch:
    'お支払いの金額が申請の金額と一致しないため、M.I.C.へはチャージしていません。',
  creditNextRefund: '下の「返金を申し込む」から、お支払いいただいた{amount}の返金を申し込めます。',
  creditNextRefundBank:
    '下の「返金を申し込む」から、ご指定の銀行口座への返金（{amount}）を申し込めます。',
  creditNextContact: 'お手数ですが、発行申請番号をお伝えのうえ、お問い合わせ先までご連絡ください。',
  refundConfirmTitle: '返金の申し込み',
  refundConfirmButton: '返金する',
  windowNow:
    'ただいまM.I.C.オンラインチャージ連携停止時間（予定された停止）です。{end} に再開します。',
  balanceAsOfWindow: 'それまでは {time} 時点の残高を表示しています。',
  balanceUnknownWindow: '残高は再開後に確認できます。チャージの申請も再開後にお願いします。',
  windowCreditsLater: 'この間にお支払いいただいたチャージは、{end} 以降にM.I.C.へ反映されます。',
  loginTriesLeft: 'あと{n}回失敗すると、{minutes}分間ログインできなくなります。',
  mailChargeCompletedNotCredited:
    'M.I.C.へのチャージはまだ完了していません。理由と次の手続きは、申請情報 詳細でご確認ください。',
  mailCreditRefusedBody: ['M.I.C.へのチャージができませんでした。'],
  mailCreditNextRefund:
    '申請情報 詳細の「返金を申し込む」から、お支払いいただいた{amount}の返金を申し込めます。',
  mailCreditNextRefundBank:
    '申請情報 詳細の「返金を申し込む」から、ご指定の銀行口座への返金（{amount}）を申し込めます。',
  mailCreditNextContact:
    'お手数ですが、発行申請番号をお伝えのうえ、下記問合せ窓口までご連絡ください。',
  mailCreditRefusedEnd: ['このメールは送信専用メールです。', ''],
  // Refund of a コンビニ / Pay-easy payment to a bank account (KOMOJU's refund request)
  cashRefundTitle: '返金先口座の指定',
  cashRefundIntro:
    'コンビニ・Pay-easyでのお支払いは、ご指定の銀行口座へのお振込みで返金します（決済代行会社KOMOJUが手続きします）。口座情報は返金の手続きのためKOMOJUへ送るだけで、本サービスには保存しません。',
  cashRefundAmount: '返金額',
  bankCode: '銀行コード',
  bankCodeHint: '4桁の数字（金融機関コード）',
  bankName: '銀行名',
  branchCode: '支店コード',
  branchCodeHint: '3桁の数字（店番号）',
  branchName: '支店名（任意）',
  accountType: '口座種別',
  accountTypeNormal: '普通',
  accountTypeChecking: '当座',
  accountTypeSavings: '貯蓄',
  accountNumber: '口座番号',
  accountNumberHint: '7桁に満たない番号は、先頭に0を補って送ります。',
  accountHolder: '口座名義（カナ）',
  accountHolderHint:
    '通帳やキャッシュカードのとおりに、カナで入力してください（例：ヤマダ ハナコ）。',
  cashRefundSubmit: '返金を申請する',
  bankCodeInvalid: '銀行コードは4桁の数字で入力してください。',
  branchCodeInvalid: '支店コードは3桁の数字で入力してください。',
  accountTypeInvalid: '口座種別を選んでください。',
  accountNumberInvalid: '口座番号は7桁以内の数字で入力してください。',
  accountHolderInvalid:
    '口座名義（カナ）は全角カナ・英大文字・数字で入力してください（記号は ( ) . - / , とスペースのみ使えます）。',
  accountHolderTooLong: '口座名義（カナ）は半角に直して30文字以内で入力してください。',
  cashRefundFieldRefused: 'KOMOJUがこの項目を受け付けませんでした。内容をご確認ください。',
  cashRefundRefused:
    'KOMOJUが口座情報を受け付けませんでした。内容をご確認のうえ、もう一度お試しください。',
  refundRequested:
    '返金を申請しました。KOMOJUがご指定の口座へお振込みすると「返金済み」になります（通常1〜2営業日）。',
  refundBankConfirm:
    'コンビニ・Pay-easyでのお支払い {amount} は、ご指定の銀行口座へのお振込みで返金します。M.I.C.へはチャージされません。',
  creditRefundingBank:
    '{time} に指定の口座への返金を申請しました。決済代行会社KOMOJUがお振込みを行うと「返金済み」になります（通常1〜2営業日）。M.I.C.へはチャージしません。',
  cashRefundRejectedNotice:
    '{time} の返金の申請は受け付けられませんでした（KOMOJUが口座へ振り込めませんでした）。口座情報をご確認のうえ、もう一度お申し込みください。',
  mailCashRefundAccountSubject: '【お知らせ】返金先の口座をご指定ください',
  mailCashRefundAccountBody: [
    'お支払いいただいたM.I.C.チャージを返金いたします。',
    'コンビニ・Pay-easyでのお支払いは、ご指定の銀行口座へのお振込みで返金します。',
    '下記のページにログインのうえ、返金先の口座をご指定ください。このメールで口座情報をお尋ねすることはありません。',
  ],
  mailCashRefundRejectedSubject: '【お知らせ】返金の申請が受け付けられませんでした',
  mailCashRefundRejectedBody: [
    'ご指定の口座への返金を、決済代行会社KOMOJUが行えませんでした。',
    'M.I.C.チャージは返金の申請前の状態に戻っています。口座情報をご確認のうえ、下記のページにログインしてもう一度お申し込みください。',
  ],
  mailCreditHeldSubject: '【お知らせ】M.I.C.へのチャージを保留しています',
  mailCreditHeldBody: [
    'お支払いいただいたチャージは、M.I.C.の残高上限額を超えるため、チャージを保留しています。',
    'M.I.C.の残高に空きができると、自動的にチャージします。',
    '返金をご希望の場合は、申請情報 詳細の「返金を申し込む」からお申し込みください。',
    '',
  ],

  // Refund mails (issue 21, retry): staff approved a refund, KOMOJU completed it
  mailRefundApprovedSubject: '【お知らせ】返金を受け付けました',
  mailRefundCompletedSubject: '【お知らせ】返金が完了しました',
  mailRefundApprovedLead:
    'お支払いいただいた金額の返金を受け付け、決済代行会社KOMOJUに返金を依頼しました。',
  mailRefundCompletedLead: 'お支払いいただいた金額を返金しました。',
  mailRefundNoCredit: 'この申請のチャージ金額は、M.I.C.へはチャージされません。',
  mailRefundAmount: '返金額',
  mailRefundedAt: '返金日',
  mailRefundCardPending:
    'クレジットカードなどでのお支払いは、お支払いに使われた方法へ返金されます。',
  mailRefundCardDone:
    'クレジットカードなどでのお支払いは、お支払いに使われた方法へ返金されます。ご利用明細に反映される時期は、カード会社などによって異なります。',
  mailRefundBankPending:
    'コンビニ・Pay-easyでのお支払いは、ご指定の銀行口座へのお振込みで返金します（通常1〜2営業日）。',
  mailRefundBankDone: 'ご指定の銀行口座へお振込みしました。',
  mailRefundApprovedNext: '返金が完了しましたら、あらためてメールでお知らせします。',

  // Charge mails
  mailTo: 'To {name} 様',
  mailApplicationNumber: '発行申請番号は {id} です。',
  mailTotal: '支払合計金額',
  mailMethod: '支払方法',
  mailPaidAt: '支払日',
  mailIssuer: '発行者',
  mailBreakdown: '内訳',
  mailBreakdownHeader: '種別 数量 単金 金額',
  mailChargeCompletedSubject: 'チャージ完了',
  mailChargeCompletedHeading: 'チャージ完了',
  mailChargeCompletedPaid: '支払いが完了しました。',
  mailChargeCompletedNotes: [
    '支払い結果がチャージ金額としてサービスに反映されるまでには、数分かかりますので、ご注意ください。',
    '支払い(チャージ)が完了しただけでは、手続きは終わっていません。',
    'チャージ後、必要な手続きを各自で行ってください。',
  ],
  mailDeadlineSubject: '【{university}】お支払い番号のお知らせ',
  mailDeadlineIntro:
    '{what}の申請を受け付けました。次のお支払い番号で、お支払い期限までにお支払いください。',
  mailDeadlineIntroInstructions:
    '{what}の申請を受け付けました。お支払いに必要な番号は、次の「お支払い方法の案内（決済代行会社のページ）」に記載されています。お支払い期限までにお支払いください。',
  mailDeadlineNotes: [
    'お支払い後、M.I.C.へチャージします。反映はお支払いの1分後以降となります。',
    'お支払い期限を過ぎると、この申請は「未払い」となります。',
  ],
  mailCreditErrorSubject: '【お知らせ】M.I.C.へのチャージ状況について',
  mailCreditErrorBody: [
    'ただいまM.I.C.オンラインチャージシステムでエラーが発生しております。',
    'チャージ金額が反映されるまでしばらくお待ちください。',
    'チャージ金額が反映されない場合は下記問合せ窓口までお問い合わせください。',
    'このメールは送信専用メールです。',
    '',
  ],
  mailCreditErrorSystem: 'M.I.C.オンラインチャージシステム',
  mailCreditErrorContact: '【本件に関するお問い合わせ先】',
  mailCreditErrorHours: '* 電話受付時間 年中無休 {hours}',

  // Errors
  notFoundTitle: 'ページが見つかりません',
  notFound: 'お探しのページは見つかりませんでした。URLをご確認ください。',
  unknownHostTitle: 'サービスが見つかりません',
  unknownHost:
    'このアドレスで提供している証明書発行サービスはありません。大学のホームページからアクセスしてください。',
  forbiddenTitle: '操作を続けられません',
  badRequestTitle: '送信内容を読み取れません',
  badRequest:
    '送信された内容を読み取れませんでした。お手数ですが、前の画面に戻ってもう一度操作してください。',
  csrfFailed:
    'フォームの有効期限が切れたか、正しくない送信です。お手数ですが、もう一度最初から操作してください。',
  serverErrorTitle: 'エラーが発生しました',
  serverError:
    '申し訳ありません。システムでエラーが発生しました。しばらくしてからもう一度お試しください。お問い合わせの際は、次の番号をお伝えください：{requestId}',
  toTop: 'トップページへ',

  // Mails
  mailFooterNoReply: '◎このメールは送信専用メールです。',
  mailFooterIgnore: '※もしこのメールにお心当たりのない方は削除して下さい。',
  mailFooterContact: 'お問い合わせ先は各事務担当まで',
  mailUrlExpiry: 'URL 期限：30 分',
  mailEmailRegisterSubject: '【{university}】メールアドレス登録のご確認',
  mailEmailRegisterBody:
    'メールアドレスの登録を行います。\n以下の URL にアクセスし、メールアドレスの登録を完了して下さい。',
  mailEmailChangeSubject: '【{university}】メールアドレス変更のご確認',
  mailEmailChangeBody:
    'メールアドレスの変更を行います。\n以下の URL にアクセスし、メールアドレスの変更を完了して下さい。',
  mailEmailChangedSubject: '【{university}】メールアドレスが変更されました',
  mailEmailChangedBody:
    'ユーザID {userId} のメールアドレスが変更されました。今後の連絡は新しいメールアドレス宛に送信されます。\nお心当たりのない場合は、下記のお問い合わせ先までご連絡ください。',
  mailResetSubject: '【{university}】第2パスワード再設定のご案内',
  mailResetBody:
    'ユーザID {userId} の第2パスワードの再設定を行います。\n以下の URL にアクセスし、第2パスワードを再設定して下さい。',

  // Manual (§3)
  manualTitle: '操作マニュアル',
  manualIntro:
    'このページは、証明書発行サービスでM.I.C.オンラインチャージを利用するための操作マニュアルです。',
  manualSections: [
    [
      '1. はじめに',
      'M.I.C.オンラインチャージは、大学のICカード「M.I.C.」の残高をオンラインでチャージ（入金）し、その場でお支払いができるサービスです。証明書発行サービスの機能の一つとして提供しています。',
      'パソコン（Chrome、Firefox、Safari、Edge）とスマートフォン（iPhoneのSafari、AndroidのChrome）でご利用いただけます。JavaScriptを無効にしていても利用できます。',
      '画面右上の「English」で英語表示に切り替えられます。',
    ],
    [
      '2. 初回ログイン',
      '在学生ログイン画面で、大学で利用している「ユーザID」と「パスワード」を入力し、「第2パスワード」は空欄のまま「ログイン」を押します。',
      'メールアドレス設定画面が表示されます。「メールアドレス」と「確認」に同じアドレスを入力し「確認」を押すと、確認メールが届きます。メールに記載されたURL（有効期限30分、1回のみ有効）を開くと登録が完了します。',
      'もう一度ログインすると、第2パスワード設定画面が表示されます。8文字以上で、半角英大文字・半角英小文字・半角数字をそれぞれ1文字以上含み、半角英数字のみからなる第2パスワードを設定してください。大学で利用しているパスワードは設定できません。',
    ],
    [
      '3. 2回目以降のログイン',
      '「ユーザID」「パスワード」「第2パスワード」を入力して「ログイン」を押すと、メニュー選択画面が表示されます。前回ログイン日時が表示されますので、身に覚えのないログインがないかご確認ください。',
      'ログインに続けて失敗すると、しばらくの間ログインできなくなります。画面に表示される時刻以降にもう一度お試しください。',
      '30分間操作がないと自動的にログアウトします。共用のパソコンでは、利用後に必ず「ログアウト」してください。',
    ],
    [
      '4. ログイン情報の変更',
      'メールアドレス変更：画面右上の「メニュー」から「メールアドレス変更」を選び、新しいメールアドレスを2回入力して「確認」を押します。新しいアドレスに届いたメールのURLを開くと変更が完了します。',
      '第2パスワード変更：「メニュー」から「第2パスワード変更」を選び、現在の第2パスワードと新しい第2パスワード（2回）を入力して「変更」を押します。',
      '第2パスワードを忘れた場合：在学生ログイン画面の「第2パスワードを忘れた場合」から、登録しているメールアドレスを入力して「送信」を押します。届いたメールのURLを開き、新しい第2パスワードを設定してください。',
    ],
    [
      '5. M.I.C.チャージ',
      'メニュー選択画面の「M.I.C.チャージ」から、チャージ金額を入力し、お支払い方法を選んで申請します。残高上限額を超えるチャージはできません。申請の状況は「申請一覧」で確認できます。',
      'チャージ金額がM.I.C.に反映されるのは、お支払いの1分後以降です。次の時間帯はM.I.C.との連携が停止しているため、停止時間の終了後に反映されます：①毎日2:00～5:00、②毎月末の23:30～24:00、③年度末（大学が別途お知らせします）。',
    ],
    [
      '6. お問い合わせ',
      'ご不明な点やチャージが反映されない場合は、画面下部に表示されているお問い合わせ先までご連絡ください。',
    ],
  ],
  // 各種証明書のオンライン申請 (manual §1.1; PRODUCT.md §10)
  menuCertificates: '各種証明書のオンライン申請',
  certTitle: '各種証明書のオンライン申請',
  certIntro:
    '申請する証明書の部数を入力し、受け取り方法とお支払い方法を選んでください。証明書の内容は大学の学務システムの情報から作成されます。次の画面で、発行される証明書の見本を確認できます。',
  certYourStatus: 'あなたの学籍状況：{status}',
  certNoneOffered: '現在、オンラインで申請できる証明書はありません。',
  certCatalogue: '証明書の種類',
  certCopiesHint:
    '部数は1回の申請で合計{max}部までです。申請しない証明書は空欄のままにしてください。',
  certCopiesOf: '{language}の部数',
  certFee: '手数料',
  certFree: '無料',
  certFeePerCopy: '1部 {amount}',
  certWho: '申請できる方',
  certDelivery: '受け取り方法',
  certLimit: '発行上限',
  certLimitPerYear: '年度内{n}部まで',
  certCannotCheck: '学務システムに接続できないため、申請できるか確認できません。',
  certSamples: '証明書の見本',
  certSamplesIntro:
    '発行される証明書の内容です（見本）。氏名・生年月日・成績などに誤りがないか、お支払いの前にご確認ください。',
  officeContact: '内容に誤りがある場合は、申請せずに{office}へお問い合わせください。',
  certHeading: '証明書の発行状況',
  certNotPaid: 'お支払いの確認後に証明書を発行します。',
  certIssuing: '証明書を発行しています。しばらくしてから、このページを更新してください。',
  certIssuingLater:
    '学務システムのメンテナンス中のため、{time}以降に発行します。発行されるとメールでお知らせします。',
  certIssuedPdf: '証明書を発行しました。有効期限まで、下のボタンからダウンロードできます。',
  certIssuedPost: '証明書を発行しました。大学から郵送します。発送したらメールでお知らせします。',
  certShipped: '証明書を発送しました（追跡番号 {tracking}）。',
  certRefused:
    '学務システムが証明書の発行を受け付けなかったため、発行できませんでした。お支払いいただいた金額は返金します。詳しくはメールをご覧ください。',
  certRefunded: 'この申請は返金済みです。証明書は発行されていません。',
  certNeedsPerson:
    '証明書の発行に問題が起きたため、担当者が確認しています。しばらくお待ちください。',
  certStartOver:
    'この申請は受け付けられませんでした。内容を確認し、「次へ」から申請内容確認に進んで、もう一度申請してください。',
  copiesInvalid: '部数は0から{max}までの数字で入力してください。',
  copiesNone: '申請する証明書の部数を入力してください。',
  copiesTooMany: '部数は1回の申請で合計{max}部までです。部数を減らしてください。',
  languageJa: '和文',
  languageEn: '英文',
  inJapanese: '（和文）',
  inEnglish: '（英文）',
  unitPrice: '単金',
  postage: '郵送料',
  deliveryRequired: '受け取り方法を選んでください。',
  deliveryPdf: '電子（PDF）',
  deliveryPost: '郵送',
  deliveryPdfHint:
    '発行後すぐに、申請一覧からダウンロードできます（{days}日間）。提出先へメールで送ることもできます。',
  deliveryPostHint: '大学が印刷して郵送します。郵送料 国内{domestic}・海外{international}',
  recipientHeading: '提出先（電子の場合・任意）',
  recipientHint:
    '提出先を入力すると、証明書に提出先が印字されます。メールアドレスを入力すると、提出先に証明書のダウンロード用リンクを送ります（ログイン不要）。',
  recipientOrganisation: '提出先の組織名',
  recipientName: '提出先の担当者名',
  recipientEmail: '提出先のメールアドレス',
  recipientEmailConfirm: '提出先のメールアドレス（確認）',
  recipientEmailHint: '確認のため、2回入力してください。',
  recipientEmailMismatch:
    '提出先のメールアドレスが一致しません。同じアドレスを2回入力してください。',
  postHeading: '郵送先（郵送の場合）',
  postHint: '証明書をお届けする住所を入力してください。',
  postCountry: '国・地域',
  postJapan: '日本国内',
  postAbroad: '海外',
  postName: '宛名',
  postalCode: '郵便番号',
  postalCodeHint: '日本国内は7桁（例: 663-8558）',
  postalCodeInvalid: '郵便番号は7桁の数字で入力してください（例: 663-8558）。',
  postAddress: '住所',
  postPhone: '電話番号',
  postPhoneInvalid: '電話番号は数字とハイフンで入力してください（例: 090-1234-5678）。',
  sealed: '厳封',
  sealedHint:
    '証明書を1通ずつ封筒に入れ、大学が封印します。提出先から厳封を求められた場合に選んでください。',
  eligNotOffered: '{name}は、現在オンラインでは申請できません。',
  eligLanguage: '{name}は、選んだ言語では発行できません。',
  eligDelivery: '{name}は、選んだ受け取り方法では発行できません。',
  eligStatus: '{name}は、学籍状況が「{status}」の方は申請できません。',
  eligStatusShort: '申請できる方：{status}',
  eligHold: '{hold}のため、現在は証明書を発行できません。大学の窓口にお問い合わせください。',
  eligYearlyLimit:
    '{name}は年度内{limit}部までです（今年度は{used}部申請済みのため、あと{left}部申請できます）。',
  eligNoData:
    '{name}に必要な情報が学務システムにないため、発行できません。大学の窓口にお問い合わせください。',
  registrarMaintenance:
    '学務システムのメンテナンス中のため、証明書を申請できません。しばらくしてからお試しください。',
  registrarMaintenanceUntil:
    '学務システムのメンテナンス中のため、証明書を申請できません。{time}以降にお試しください。',
  registrarUnavailable:
    '学務システムに接続できないため、証明書を申請できません。しばらくしてからお試しください。',
  registrarUnknownStudent:
    '学務システムにあなたの学籍情報が見つかりません。大学の窓口にお問い合わせください。',
  downloadPdf: 'PDFをダウンロード',
  verificationCode: '照合番号',
  validUntil: '有効期限',
  verifyStanding: '状態',
  verifyValid: '有効',
  verifyRevoked: '失効',
  verifyExpired: '期限切れ',
  verifyTitle: '証明書の照合',
  verifyIntro:
    '証明書に印字された照合番号を入力するか、QRコードを読み取ると、大学が発行した内容と状態を確認できます。',
  verifyCodeHint: '16文字の英数字（ハイフンは省略できます）',
  verifyButton: '照合する',
  verifyCodeInvalid: '照合番号は16文字の英数字です。証明書に印字された番号をご確認ください。',
  verifyTooMany: '照合の回数が多すぎます。1分ほど待ってからお試しください。',
  verifyNotFound: 'この照合番号の証明書は見つかりません。番号をご確認ください。',
  verifyResult: '照合結果',
  verifyRevokedAt: '（{time} に失効）',
  verifyType: '証明書',
  verifyHolder: '氏名',
  verifyIssuedAt: '発行日時',
  verifyDrop: 'お手元のPDFをここにドロップするか、選んでください',
  verifyDropHint:
    'PDFはこのブラウザの中で照合され、どこにも送信されません。大学が発行したファイルと同一かどうかを確認できます。',
  verifyReading: '照合しています…',
  verifySame: 'このPDFは、大学が発行した証明書と同一です。',
  verifyDifferent:
    'このPDFは、大学が発行した証明書と一致しません。改ざんされているか、別の証明書です。',
  recipientPageTitle: '証明書の受け取り',
  recipientPageIntro: '{university}から、{organisation} {name} 様あての証明書です。',
  recipientPageVerify: 'どの証明書も、照合番号で内容と状態を確認できます。',
  recipientLinkInvalid:
    'このリンクは無効か、有効期限が切れています。証明書を送った方にお問い合わせください。',
  mailOrderCompletedSubject: '証明書申請 お支払い完了',
  mailOrderCompletedNotes: [
    'お支払いを確認しました。証明書を発行し、準備ができたらメールでお知らせします。',
    '電子（PDF）の証明書は、申請一覧の「印刷可能」からダウンロードできます。',
  ],
  mailOrderDeadlineNotes: [
    'お支払いを確認した後に、証明書を発行します。',
    'お支払い期限を過ぎると、この申請は「未払い」となります。',
  ],
  mailCertificateIssuedSubject: '【{university}】証明書を発行しました',
  mailCertificateIssuedPdf: [
    'お申し込みの証明書を発行しました。',
    '次のページ（ログインが必要です）からダウンロードできます。',
  ],
  mailCertificateIssuedPost: [
    'お申し込みの証明書を発行しました。大学で印刷・封入のうえ郵送します。',
    '発送したら、追跡番号をメールでお知らせします。',
  ],
  mailCertificateValidUntil: 'ダウンロードの有効期限: {time}',
  mailCertificateRecipientSent: '提出先（{email}）にも、ダウンロード用のリンクを送りました。',
  mailCertificateRefusedSubject: '【{university}】証明書を発行できませんでした',
  mailCertificateRefusedBody: [
    'お申し込みの証明書は、大学の学務システムが発行を受け付けなかったため、発行できませんでした。',
    '学籍や学費の状況について、大学の窓口にお問い合わせください。',
  ],
  mailCertificateRefunded: 'お支払いいただいた {amount}円 は返金しました。',
  mailCertificateRefundBank:
    'お支払いいただいた金額は、ご指定の口座へ返金します。申請情報 詳細の「返金を申し込む」から口座をご指定ください。',
  mailCertificateRefundLater:
    'お支払いいただいた金額は、担当者が確認のうえ返金します。しばらくお待ちください。',
  mailRecipientSubject: '【{university}】証明書をお送りします',
  mailRecipientTo: '{organisation} {name} 様',
  mailRecipientBody: [
    '当大学の学生から、あなたあての証明書の送付を申し込まれました。',
    '次のリンクから、ログインせずに証明書（PDF）をダウンロードできます。',
  ],
  mailRecipientExpiry: 'リンクの有効期限: {time}',
  // 個人データのダウンロード (issue 19): the student's own data, JSON or CSV.
  menuMyData: '個人データのダウンロード',
  myDataTitle: '個人データのダウンロード',
  myDataIntro:
    'このサービスが保存しているあなたのデータ（アカウント、申請、証明書、返金）をダウンロードできます。',
  myDataContents: [
    'アカウント: ユーザID、氏名カナ、メールアドレス、在籍状況、前回ログイン日時',
    '申請: 発行申請番号、日付、金額、お支払い方法、お支払い・反映の状況',
    '証明書: 発行番号、種類、有効期限、照合番号、状態',
    '返金: 申請ごとの返金の方法、金額、状況',
  ],
  myDataFormats: '形式を選んでください',
  myDataJson: 'JSON形式でダウンロード',
  myDataJsonHint: 'プログラムで読み取るための形式です。',
  myDataCsv: 'CSV形式でダウンロード',
  myDataCsvHint: 'Excelなどの表計算ソフトで開けます。',
  myDataNote:
    '第2パスワードとパスワードは保存されていないか、元に戻せない形で保存されているため、含まれません。',
  myDataSectionProfile: 'アカウント',
  myDataSectionApplication: '申請',
  myDataSectionCertificate: '証明書',
  myDataSectionRefund: '返金',
  myDataColumnSection: '区分',
  myDataColumnNumber: '番号',
  myDataColumnField: '項目',
  myDataColumnValue: '値',
  myDataNameKana: '氏名カナ',
  myDataStatus: '在籍状況',
  myDataLeftOn: '離籍日',
  myDataState: '状況',
  myDataRefundWay: '返金方法',
  myDataRefundAt: '返金日時',
  myDataRefundRequestedAt: '申込日時',
  myDataRefundGateway: 'お支払い元へ返金',
  myDataRefundBank: '指定口座へ返金',
  myDataRefundDone: '返金済み',
  myDataRefundPending: '手続中',
  myDataRefundRejected: '口座へ返金できませんでした（再度お申し込みください）',
  myDataRefundLost: '手続できませんでした（お問い合わせください）',
  myDataStatus_enrolled: '在学',
  myDataStatus_on_leave: '休学',
  myDataStatus_graduated: '卒業',
  myDataStatus_withdrawn: '退学',
  myDataStatus_expelled: '除籍',
  myDataStatusUnknown: '不明',
} as const
