ALTER TABLE "platform_settings" ADD COLUMN "mpesa_environment" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mpesa_account_type" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mpesa_shortcode" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mpesa_till_number" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mpesa_consumer_key_enc" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mpesa_consumer_secret_enc" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mpesa_passkey_enc" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "sms_username" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "sms_api_key_enc" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "sms_sender_id" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mail_from_name" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD COLUMN "mail_from_address" text;--> statement-breakpoint
ALTER TABLE "platform_settings" ADD CONSTRAINT "platform_settings_mpesa_complete" CHECK (num_nulls("platform_settings"."mpesa_environment", "platform_settings"."mpesa_account_type", "platform_settings"."mpesa_shortcode", "platform_settings"."mpesa_consumer_key_enc", "platform_settings"."mpesa_consumer_secret_enc", "platform_settings"."mpesa_passkey_enc") in (0, 6));--> statement-breakpoint
ALTER TABLE "platform_settings" ADD CONSTRAINT "platform_settings_sms_complete" CHECK (num_nulls("platform_settings"."sms_username", "platform_settings"."sms_api_key_enc") in (0, 2));--> statement-breakpoint
ALTER TABLE "platform_settings" ADD CONSTRAINT "platform_settings_mail_from_complete" CHECK (num_nulls("platform_settings"."mail_from_name", "platform_settings"."mail_from_address") in (0, 2));