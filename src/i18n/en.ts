import type { Catalogue } from './catalogue'

/** The English catalogue, for international students. Same keys as the Japanese one. */
export const en = {
  langName: 'English',
  serviceName: 'Certificate Issuance Service',
  skipToContent: 'Skip to content',
  menu: 'Menu',
  switchLanguage: '日本語',
  notes: 'Notes',
  notesMustRead: '! Please be sure to read these notes',
  ok: 'OK',
  back: 'Back',
  errorSummary: 'Please check what you entered.',
  required: 'Please enter your {field}.',
  tooLong: '{field} must be at most {max} characters.',

  contactHeading: 'Contact',
  contactHours: 'Hours: {hours}',

  loginTitle: 'Student Login',
  userId: 'User ID',
  password: 'Password',
  secondPassword: 'Second password',
  loginButton: 'Log in',
  forgotSecondPasswordLink: 'Forgot your second password?',
  loginNotes: [
    'Enter the user ID and password you use at the university.',
    'On your first login, leave the second password empty. You will then register your email address and set a second password.',
    'From then on, also enter the second password you set.',
  ],
  loginFailed: 'The user ID, password or second password is incorrect.',
  loginLocked:
    'Login is temporarily restricted after repeated failed attempts. Please try again after {time}.',
  loggedOut: 'You have logged out.',
  sessionExpired: 'You were logged out after a period of inactivity. Please log in again.',
  manualLink: 'Manual',

  emailSetupTitle: 'Email Address Setup',
  emailAddress: 'Email address',
  emailConfirm: 'Confirm',
  confirmButton: 'Confirm',
  emailNotes: [
    'When you press "Confirm", a confirmation mail is sent to the address you entered.',
    'Open the URL in the confirmation mail to finish setting your email address.',
    'The confirmation mail may take a little while to arrive.',
    'Free webmail services may not receive the confirmation mail.',
  ],
  emailAllowList:
    '* Spam filters may block the confirmation mail. Please add the following address to your allow list beforehand.',
  emailAllowListAddress: 'Address: {address}',
  emailNotArrived: 'If the confirmation mail has not arrived after 30 minutes, please check:',
  emailNotArrivedChecks: [
    'that the email address was entered correctly,',
    'that no extra spaces were entered by mistake,',
    'that it was entered in half-width letters and digits,',
    'that the address added to your spam filter allow list is correct.',
  ],
  emailSent:
    'A confirmation mail has been sent. Open the URL in the mail to finish setting your email address.',
  emailSendFailed:
    'The mail could not be sent. Please try again later. If this continues, please contact us.',
  emailInvalid: 'The email address is not in a valid format.',
  emailNotHalfWidth: 'Please enter the email address in half-width letters and digits.',
  emailMismatch: 'The email address and its confirmation do not match.',
  emailSetDoneTitle: 'Email Address Set',
  emailSetDone: [
    'Your email address has been set.',
    'From now on, messages from the system will be sent to this address.',
    'You can change it from the menu after logging in.',
  ],
  goToLogin: 'Go to the login page',

  emailChangeTitle: 'Change Email Address',
  newEmailAddress: 'New email address',
  currentEmailAddress: 'Current email address',
  emailChangeSameAsCurrent: 'This is your current email address.',
  emailChangeSecondPasswordHint:
    'Needed to confirm it is you. Once the change is complete, you are logged out on every other device and browser.',
  emailChangeSent:
    'A confirmation mail has been sent. Open the URL in the mail to finish changing your email address.',
  emailChangedTitle: 'Email Address Changed',
  emailChanged: [
    'Your email address has been changed.',
    'From now on, messages from the system will be sent to this address.',
  ],
  goToMenu: 'Go to the menu',

  linkInvalidTitle: 'This URL cannot be used',
  linkExpired:
    'This URL has expired (it is valid for 30 minutes) or is not correct. Please start the procedure again.',
  linkUsed: 'This URL has already been used. Each URL works only once.',
  linkAskAgainLogin: 'Log in and set your email address again',
  linkAskAgainForgot: 'Request a second password reset again',
  linkAskAgainEmailChange: 'Log in and change your email address again',

  secondPasswordSetupTitle: 'Second Password Setup',
  secondPasswordConfirm: 'Confirm',
  setButton: 'Set',
  secondPasswordSetupNotes: [
    'For better security, please set a second password.',
    'From your next login, enter the second password together with your password.',
    'You can change the second password from the menu after logging in.',
  ],
  secondPasswordRulesIntro: 'The second password must follow these rules:',
  ruleMinLength: 'At least 8 characters.',
  ruleUpper: 'At least one half-width uppercase letter (A-Z).',
  ruleLower: 'At least one half-width lowercase letter (a-z).',
  ruleDigit: 'At least one half-width digit (0-9).',
  ruleOnlyAlnum: 'Nothing but half-width letters and digits.',
  ruleNotUniversityPassword: '* Do not use the password you use at the university.',
  secondPasswordBrokenRules: 'The {field} breaks these rules:',
  secondPasswordMismatch: 'The {field} and its confirmation do not match.',
  secondPasswordIsUniversityPassword:
    'The password you use at the university cannot be your second password. Please choose another.',
  secondPasswordSameAsCurrent: 'The new second password must differ from the current one.',
  doneTitle: 'Done',
  secondPasswordSet: 'Your second password has been set',

  secondPasswordChangeTitle: 'Change Second Password',
  currentSecondPassword: 'Current second password',
  newSecondPassword: 'New second password',
  changeButton: 'Change',
  currentSecondPasswordWrong: 'The current second password is incorrect.',
  secondPasswordChanged: 'Your second password has been changed',

  forgotTitle: 'Forgot Your Second Password',
  forgotIntro: 'To reset your second password, enter the email address you registered.',
  forgotNotes: [
    'When you press "Send", a URL for resetting your second password is sent to the registered address.',
    'The URL is valid for 30 minutes. Please finish the reset within that time.',
    'If the mail does not arrive, please check your spam filter settings.',
  ],
  sendButton: 'Send',
  forgotSent:
    'If the address you entered is registered, a mail with a URL for resetting your second password has been sent to it. Open the URL and finish the reset within 30 minutes.',
  resetTitle: 'Reset Second Password',
  resetFor: 'User ID: {userId}',

  menuTitle: 'Menu',
  lastLogin: 'Last login',
  lastLoginNone: 'None (first login)',
  menuCharge: 'M.I.C. Charge',
  menuApplications: 'Applications',
  menuEmailChange: 'Change email address',
  menuSecondPasswordChange: 'Change second password',
  menuManual: 'Manual',
  logout: 'Log out',
  loggedInAs: '{name} ({userId})',

  // Payment methods (4.1 step 3)
  pm_credit_card: 'Credit card',
  pm_cvs_seven_eleven: 'Cash at a convenience store (7-Eleven)',
  pm_cvs_familymart: 'Cash at a convenience store (FamilyMart)',
  pm_cvs_lawson: 'Cash at a convenience store (Lawson)',
  pm_payeasy: 'Pay-easy',
  pm_d_barai: 'd Barai',
  pm_au_kantan: 'au Easy Payment',
  pm_softbank_matomete: 'SoftBank Matomete Payment',
  pm_apple_pay: 'Apple Pay',
  pm_paypay: 'PayPay',
  pm_merpay: 'Merpay',

  // 4.1 Charge
  yen: '¥{amount}',
  next: 'Next',
  chargeTitle: 'Charge',
  currentBalance: 'Current balance',
  balanceNotAvailable: 'Not available',
  balanceCap: 'Balance limit',
  chargeable: 'You can charge up to',
  chargeHeading: 'Charge',
  chargeAmount: 'Charge amount',
  chargeAmountYen: 'Charge amount (yen)',
  chargeAmountHint: 'At least ¥{min}, in steps of ¥{step}.',
  chargeNotes: [
    'Enter an amount that keeps your balance within the balance limit. Charges applied for but not yet paid or not yet on your card count too.',
    'A charge reaches M.I.C. one minute or more after payment. Check the new balance on M.I.C. before buying anything with it.',
    'The M.I.C. link is stopped (Japan time): ① every day 2:00–5:00, ② the last day of every month 23:30–24:00, ③ at the end of the fiscal year (announced separately). Charges paid then reach your card when the stop ends.',
    'Convenience-store cash and Pay-easy must be paid by their deadline. The charge is made after you pay.',
  ],
  chargeNoteCap: 'Balance limit: ¥{cap}',
  balanceStale: 'M.I.C. cannot be reached, so this is your balance as of {time}.',
  balanceUnknown:
    'M.I.C. cannot be reached, so your balance is unknown. Charges cannot be applied for right now.',
  creditAfterWindow:
    'The M.I.C. link is stopped now. A charge you pay reaches your card after {time}.',
  amountNotWhole: 'Enter the charge amount as a whole number of yen, in digits.',
  amountBelowMinimum: 'The charge amount must be at least ¥{min}.',
  amountNotStep: 'The charge amount must be in steps of ¥{step}.',
  amountOverCap:
    'That would take your balance over the balance limit. You can charge up to ¥{max}.',
  amountNoRoom:
    'Your balance has reached the limit (counting charges awaiting payment or on their way), so you cannot charge now.',
  methodTitle: 'Choose a payment method',
  chargeAmountIs: 'Charge amount: {amount}',
  paymentMethod: 'Payment method',
  methodPaidLater: '(pay at a store or ATM by the deadline)',
  howTo: 'How to pay',
  howToFor: 'How to pay with {method}',
  methodRequired: 'Choose a payment method.',
  chargeStartOver:
    'We could not read what was sent. Please start again by entering the charge amount.',
  cvsNote:
    'If you pay cash at a convenience store, the charge is made after you pay at the store, and the payment status then becomes “Paid”.',
  confirmTitle: 'Confirm your application',
  balanceAfter: 'Balance after charge',
  applicationContents: 'Application',
  kind: 'Item',
  quantity: 'Quantity',
  amountColumn: 'Amount',
  total: 'Total',
  copies: '{n}',
  apply: 'Apply',
  appliedTitle: 'Application complete',
  appliedHeading: 'Application complete',
  goingToPayment: 'You will now go to the payment page.',
  paymentPageUnavailable:
    'The payment page could not be prepared. Please try again shortly; your application has been saved.',
  retryPaymentPage: 'Open the payment page',
  applicationNumber: 'Application number',
  paymentNumber: 'Payment number',
  paymentDeadline: 'Payment deadline',
  confirmationCode: 'Confirmation code',
  payEasyBankId: 'Payee (bank) number',
  payEasyCustomerId: 'Customer number',
  payEasyConfirmationId: 'Confirmation number',
  paymentInstructions: "How to pay (the payment provider's page)",
  contactPhone: 'Telephone number (Pay-easy only)',
  contactPhoneHint:
    'Pay-easy needs a telephone number for the payment provider (e.g. 09012345678).',
  contactPhoneInvalid: 'For Pay-easy, enter a telephone number of 10 or 11 digits.',
  paymentsNotConfigured:
    'Online payment is not available right now (payments are not set up). No application was made. Please contact your university.',
  howToTitle: 'How to pay with {method}',
  howToLater: [
    'After you apply, the payment number and deadline are shown (and mailed to you).',
    'Enter the payment number at {place} and pay by the deadline.',
    'Once paid, the charge goes to your M.I.C. card and the payment status becomes "Paid".',
  ],
  howToPlaceStore: "the store's register or terminal",
  howToPlacePayEasy: 'a Pay-easy bank ATM or your online bank',
  howToNow: [
    "After you apply, you go to the payment provider's (KOMOJU) payment page.",
    'Check the details and pay. To stop, press "Cancel".',
    'After paying you come back here and see "Payment complete".',
  ],
  paymentDoneTitle: 'Payment complete',
  paymentDoneHeading: 'Payment complete',
  paymentDone: 'Your payment was made successfully.',
  paymentDoneMail: 'A summary of your application has been sent to your registered email address.',
  applyAgain: 'Apply again',
  seeDetails: 'See details',
  payLaterHeading: 'Application received',
  payLater:
    'Pay with this payment number by the deadline. The number and deadline have also been emailed to you. The charge is made after you pay.',
  payLaterInstructions:
    "The numbers to pay with are on the payment provider's page linked below. Pay by the deadline. The link and deadline have also been emailed to you. The charge is made after you pay.",
  confirmingHeading: 'Confirming your payment',
  confirmingPayment:
    'The result from the payment service has not arrived yet. This page refreshes itself every few seconds.',
  reload: 'Reload',
  notPaidHeading: 'Payment not completed',
  notPaid: 'The payment status of this application is “{status}”. To charge, please apply again.',

  // 4.2 Application list and details
  applicationsTitle: 'Applications',
  tabPrintable: 'Current',
  tabHistory: 'History',
  tabPrintableHint:
    'Applications paid with a method without a deadline, and applications to be paid at a store or by Pay-easy whose deadline has not passed.',
  tabHistoryHint:
    'Applications paid at a store or by Pay-easy, and applications left unpaid 7 days past their deadline.',
  listCurrent: 'Applications (current)',
  listHistory: 'Applications (history)',
  noApplications: 'There are no applications here.',
  issueNumber: 'Number',
  paymentColumn: 'Payment',
  issueDate: 'Date',
  certificate: 'Item',
  copiesColumn: 'Qty',
  totalAmount: 'Total',
  paymentCompleted: 'Paid',
  statusAwaiting: 'Awaiting payment',
  statusPaid: 'Paid',
  statusUnpaid: 'Unpaid',
  statusCancelled: 'Cancelled',
  statusRefunded: 'Refunded',
  detailTitle: 'Application details',
  issueInfo: 'Application',
  paymentInfo: 'Payment',
  paymentStatus: 'Payment status',
  paidAt: 'Paid at',
  toPaymentPage: 'Go to the payment page',
  detailInfo: 'Details',
  creditHeading: 'On your M.I.C. card',
  creditNotPaid: 'The charge is made after payment.',
  creditDone: 'Credited to M.I.C. at {time}.',
  creditProcessing: 'Being credited to M.I.C. This takes one minute or more after payment.',
  creditWaitingWindow: 'The M.I.C. link is stopped; the charge reaches your card after {time}.',
  creditRetrying:
    'An error at M.I.C. has delayed the charge. It is retried automatically (next around {time}). If it has not arrived after about 30 minutes, please contact us.',
  creditFailed:
    'The charge could not be credited to M.I.C. Staff will look into it; please contact us with the application number.',
  creditHeld:
    'Held: charging it would take your card over its balance limit. It is charged automatically once your M.I.C. balance has room; you can also ask for your money back.',
  creditRefunding:
    'Your refund is being processed; this becomes "Refunded" once the payment provider confirms it. Nothing will be charged to your M.I.C. card.',
  creditRefunded: 'Your payment was refunded. Nothing was charged to your M.I.C. card.',
  creditPartlyRefunded:
    '{amount} of your payment was refunded by the payment company, so the charge to your M.I.C. card is on hold. Staff will check what to do with the rest and contact you.',
  creditPartlyChargedBack:
    '{amount} of your payment was taken back by your card company (a chargeback), so the charge to your M.I.C. card is on hold. Staff will check what to do with the rest and contact you.',
  creditReversed:
    'Charged to your M.I.C. card on {time}; afterwards {amount} of your payment was refunded by the payment company. The university office will contact you about the amount on your card.',
  creditReversedChargeback:
    'Charged to your M.I.C. card on {time}; afterwards {amount} of your payment was taken back by your card company (a chargeback). The university office will contact you about the amount on your card.',
  refundRequest: 'Ask for a refund',
  refundConfirm:
    'The {amount} you paid for this application will be refunded by the method you paid with, and nothing will be charged to your M.I.C. card. Continue?',
  refundDone: 'Your refund is on its way, by the method you paid with.',
  refundUnavailable: 'A refund cannot be made right now. Please try again later or contact us.',
  refundNotPossible: 'This application cannot be refunded.',
  // Refund of a コンビニ / Pay-easy payment to a bank account (KOMOJU's refund request)
  cashRefundTitle: 'Bank account for your refund',
  cashRefundIntro:
    'A payment made at a convenience store or by Pay-easy is refunded by a transfer to the bank account you give here (carried out by the payment provider KOMOJU). The account is only passed on to KOMOJU for the refund; this service does not keep it.',
  cashRefundAmount: 'Refund amount',
  bankCode: 'Bank code',
  bankCodeHint: '4 digits (金融機関コード)',
  bankName: 'Bank name',
  branchCode: 'Branch code',
  branchCodeHint: '3 digits (店番号)',
  branchName: 'Branch name (optional)',
  accountType: 'Account type',
  accountTypeNormal: 'Ordinary (普通)',
  accountTypeChecking: 'Current (当座)',
  accountTypeSavings: 'Savings (貯蓄)',
  accountNumber: 'Account number',
  accountNumberHint: 'A number shorter than 7 digits is sent with leading zeros.',
  accountHolder: 'Account holder (katakana)',
  accountHolderHint: 'As on your passbook or cash card, in katakana (e.g. ヤマダ ハナコ).',
  cashRefundSubmit: 'Request the refund',
  bankCodeInvalid: 'Enter the bank code as 4 digits.',
  branchCodeInvalid: 'Enter the branch code as 3 digits.',
  accountTypeInvalid: 'Choose the account type.',
  accountNumberInvalid: 'Enter the account number as up to 7 digits.',
  accountHolderInvalid:
    'Enter the account holder in katakana, capital letters and digits (the only symbols allowed are ( ) . - / , and spaces).',
  accountHolderTooLong: 'The account holder may be at most 30 half-width characters.',
  cashRefundFieldRefused: 'KOMOJU did not accept this field. Please check it.',
  cashRefundRefused: 'KOMOJU did not accept the bank account. Please check it and try again.',
  refundRequested:
    'Your refund has been requested. It becomes "Refunded" once KOMOJU has transferred it to your account (usually 1–2 business days).',
  refundBankConfirm:
    'A payment of {amount} made at a convenience store or by Pay-easy is refunded by a transfer to a bank account you give. Nothing will be charged to your M.I.C. card.',
  creditRefundingBank:
    'On {time} you asked for a refund to your bank account. It becomes "Refunded" once the payment provider KOMOJU has transferred it (usually 1–2 business days). Nothing will be charged to your M.I.C. card.',
  cashRefundRejectedNotice:
    'Your refund request of {time} was not accepted (KOMOJU could not transfer to the account). Please check the account and ask again.',
  mailCashRefundAccountSubject: 'Please give the bank account for your refund',
  mailCashRefundAccountBody: [
    'Your M.I.C. charge payment will be refunded.',
    'A payment made at a convenience store or by Pay-easy is refunded by a transfer to a bank account you give.',
    'Please log in on the page below and give the account there. We never ask for bank details by mail.',
  ],
  mailCashRefundRejectedSubject: 'Your refund request was not accepted',
  mailCashRefundRejectedBody: [
    'The payment provider KOMOJU could not make the refund to the account you gave.',
    'Your M.I.C. charge is back as it was before the request. Please check the account, log in on the page below and ask again.',
  ],
  mailCreditHeldSubject: '[Notice] Your M.I.C. charge is on hold',
  mailCreditHeldBody: [
    'Your paid charge is on hold: charging it would take your M.I.C. card over its balance limit.',
    'It is charged automatically once your M.I.C. balance has room.',
    'To get your money back instead, use "Ask for a refund" on the application details page.',
    '',
  ],

  // Charge mails
  mailTo: 'To {name}',
  mailApplicationNumber: 'Your application number is {id}.',
  mailTotal: 'Total paid',
  mailMethod: 'Payment method',
  mailPaidAt: 'Paid at',
  mailIssuer: 'Issuer',
  mailBreakdown: 'Breakdown',
  mailBreakdownHeader: 'Item Qty Unit price Amount',
  mailChargeCompletedSubject: 'Charge complete',
  mailChargeCompletedHeading: 'Charge complete',
  mailChargeCompletedPaid: 'Your payment is complete.',
  mailChargeCompletedNotes: [
    'It takes a few minutes for the payment to reach your card as a charge.',
    'Paying (charging) alone does not finish your own procedures.',
    'After the charge, complete any procedures you need yourself.',
  ],
  mailDeadlineSubject: '[{university}] Your payment number',
  mailDeadlineIntro:
    'We have received your M.I.C. charge application. Pay with this payment number by the deadline.',
  mailDeadlineIntroInstructions:
    "We have received your M.I.C. charge application. The numbers to pay with are on the payment provider's page below. Pay by the deadline.",
  mailDeadlineNotes: [
    'The charge is made after you pay; it reaches your card one minute or more later.',
    'If the deadline passes without payment, the application becomes “Unpaid”.',
  ],
  mailCreditErrorSubject: '[Notice] The status of your M.I.C. charge',
  mailCreditErrorBody: [
    'An error has occurred in the M.I.C. online charge system.',
    'Please wait a while for the charge to reach your card.',
    'If it does not arrive, please contact the office below.',
    'This mail is sent from a no-reply address.',
    '',
  ],
  mailCreditErrorSystem: 'M.I.C. online charge system',
  mailCreditErrorContact: '[Contact for this matter]',
  mailCreditErrorHours: '* Open every day, {hours}',

  notFoundTitle: 'Page not found',
  notFound: 'The page you are looking for was not found. Please check the URL.',
  unknownHostTitle: 'Service not found',
  unknownHost:
    'No certificate issuance service is offered at this address. Please use the link on your university website.',
  forbiddenTitle: 'Cannot continue',
  badRequestTitle: 'Could not read the form',
  badRequest: 'We could not read what was sent. Please go back and try again.',
  csrfFailed:
    'The form has expired or the submission is not valid. Please start the operation again.',
  serverErrorTitle: 'An error occurred',
  serverError:
    'Sorry, a system error occurred. Please try again later. If you contact us, please quote this number: {requestId}',
  toTop: 'Go to the top page',

  mailFooterNoReply: 'This mail is sent from a send-only address.',
  mailFooterIgnore: 'If you did not request this, please delete this mail.',
  mailFooterContact: 'For enquiries, please contact your student office.',
  mailUrlExpiry: 'URL valid for: 30 minutes',
  mailEmailRegisterSubject: '[{university}] Confirm your email address',
  mailEmailRegisterBody:
    'You are registering your email address.\nOpen the URL below to finish the registration.',
  mailEmailChangeSubject: '[{university}] Confirm your new email address',
  mailEmailChangeBody:
    'You are changing your email address.\nOpen the URL below to finish the change.',
  mailEmailChangedSubject: '[{university}] Your email address was changed',
  mailEmailChangedBody:
    'The email address of user ID {userId} has been changed. Messages will now go to the new address.\nIf you did not do this, please contact us at the address below.',
  mailResetSubject: '[{university}] Reset your second password',
  mailResetBody:
    'You asked to reset the second password of user ID {userId}.\nOpen the URL below to set a new second password.',

  manualTitle: 'Operation Manual',
  manualIntro:
    'This page explains how to use M.I.C. Online Charge in the Certificate Issuance Service.',
  manualSections: [
    [
      '1. Introduction',
      'M.I.C. Online Charge lets you top up ("charge") the balance of the university IC card, M.I.C., online and pay for it on the spot. It is one of the functions of the Certificate Issuance Service.',
      'It works on PCs (Chrome, Firefox, Safari, Edge) and phones (Safari on iPhone, Chrome on Android), also with JavaScript turned off.',
      'Use "日本語" / "English" at the top right to switch the language.',
    ],
    [
      '2. First login',
      'On the Student Login page, enter the user ID and password you use at the university, leave the second password empty and press "Log in".',
      'The Email Address Setup page appears. Enter the same address in "Email address" and "Confirm" and press "Confirm". Open the URL in the mail you receive (valid for 30 minutes, usable once) to finish.',
      'Log in again and the Second Password Setup page appears. Choose at least 8 half-width letters and digits with at least one uppercase letter, one lowercase letter and one digit. The password you use at the university is not allowed.',
    ],
    [
      '3. Logging in afterwards',
      'Enter your user ID, password and second password and press "Log in" to reach the menu. It shows when you last logged in: check that there was no login you do not recognise.',
      'After repeated failed attempts, login is restricted for a while. Try again after the time shown on the page.',
      'You are logged out automatically after 30 minutes without activity. On a shared computer, always log out when you are done.',
    ],
    [
      '4. Changing your login data',
      'Email address: choose "Change email address" in the menu at the top right, enter the new address twice and press "Confirm". Open the URL sent to the new address to finish.',
      'Second password: choose "Change second password" in the menu, enter the current second password and the new one twice, and press "Change".',
      'Forgotten second password: on the Student Login page, choose "Forgot your second password?", enter your registered address and press "Send". Open the URL in the mail and set a new second password.',
    ],
    [
      '5. M.I.C. Charge',
      'From "M.I.C. Charge" in the menu, enter the amount, choose how to pay and apply. A charge may not take your balance over the balance cap. "Applications" shows where each charge stands.',
      'A charge reaches M.I.C. one minute or more after payment. The link to M.I.C. is stopped (Japan time) every day 2:00–5:00, on the last day of each month 23:30–24:00, and at the end of the fiscal year (announced by the university); a charge paid then is credited when the stop ends.',
    ],
    [
      '6. Contact',
      'If anything is unclear, or a charge has not arrived, please contact the call centre shown at the bottom of every page.',
    ],
  ],
} satisfies Catalogue
