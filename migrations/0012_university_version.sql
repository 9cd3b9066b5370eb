-- Each isolate keeps the university it last read and checks the row's version on every
-- request, in the same D1 batch as the request's other reads (src/flows/firstReads.ts). Any
-- change of the row, by any path (大学設定, the operator's edit, a suspension, the nightly
-- sync), moves it; and every version comes from one counter, so a row deleted and made again
-- by hand never takes a number an isolate may still hold for the old one.
CREATE TABLE `university_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `university_versions` (`id`, `last`) VALUES (1, 0);
--> statement-breakpoint
ALTER TABLE `universities` ADD `version` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `universities_version_update` AFTER UPDATE ON `universities`
WHEN old.`version` IS new.`version`
BEGIN
	UPDATE `university_versions` SET `last` = `last` + 1 WHERE `id` = 1;
	UPDATE `universities` SET `version` = (SELECT `last` FROM `university_versions` WHERE `id` = 1) WHERE `id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `universities_version_insert` AFTER INSERT ON `universities`
BEGIN
	UPDATE `university_versions` SET `last` = `last` + 1 WHERE `id` = 1;
	UPDATE `universities` SET `version` = (SELECT `last` FROM `university_versions` WHERE `id` = 1) WHERE `id` = new.`id`;
END;
