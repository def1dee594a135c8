-- A till's and a group's clients are counted up to a cap in index order (cappedCount in
-- lib/paging/list-query.ts): the indexes gain the column that order is by.
DROP INDEX "api_client_permissions_group_idx";--> statement-breakpoint
DROP INDEX "api_clients_till_idx";--> statement-breakpoint
CREATE INDEX "api_client_permissions_group_idx" ON "api_client_permissions" USING btree ("group_id","client_id");--> statement-breakpoint
CREATE INDEX "api_clients_till_idx" ON "api_clients" USING btree ("till_id","id");