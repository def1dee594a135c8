CREATE TABLE "integration_connect_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"integration_id" uuid NOT NULL,
	"auth_version" integer NOT NULL,
	"end_user_id" text NOT NULL,
	"return_url" text,
	"created_by_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"spent_at" timestamp with time zone,
	"connection_id" text
);
--> statement-breakpoint
CREATE TABLE "integration_oauth_registrations" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"fingerprint" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"redirect_uri" text NOT NULL,
	"token_endpoint_auth_method" text NOT NULL,
	"client_id_sealed" text NOT NULL,
	"client_secret_sealed" text,
	"registration_access_token_sealed" text,
	"client_secret_expires_at" timestamp with time zone,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_oauth_states" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"connect_session_id" text NOT NULL,
	"integration_id" uuid NOT NULL,
	"auth_version" integer NOT NULL,
	"auth_revision" integer NOT NULL,
	"browser_binding_hash" text NOT NULL,
	"code_verifier_sealed" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "credentials_revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "refresh_lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "refreshed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "last_refresh_error" text;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "oauth_client_key" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "connect_return_urls" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_connect_sessions" ADD CONSTRAINT "integration_connect_sessions_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_oauth_registrations" ADD CONSTRAINT "integration_oauth_registrations_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_oauth_states" ADD CONSTRAINT "integration_oauth_states_connect_session_id_integration_connect_sessions_id_fk" FOREIGN KEY ("connect_session_id") REFERENCES "public"."integration_connect_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "integration_connect_sessions_token_idx" ON "integration_connect_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "integration_connect_sessions_expires_idx" ON "integration_connect_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "integration_oauth_states_session_idx" ON "integration_oauth_states" USING btree ("connect_session_id");