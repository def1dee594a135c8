-- Credential lifecycle: an API client keeps the hash of its previous secret for a grace period
-- after a roll, and a not-before time for its tokens ("Revoke all tokens"); an auth config
-- replaced under the same identifier names the config it replaced. Nullable columns only: every
-- existing row means "no roll, no revocation, no predecessor".
ALTER TABLE "api_clients" ADD COLUMN "secret_rolled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "previous_secret_hash" text;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "previous_secret_prefix" text;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "previous_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "tokens_valid_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "auth_configs" ADD COLUMN "replaces_id" text;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_previous_secret_whole" CHECK (("api_clients"."previous_secret_hash" is null) = ("api_clients"."previous_secret_expires_at" is null)
        and ("api_clients"."previous_secret_hash" is null) = ("api_clients"."previous_secret_prefix" is null));