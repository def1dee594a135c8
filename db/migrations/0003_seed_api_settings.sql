-- The organisation's settings row (Basic authentication on by default) and the seeded API groups.
INSERT INTO "organization_settings" ("id", "basic_auth_enabled") VALUES (1, true) ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "api_groups" ("id", "slug", "name", "built_in") VALUES
  ('grp_target_groups', 'target-groups', 'Target Groups', true),
  ('grp_transaction', 'transaction', 'Transaction', true),
  ('grp_integrations', 'integrations', 'Integrations', true),
  ('grp_all', 'all', 'All (other APIs)', true)
ON CONFLICT DO NOTHING;
