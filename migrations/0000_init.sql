CREATE TABLE `directory_people` (
	`university_id` text NOT NULL,
	`user_id` text NOT NULL,
	`password_hash` text NOT NULL,
	`name_kana` text NOT NULL,
	PRIMARY KEY(`university_id`, `user_id`),
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`window_started_at` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE TABLE `mail_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`university_id` text NOT NULL,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`kind` text NOT NULL,
	`transport` text NOT NULL,
	`result` text NOT NULL,
	`error` text,
	`body` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mail_log_created` ON `mail_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `payment_notifications` (
	`event_id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`dead_lettered_at` integer
);
--> statement-breakpoint
CREATE TABLE `students` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`university_id` text NOT NULL,
	`user_id` text NOT NULL,
	`name_kana` text NOT NULL,
	`email` text,
	`second_password_hash` text,
	`last_login_at` integer,
	`current_login_at` integer,
	`credential_epoch` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `students_university_user` ON `students` (`university_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `students_university_email` ON `students` (`university_id`,`email`);--> statement-breakpoint
CREATE TABLE `universities` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_en` text NOT NULL,
	`legal_name` text NOT NULL,
	`call_centre_name` text NOT NULL,
	`call_centre_phone` text NOT NULL,
	`call_centre_hours` text NOT NULL,
	`mail_from` text NOT NULL,
	`mail_from_name` text NOT NULL,
	`balance_cap` integer NOT NULL,
	`min_charge` integer DEFAULT 1 NOT NULL,
	`charge_step` integer DEFAULT 1 NOT NULL,
	`payment_methods` text NOT NULL,
	`payment_deadline_days` integer NOT NULL,
	`fiscal_year_end_blackouts` text DEFAULT '[]' NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `university_hosts` (
	`hostname` text PRIMARY KEY NOT NULL,
	`university_id` text NOT NULL,
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
