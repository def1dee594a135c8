CREATE TABLE "auth_configs" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"type" text NOT NULL,
	"token_url_sealed" text NOT NULL,
	"scope_sealed" text NOT NULL,
	"client_id_sealed" text NOT NULL,
	"client_secret_sealed" text NOT NULL,
	"auth_method" text NOT NULL,
	"audience" text,
	"description" text,
	"created_by_id" text,
	"created_by_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"tokens_fetched" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "auth_configs" ADD CONSTRAINT "auth_configs_created_by_id_admins_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "auth_configs_identifier_lower_idx" ON "auth_configs" USING btree (lower("identifier"));--> statement-breakpoint
CREATE INDEX "auth_configs_created_idx" ON "auth_configs" USING btree ("created_at");