CREATE TABLE "integration_api_clients" (
	"integration_id" uuid NOT NULL,
	"api_client_id" text NOT NULL,
	CONSTRAINT "integration_api_clients_integration_id_api_client_id_pk" PRIMARY KEY("integration_id","api_client_id")
);
--> statement-breakpoint
CREATE TABLE "integration_auth_fields" (
	"id" text PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"slug" text NOT NULL,
	"label" text NOT NULL,
	"type" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"placeholder" text,
	"required" boolean DEFAULT false NOT NULL,
	CONSTRAINT "integration_auth_fields_type_known" CHECK ("integration_auth_fields"."type" in ('TEXT', 'MULTI_LINE_TEXT', 'PASSWORD', 'NUMBER', 'EMBEDDING_MODEL'))
);
--> statement-breakpoint
CREATE TABLE "integration_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"auth_version" integer NOT NULL,
	"end_user_id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"values_sealed" text NOT NULL,
	"last_tested_at" timestamp with time zone,
	"created_by_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_oauth_clients" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"scopes" text,
	"label" text,
	"authorization_code" text DEFAULT '' NOT NULL,
	"access_token_code" text DEFAULT '' NOT NULL,
	"refresh_token_code" text DEFAULT '' NOT NULL,
	"auth_url_sealed" text,
	"token_url_sealed" text,
	"client_id_sealed" text,
	"client_secret_sealed" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"auth_type" text DEFAULT 'NONE' NOT NULL,
	"auth_test_code" text,
	"auth_version" integer DEFAULT 1 NOT NULL,
	"auth_revision" integer DEFAULT 1 NOT NULL,
	"api_access" text DEFAULT 'all' NOT NULL,
	"created_by_id" text,
	"created_by_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"auth_updated_at" timestamp with time zone,
	CONSTRAINT "integrations_id_auth_version_key" UNIQUE("id","auth_version"),
	CONSTRAINT "integrations_auth_type_known" CHECK ("integrations"."auth_type" in ('NONE', 'API_KEY', 'OAUTH', 'OAUTH_DCR', 'SERVICE_ACCOUNT'))
);
--> statement-breakpoint
ALTER TABLE "integration_api_clients" ADD CONSTRAINT "integration_api_clients_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_api_clients" ADD CONSTRAINT "integration_api_clients_api_client_id_api_clients_id_fk" FOREIGN KEY ("api_client_id") REFERENCES "public"."api_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_auth_fields" ADD CONSTRAINT "integration_auth_fields_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_integration_version_fk" FOREIGN KEY ("integration_id","auth_version") REFERENCES "public"."integrations"("id","auth_version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_oauth_clients" ADD CONSTRAINT "integration_oauth_clients_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_created_by_id_admins_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "integration_api_clients_client_idx" ON "integration_api_clients" USING btree ("api_client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_auth_fields_slug_idx" ON "integration_auth_fields" USING btree ("integration_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_auth_fields_position_idx" ON "integration_auth_fields" USING btree ("integration_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "integration_connections_end_user_idx" ON "integration_connections" USING btree ("integration_id","end_user_id");--> statement-breakpoint
CREATE INDEX "integration_connections_created_idx" ON "integration_connections" USING btree ("integration_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "integrations_name_lower_idx" ON "integrations" USING btree (lower("name"),"id");