CREATE TABLE `certificate_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`type` text NOT NULL,
	`language` text NOT NULL,
	`copies` integer NOT NULL,
	`unit_fee` integer NOT NULL,
	`registrar_issuance_id` text
);
--> statement-breakpoint
CREATE INDEX `certificate_lines_application` ON `certificate_lines` (`application_id`,`id`);--> statement-breakpoint
CREATE TABLE `certificate_orders` (
	`application_id` integer PRIMARY KEY NOT NULL,
	`university_id` text NOT NULL,
	`student_id` integer NOT NULL,
	`delivery` text NOT NULL,
	`site_origin` text NOT NULL,
	`recipient_name` text,
	`recipient_organisation` text,
	`recipient_email` text,
	`postal_address` text,
	`sealed` integer DEFAULT false NOT NULL,
	`postage` integer DEFAULT 0 NOT NULL,
	`post_status` text,
	`tracking_number` text,
	`printed_at` integer,
	`enclosed_at` integer,
	`shipped_at` integer,
	`recipient_mail_at` integer,
	`issued_mail_at` integer
);
--> statement-breakpoint
CREATE INDEX `certificate_orders_post` ON `certificate_orders` (`university_id`,`post_status`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`line_id` integer NOT NULL,
	`university_id` text NOT NULL,
	`copy` integer NOT NULL,
	`type` text NOT NULL,
	`language` text NOT NULL,
	`issue_number` text NOT NULL,
	`verification_code` text NOT NULL,
	`holder_name` text NOT NULL,
	`object_key` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`revoked_at` integer,
	`revoked_by` integer,
	`revoke_reason` text,
	`replaces_id` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_code` ON `certificates` (`verification_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_copy` ON `certificates` (`line_id`,`copy`) WHERE replaces_id IS NULL;--> statement-breakpoint
CREATE INDEX `certificates_application` ON `certificates` (`application_id`,`id`);--> statement-breakpoint
CREATE TABLE `recipient_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`application_id` integer NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `universities` ADD `certificate_settings` text DEFAULT '{}' NOT NULL;