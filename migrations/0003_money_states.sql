ALTER TABLE `applications` ADD `credit_sent_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `refunded_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `held_mail_at` integer;--> statement-breakpoint
ALTER TABLE `applications` ADD `staff_alert_at` integer;--> statement-breakpoint
ALTER TABLE `universities` ADD `staff_alert_email` text;--> statement-breakpoint
-- The old catch-all 'failed' credit status gets its name: an amount the gateway reported
-- differently, or M.I.C.'s refusal.
UPDATE `applications` SET `credit_status` = CASE WHEN `credit_error` LIKE 'amount_mismatch%' THEN 'mismatch' ELSE 'refused' END WHERE `credit_status` = 'failed';
--> statement-breakpoint
-- A credit already on its way may have reached M.I.C. (a lost answer): only M.I.C.'s own
-- idempotent answer may decide it now, never a balance check (which would hold it, and
-- offer a refund of what may already be on the card).
UPDATE `applications` SET `credit_sent_at` = `updated_at` WHERE `status` = 'paid' AND `credit_status` IN ('pending', 'deferred', 'retrying') AND `credit_attempts` > 0;
