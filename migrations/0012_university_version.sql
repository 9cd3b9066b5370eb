-- Each isolate keeps the university it last read and checks this version on every request, in
-- the same D1 batch as the request's other reads: any change of the row, by any path (大学設定,
-- the operator's edit, a suspension, the nightly sync), moves it, so the next request anywhere
-- reads the row again.
ALTER TABLE `universities` ADD `version` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `universities_version` AFTER UPDATE ON `universities`
WHEN old.`version` IS new.`version`
BEGIN
	UPDATE `universities` SET `version` = old.`version` + 1 WHERE `id` = new.`id`;
END;
