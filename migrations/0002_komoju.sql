DROP TABLE `notification_receipts`;--> statement-breakpoint
ALTER TABLE `applications` ADD `provider_session_id` text;--> statement-breakpoint
ALTER TABLE `applications` ADD `payment_details` text;--> statement-breakpoint
ALTER TABLE `applications` ADD `contact_phone` text;--> statement-breakpoint
CREATE INDEX `applications_provider_session` ON `applications` (`provider`,`provider_session_id`);--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `university_id` text;--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `payment_id` text;--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `universities` ADD `gateway_account` text DEFAULT 'default' NOT NULL;