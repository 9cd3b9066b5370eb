ALTER TABLE `applications` ADD `credit_sent_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `refunded_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `held_mail_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `staff_alert_at` integer;--> statement-breakpoint
ALTER TABLE `universities` ADD `staff_alert_email` text;--> statement-breakpoint
-- The old catch-all 'failed' credit status gets its name: an amount the gateway reported
-- differently, or M.I.C.'s refusal.
UPDATE `applications` SET `credit_status` = CASE WHEN `credit_error` LIKE 'amount_mismatch%' THEN 'mismatch' ELSE 'refused' END WHERE `credit_status` = 'failed';
