-- Trigram indexes serve substring searches; pg_trgm ships with PostgreSQL and as a PGlite extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "api_clients_name_idx";--> statement-breakpoint
DROP INDEX "integrations_name_lower_idx";--> statement-breakpoint
CREATE INDEX "api_clients_name_trgm_idx" ON "api_clients" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "api_clients_client_key_trgm_idx" ON "api_clients" USING gin ("client_key" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tills_code_order_idx" ON "tills" USING btree (lower("code") collate "C","id");--> statement-breakpoint
CREATE INDEX "tills_name_prefix_idx" ON "tills" USING btree (lower("name") collate "C");--> statement-breakpoint
CREATE INDEX "tills_search_trgm_idx" ON "tills" USING gin (("code" || ' ' || "name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "auth_configs_identifier_order_idx" ON "auth_configs" USING btree (lower("identifier") collate "C","id");--> statement-breakpoint
CREATE INDEX "auth_configs_identifier_trgm_idx" ON "auth_configs" USING gin ("identifier" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "integrations_name_trgm_idx" ON "integrations" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "api_clients_name_idx" ON "api_clients" USING btree (lower("name") collate "C","id");--> statement-breakpoint
CREATE INDEX "integrations_name_lower_idx" ON "integrations" USING btree (lower("name") collate "C","id");