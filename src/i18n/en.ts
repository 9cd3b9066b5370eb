import type { Catalogue } from './index'

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
  comingSoon: 'Coming soon',
  menuEmailChange: 'Change email address',
  menuSecondPasswordChange: 'Change second password',
  menuManual: 'Manual',
  logout: 'Log out',
  loggedInAs: '{name} ({userId})',

  notFoundTitle: 'Page not found',
  notFound: 'The page you are looking for was not found. Please check the URL.',
  unknownHostTitle: 'Service not found',
  unknownHost:
    'No certificate issuance service is offered at this address. Please use the link on your university website.',
  forbiddenTitle: 'Cannot continue',
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
  manualIntro: 'This page explains how to use M.I.C. Online Charge in the Certificate Issuance Service.',
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
