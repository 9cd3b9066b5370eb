CREATE TABLE `roster_import_rows` (
	`import_id` integer NOT NULL,
	`line` integer NOT NULL,
	`user_id` text,
	`name_kana` text,
	`name` text,
	`status` text,
	`left_on` text,
	`password_hash` text,
	`change` text NOT NULL,
	`reason` text,
	PRIMARY KEY(`import_id`, `line`),
	FOREIGN KEY (`import_id`) REFERENCES `roster_imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `roster_import_rows_change` ON `roster_import_rows` (`import_id`,`change`,`line`);--> statement-breakpoint
CREATE INDEX `roster_import_rows_user` ON `roster_import_rows` (`import_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `roster_imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`university_id` text NOT NULL,
	`source` text NOT NULL,
	`state` text NOT NULL,
	`file_name` text,
	`file_key` text,
	`encoding` text,
	`total_rows` integer DEFAULT 0 NOT NULL,
	`checked_rows` integer DEFAULT 0 NOT NULL,
	`new_count` integer DEFAULT 0 NOT NULL,
	`changed_count` integer DEFAULT 0 NOT NULL,
	`leaving_count` integer DEFAULT 0 NOT NULL,
	`unchanged_count` integer DEFAULT 0 NOT NULL,
	`rejected_count` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`applied_at` integer,
	`applied_by` integer,
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `roster_imports_university` ON `roster_imports` (`university_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `__new_directory_people` (
	`university_id` text NOT NULL,
	`user_id` text NOT NULL,
	`password_hash` text,
	`name_kana` text NOT NULL,
	`name` text,
	`status` text DEFAULT 'enrolled' NOT NULL,
	`left_on` text,
	`source` text DEFAULT 'seed' NOT NULL,
	`updated_at` integer,
	PRIMARY KEY(`university_id`, `user_id`),
	FOREIGN KEY (`university_id`) REFERENCES `universities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_directory_people`("university_id", "user_id", "password_hash", "name_kana") SELECT "university_id", "user_id", "password_hash", "name_kana" FROM `directory_people`;--> statement-breakpoint
DROP TABLE `directory_people`;--> statement-breakpoint
ALTER TABLE `__new_directory_people` RENAME TO `directory_people`;--> statement-breakpoint
CREATE INDEX `directory_people_left` ON `directory_people` (`university_id`,`left_on`);--> statement-breakpoint
ALTER TABLE `students` ADD `pseudonymised_at` integer;--> statement-breakpoint
ALTER TABLE `universities` ADD `suspended_at` integer;--> statement-breakpoint
ALTER TABLE `universities` ADD `suspended_reason` text;--> statement-breakpoint
ALTER TABLE `universities` ADD `retention_years` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `universities` ADD `roster_synced_through` integer;