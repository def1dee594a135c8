/**
 * Every action the code records, for the audit log's action menu. The menu is built from this
 * list rather than from the log, so it costs nothing however long the log grows; `recordAudit`
 * accepts only these names, and actions.test.ts fails when the source records one that is
 * missing here.
 */
export const AUDIT_ACTIONS = [
  "admin.created",
  "admin.sign_in_failed",
  "admin.signed_in",
  "admin.signed_out",
  "api_client.deleted",
  "api_client.old_secret_expired",
  "api_client.registered",
  "api_client.secret_rolled",
  "api_client.tokens_revoked",
  "api_group.created",
  "api_group.deleted",
  "auth_config.api_access_changed",
  "auth_config.created",
  "auth_config.deleted",
  "auth_config.replaced",
  "auth_config.tested",
  "auth_config.unreadable",
  "integration.api_access_changed",
  "integration.auth_tested",
  "integration.auth_updated",
  "integration.connect_return_urls_changed",
  "integration.connect_session_created",
  "integration.connection_created",
  "integration.connection_credentials_read",
  "integration.connection_deleted",
  "integration.connection_needs_reconnect",
  "integration.connection_refreshed",
  "integration.connection_replaced",
  "integration.connection_unreadable",
  "integration.created",
  "integration.deleted",
  "settings.basic_auth_changed",
  "till.created",
  "till.deleted",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
