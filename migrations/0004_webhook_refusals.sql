CREATE TABLE `webhook_refusals` (
	`university_id` text NOT NULL,
	`reason` text NOT NULL,
	`hour_start` integer NOT NULL,
	`count` integer NOT NULL,
	`last_at` integer NOT NULL,
	`last_detail` text,
	PRIMARY KEY(`university_id`, `reason`, `hour_start`)
);
--> statement-breakpoint
CREATE INDEX `webhook_refusals_hour` ON `webhook_refusals` (`hour_start`);--> statement-breakpoint
-- Refusals were stored one row each until now: fold them into hourly counts. The old rows
-- did not record the university, so their counts are kept under an empty university id.
INSERT INTO `webhook_refusals` (`university_id`, `reason`, `hour_start`, `count`, `last_at`, `last_detail`)
SELECT '', `reason`, (`received_at` / 3600000) * 3600000, COUNT(*), MAX(`received_at`), `detail`
FROM `notification_rejections`
GROUP BY `reason`, `received_at` / 3600000;--> statement-breakpoint
DROP TABLE `notification_rejections`;