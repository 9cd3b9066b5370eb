CREATE TABLE `applications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`university_id` text NOT NULL,
	`student_id` integer NOT NULL,
	`kind` text DEFAULT 'mic_charge' NOT NULL,
	`quantity` integer DEFAULT 1 NOT NULL,
	`amount` integer NOT NULL,
	`payment_method` text NOT NULL,
	`status` text DEFAULT 'awaiting_payment' NOT NULL,
	`payment_outcome` text,
	`request_key` text NOT NULL,
	`lang` text DEFAULT 'ja' NOT NULL,
	`provider` text NOT NULL,
	`provider_payment_id` text,
	`payment_url` text,
	`payment_number` text,
	`payment_deadline` integer NOT NULL,
	`paid_at` integer,
	`credit_status` text DEFAULT 'none' NOT NULL,
	`credit_attempts` integer DEFAULT 0 NOT NULL,
	`next_credit_at` integer,
	`credited_at` integer,
	`mic_credit_id` text,
	`credit_error` text,
	`completion_mail_at` integer,
	`deadline_mail_at` integer,
	`error_mail_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `applications_request` ON `applications` (`student_id`,`request_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `applications_provider_payment` ON `applications` (`provider`,`provider_payment_id`);--> statement-breakpoint
CREATE INDEX `applications_student` ON `applications` (`student_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `applications_credit_due` ON `applications` (`credit_status`,`next_credit_at`);--> statement-breakpoint
CREATE INDEX `applications_awaiting` ON `applications` (`status`,`payment_deadline`);--> statement-breakpoint
CREATE TABLE `dev_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_receipts` (
	`signature` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notification_receipts_received` ON `notification_receipts` (`received_at`);--> statement-breakpoint
CREATE TABLE `notification_rejections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`reason` text NOT NULL,
	`detail` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notification_rejections_received` ON `notification_rejections` (`received_at`);--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `application_id` integer;--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `applied_at` integer;--> statement-breakpoint
ALTER TABLE `students` ADD `mic_balance` integer;--> statement-breakpoint
ALTER TABLE `students` ADD `mic_balance_at` integer;