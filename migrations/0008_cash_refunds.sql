CREATE TABLE `cash_refunds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`application_id` integer NOT NULL,
	`university_id` text NOT NULL,
	`requested_at` integer NOT NULL,
	`previous_credit_status` text NOT NULL,
	`gateway_request_id` text,
	`outcome` text,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cash_refunds_open` ON `cash_refunds` (`application_id`) WHERE outcome IS NULL;--> statement-breakpoint
CREATE INDEX `cash_refunds_application` ON `cash_refunds` (`application_id`,`id`);