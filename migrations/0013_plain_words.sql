-- Issue 22: the English values of the settings students read (English pages and mails use
-- them; '' on a row made before, until its staff fill them in). Issue 21: where the console
-- sends a student whose money is already on the card, in both languages.
ALTER TABLE `universities` ADD `legal_name_en` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `universities` ADD `call_centre_name_en` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `universities` ADD `call_centre_hours_en` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `universities` ADD `mail_from_name_en` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `universities` ADD `card_money_desk` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `universities` ADD `card_money_desk_en` text DEFAULT '' NOT NULL;