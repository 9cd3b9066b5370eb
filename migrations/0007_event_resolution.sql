ALTER TABLE `payment_notifications` ADD `resolved_at` integer;--> statement-breakpoint
ALTER TABLE `payment_notifications` ADD `resolved_by` integer;