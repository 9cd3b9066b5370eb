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
ALTER TABLE `universities` ADD `certificate_settings` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- No certificate stands for money that went back: when a certificate order's payment is
-- refunded (by the student's request, staff, KOMOJU's dashboard or a chargeback before every
-- line was issued), the certificates already issued for it are revoked, whichever path did it.
CREATE TRIGGER `certificates_revoked_on_refund` AFTER UPDATE OF `status` ON `applications`
WHEN NEW.`status` = 'refunded' AND OLD.`status` <> 'refunded' AND NEW.`kind` = 'certificate'
BEGIN
  UPDATE `certificates` SET `revoked_at` = NEW.`updated_at`, `revoke_reason` = 'payment_refunded'
  WHERE `application_id` = NEW.`id` AND `revoked_at` IS NULL;
END;
