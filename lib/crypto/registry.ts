import "server-only";
import type { SealBinding } from "./seal";

/** A text column holding sealed values, named as in SQL (snake_case). */
export interface SealedColumn {
  table: string;
  /** The row's primary key; its value becomes the binding's rowId. */
  idColumn: string;
  column: string;
}

/** The sealed credential columns of auth configs (db/schema/auth-configs.ts). */
export const authConfigSealedColumns = {
  tokenUrl: { table: "auth_configs", idColumn: "id", column: "token_url_sealed" },
  scope: { table: "auth_configs", idColumn: "id", column: "scope_sealed" },
  clientId: { table: "auth_configs", idColumn: "id", column: "client_id_sealed" },
  clientSecret: { table: "auth_configs", idColumn: "id", column: "client_secret_sealed" },
} as const satisfies Record<string, SealedColumn>;

/** The write-only credentials of integrations' OAuth clients (db/schema/integrations.ts). */
export const integrationOAuthSealedColumns = {
  authUrl: {
    table: "integration_oauth_clients",
    idColumn: "integration_id",
    column: "auth_url_sealed",
  },
  tokenUrl: {
    table: "integration_oauth_clients",
    idColumn: "integration_id",
    column: "token_url_sealed",
  },
  clientId: {
    table: "integration_oauth_clients",
    idColumn: "integration_id",
    column: "client_id_sealed",
  },
  clientSecret: {
    table: "integration_oauth_clients",
    idColumn: "integration_id",
    column: "client_secret_sealed",
  },
} as const satisfies Record<string, SealedColumn>;

/** An end user's (or the service account's) credentials for an integration, as sealed JSON. */
export const connectionValuesSealedColumn = {
  table: "integration_connections",
  idColumn: "id",
  column: "values_sealed",
} as const satisfies SealedColumn;

/** The PKCE code_verifier of an OAuth flow in progress (integration_oauth_states). */
export const oauthStateVerifierSealedColumn = {
  table: "integration_oauth_states",
  idColumn: "state_hash",
  column: "code_verifier_sealed",
} as const satisfies SealedColumn;

/** An OAUTH_DCR integration's registered client (integration_oauth_registrations). */
export const oauthRegistrationSealedColumns = {
  clientId: {
    table: "integration_oauth_registrations",
    idColumn: "integration_id",
    column: "client_id_sealed",
  },
  clientSecret: {
    table: "integration_oauth_registrations",
    idColumn: "integration_id",
    column: "client_secret_sealed",
  },
  registrationAccessToken: {
    table: "integration_oauth_registrations",
    idColumn: "integration_id",
    column: "registration_access_token_sealed",
  },
} as const satisfies Record<string, SealedColumn>;

/** An admin's TOTP shared secret (db/schema/admins.ts). */
export const adminTotpSecretSealedColumn = {
  table: "admins",
  idColumn: "id",
  column: "totp_secret_sealed",
} as const satisfies SealedColumn;

/**
 * Every sealed column in the schema, so `npm run keys:rotate` re-encrypts all of them. A feature
 * that adds one declares it here in the same change, and seals and opens its values with
 * `sealBindingFor` so rotation binds them the same way.
 */
export const sealedColumns: SealedColumn[] = [
  ...Object.values(authConfigSealedColumns),
  ...Object.values(integrationOAuthSealedColumns),
  connectionValuesSealedColumn,
  oauthStateVerifierSealedColumn,
  ...Object.values(oauthRegistrationSealedColumns),
  adminTotpSecretSealedColumn,
];

/** The binding of a value stored in `sealedColumn` of the row whose id is `rowId`. */
export function sealBindingFor(sealedColumn: SealedColumn, rowId: unknown): SealBinding {
  return { table: sealedColumn.table, column: sealedColumn.column, rowId: String(rowId) };
}
