import { section } from './section.ts' // .ts: the browser tests read the wording in Node

/** The console's wording for the roster's sync from the registrar; keys start with `rosterSync`. */
export const rosterSync = section({
  ja: {
    rosterSyncTitle: '学務システムから名簿を更新',
    rosterSyncIntro:
      '学務システムで前回の更新より後に変わった学生（新しい学生、在籍状況・氏名の変更、卒業・退学・除籍）を読み込み、名簿に反映します。毎晩3:00（日本時間）にも自動で実行します。',
    rosterSyncNoPassword:
      '学務システムはパスワードを持たないため、学務システムから初めて名簿に入った学生は、パスワードを含む名簿をアップロードするまでログインできません。名簿にいる学生のパスワードはそのまま残ります。',
    rosterSyncThrough: '名簿が反映している学務システムの時点',
    rosterSyncNever: 'まだ更新していません（次回はすべての学生を読み込みます）',
    rosterSyncButton: '学務システムから名簿を更新',
    rosterSyncRecent: '最近の学務システムからの更新',
    rosterSyncNone: 'まだ学務システムからの更新はありません。',
    rosterSyncTable: '更新ごとの開始日時・実行者・結果',
    rosterSyncColAt: '開始日時',
    rosterSyncColBy: '実行者',
    rosterSyncColResult: '結果',
    rosterSyncColImport: '取り込み',
    rosterSyncImportNo: '取り込み {id}',
    rosterSyncNightly: '夜間自動実行',
    rosterSyncResultApplied:
      '反映済み（新規 {new}件・変更 {changed}件・離籍 {leaving}件・対象外 {rejected}件）',
    rosterSyncResultFailed: '失敗: {error}',
    rosterSyncShortMaintenance: '学務システムのメンテナンス中',
    rosterSyncShortKeyRefused: '接続キーが受け付けられなかった',
    rosterSyncShortNotConfigured: '学務システム連携が未設定',
    rosterSyncShortUnavailable: '学務システムの応答なし',
    rosterSyncShortRefused: '学務システムが要求を拒否',
    rosterSyncShortNotApplied: '読み込んだが反映できず',
    rosterSyncResultOther: '{state}',
    rosterSyncShow: '取り込みの詳細',
    rosterSyncErrMaintenance:
      '学務システムはメンテナンス中です。{until}以降にもう一度お試しください。名簿は変わっていません。',
    rosterSyncErrMaintenanceNoTime:
      '学務システムはメンテナンス中です。しばらくしてからもう一度お試しください。名簿は変わっていません。',
    rosterSyncErrKeyRefused:
      '学務システムが接続キーを受け付けませんでした。運用者に学務システム連携の接続キーの確認を依頼してください。名簿は変わっていません。',
    rosterSyncErrNotConfigured:
      'この大学には学務システムとの連携が設定されていません。運用者に設定を依頼してください。',
    rosterSyncErrUnavailable:
      '学務システムから応答がありませんでした。しばらくしてからもう一度お試しください。名簿は変わっていません。',
    rosterSyncErrRefused:
      '学務システムが要求を受け付けませんでした（{detail}）。運用者に連絡してください。名簿は変わっていません。',
    rosterSyncErrNotApplied:
      '学務システムの変更は読み込みましたが、名簿に反映できませんでした。取り込みの詳細から反映してください。',
  },
  en: {
    rosterSyncTitle: 'Update the roster from the registrar',
    rosterSyncIntro:
      'Reads the students the registrar has changed since the last update (new students, changes of status or name, graduations, withdrawals and removals) and applies them to the roster. It also runs every night at 03:00 JST.',
    rosterSyncNoPassword:
      'The registrar holds no passwords: a student who first comes into the roster from the registrar cannot log in until a roster with their password is uploaded. Students already in the roster keep their passwords.',
    rosterSyncThrough: 'The roster is current to the registrar as of',
    rosterSyncNever: 'Never updated (the next update reads every student)',
    rosterSyncButton: 'Update the roster from the registrar',
    rosterSyncRecent: 'Recent updates from the registrar',
    rosterSyncNone: 'No updates from the registrar yet.',
    rosterSyncTable: 'Each update: when, by whom, the result',
    rosterSyncColAt: 'Started',
    rosterSyncColBy: 'By',
    rosterSyncColResult: 'Result',
    rosterSyncColImport: 'Import',
    rosterSyncImportNo: 'Import {id}',
    rosterSyncNightly: 'Nightly run',
    rosterSyncResultApplied:
      'Applied ({new} new, {changed} changed, {leaving} leaving, {rejected} not taken)',
    rosterSyncResultFailed: 'Failed: {error}',
    rosterSyncShortMaintenance: 'registrar down for maintenance',
    rosterSyncShortKeyRefused: 'connection key refused',
    rosterSyncShortNotConfigured: 'no registrar connection',
    rosterSyncShortUnavailable: 'no answer from the registrar',
    rosterSyncShortRefused: 'request refused by the registrar',
    rosterSyncShortNotApplied: 'read but not applied',
    rosterSyncResultOther: '{state}',
    rosterSyncShow: 'Import details',
    rosterSyncErrMaintenance:
      'The registrar is down for maintenance. Please try again after {until}. The roster has not changed.',
    rosterSyncErrMaintenanceNoTime:
      'The registrar is down for maintenance. Please try again later. The roster has not changed.',
    rosterSyncErrKeyRefused:
      'The registrar refused our connection key. Ask the operator to check the key of the registrar connection. The roster has not changed.',
    rosterSyncErrNotConfigured:
      'This university has no registrar connection. Ask the operator to set one up.',
    rosterSyncErrUnavailable:
      'The registrar did not answer. Please try again later. The roster has not changed.',
    rosterSyncErrRefused:
      'The registrar refused the request ({detail}). Please contact the operator. The roster has not changed.',
    rosterSyncErrNotApplied:
      'The registrar’s changes were read but could not be applied to the roster. Apply them from the import details.',
  },
})
