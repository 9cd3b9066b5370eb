CREATE TABLE `application_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `application_events_application` ON `application_events` (`application_id`,`id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`staff_id` integer NOT NULL,
	`staff_email` text NOT NULL,
	`university_id` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`application_id` integer,
	`reason` text,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_university_at` ON `audit_log` (`university_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_log_application` ON `audit_log` (`application_id`);--> statement-breakpoint
CREATE TABLE `reconciliation_differences` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`kind` text NOT NULL,
	`application_id` integer,
	`payment_id` text,
	`mic_credit_id` text,
	`gateway_amount` integer,
	`application_amount` integer,
	`mic_amount` integer,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `reconciliation_differences_run` ON `reconciliation_differences` (`run_id`);--> statement-breakpoint
CREATE TABLE `reconciliation_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`university_id` text NOT NULL,
	`day` text NOT NULL,
	`ran_at` integer NOT NULL,
	`ran_by` integer,
	`gateway_count` integer DEFAULT 0 NOT NULL,
	`application_count` integer DEFAULT 0 NOT NULL,
	`mic_count` integer DEFAULT 0 NOT NULL,
	`difference_count` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `reconciliation_runs_university_day` ON `reconciliation_runs` (`university_id`,`day`,`id`);--> statement-breakpoint
CREATE TABLE `refund_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`university_id` text NOT NULL,
	`requested_by` integer NOT NULL,
	`requested_at` integer NOT NULL,
	`reason` text NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`decision` text,
	`result` text,
	`staff_alert_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refund_requests_open` ON `refund_requests` (`application_id`) WHERE decided_at IS NULL;--> statement-breakpoint
CREATE INDEX `refund_requests_university` ON `refund_requests` (`university_id`,`requested_at`);--> statement-breakpoint
CREATE TABLE `staff_invites` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`university_id` text,
	`totp_secret` text NOT NULL,
	`invited_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `staff_members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`university_id` text,
	`password_hash` text NOT NULL,
	`totp_secret` text NOT NULL,
	`totp_last_step` integer,
	`credential_epoch` integer DEFAULT 0 NOT NULL,
	`disabled_at` integer,
	`invited_by` integer,
	`last_login_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_members_email` ON `staff_members` (`email`);--> statement-breakpoint
ALTER TABLE `mail_log` ADD `application_id` integer;--> statement-breakpoint
CREATE INDEX `mail_log_application` ON `mail_log` (`application_id`);--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `staff_alert_at` integer;--> statement-breakpoint
-- The タイムライン's own events, written here so no code path can change an application
-- without leaving its trace. `at` is the application's updated_at (the service's clock).
CREATE TRIGGER `application_events_applied` AFTER INSERT ON `applications`
BEGIN
	INSERT INTO `application_events` (`application_id`, `at`, `kind`, `detail`)
	VALUES (new.`id`, new.`created_at`, 'applied', json_object('amount', new.`amount`, 'method', new.`payment_method`, 'deadline', new.`payment_deadline`));
END;
--> statement-breakpoint
CREATE TRIGGER `application_events_opened` AFTER UPDATE OF `provider_payment_id`, `provider_session_id` ON `applications`
WHEN old.`provider_payment_id` IS NOT new.`provider_payment_id` OR old.`provider_session_id` IS NOT new.`provider_session_id`
BEGIN
	INSERT INTO `application_events` (`application_id`, `at`, `kind`, `detail`)
	VALUES (new.`id`, new.`updated_at`, 'opened', json_object('paymentId', new.`provider_payment_id`, 'sessionId', new.`provider_session_id`, 'paymentNumber', new.`payment_number`));
END;
--> statement-breakpoint
CREATE TRIGGER `application_events_payment` AFTER UPDATE OF `status` ON `applications`
WHEN old.`status` IS NOT new.`status`
BEGIN
	INSERT INTO `application_events` (`application_id`, `at`, `kind`, `detail`)
	VALUES (new.`id`, new.`updated_at`, 'payment', json_object('from', old.`status`, 'to', new.`status`, 'outcome', new.`payment_outcome`, 'paidAt', new.`paid_at`, 'refundedAt', new.`refunded_at`));
END;
--> statement-breakpoint
CREATE TRIGGER `application_events_credit` AFTER UPDATE OF `credit_status`, `credit_attempts` ON `applications`
WHEN old.`credit_status` IS NOT new.`credit_status` OR old.`credit_attempts` IS NOT new.`credit_attempts`
BEGIN
	INSERT INTO `application_events` (`application_id`, `at`, `kind`, `detail`)
	VALUES (new.`id`, new.`updated_at`, 'credit', json_object('from', old.`credit_status`, 'to', new.`credit_status`, 'attempt', new.`credit_attempts`, 'answer', new.`credit_error`, 'micCreditId', new.`mic_credit_id`, 'nextAt', new.`next_credit_at`));
END;
--> statement-breakpoint
-- The audit log is append-only.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
