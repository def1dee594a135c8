-- Least privilege (docs/least-privilege.md). Auth configs get an access list like integrations'
-- (api_access + auth_config_api_clients), and tills an explicit permission per API group.
-- Existing behaviour is kept for existing rows: every auth config that exists now is set to
-- "all" (every API client with all:read or all:write, and tills, may fetch its tokens, as
-- before); new ones start as "selected" with nobody chosen. Every till that exists now gets
-- Modify on every API group that exists now, which is every scope it carried before; groups
-- added later start at None for tills, as for API clients.
CREATE TABLE "till_permissions" (
	"till_id" text NOT NULL,
	"group_id" text NOT NULL,
	"level" text NOT NULL,
	CONSTRAINT "till_permissions_till_id_group_id_pk" PRIMARY KEY("till_id","group_id")
);
--> statement-breakpoint
CREATE TABLE "auth_config_api_clients" (
	"auth_config_id" text NOT NULL,
	"api_client_id" text NOT NULL,
	CONSTRAINT "auth_config_api_clients_auth_config_id_api_client_id_pk" PRIMARY KEY("auth_config_id","api_client_id")
);
--> statement-breakpoint
ALTER TABLE "auth_configs" ADD COLUMN "api_access" text DEFAULT 'selected' NOT NULL;--> statement-breakpoint
ALTER TABLE "auth_configs" ADD COLUMN "api_access_tills" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "api_access_tills" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "till_permissions" ADD CONSTRAINT "till_permissions_till_id_tills_id_fk" FOREIGN KEY ("till_id") REFERENCES "public"."tills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "till_permissions" ADD CONSTRAINT "till_permissions_group_id_api_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."api_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_config_api_clients" ADD CONSTRAINT "auth_config_api_clients_auth_config_id_auth_configs_id_fk" FOREIGN KEY ("auth_config_id") REFERENCES "public"."auth_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_config_api_clients" ADD CONSTRAINT "auth_config_api_clients_api_client_id_api_clients_id_fk" FOREIGN KEY ("api_client_id") REFERENCES "public"."api_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "till_permissions_group_idx" ON "till_permissions" USING btree ("group_id","till_id");--> statement-breakpoint
CREATE INDEX "auth_config_api_clients_client_idx" ON "auth_config_api_clients" USING btree ("api_client_id");--> statement-breakpoint
UPDATE "auth_configs" SET "api_access" = 'all';--> statement-breakpoint
INSERT INTO "till_permissions" ("till_id", "group_id", "level") SELECT "tills"."id", "api_groups"."id", 'write' FROM "tills" CROSS JOIN "api_groups";
