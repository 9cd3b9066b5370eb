ALTER TABLE `applications` ADD `gateway_checked_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `gateway_refunded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `applications` ADD `gateway_chargeback` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `applications` ADD `credit_amount` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `reversal_resolved_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `reversal_resolved_by` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `reversal_note` text;--> statement-breakpoint
ALTER TABLE `applications` ADD `return_alert_at` integer;