import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt } from "./columns";

/** Owner > Admin > Viewer; lib/auth/roles.ts says what each may do. */
export const ADMIN_ROLES = ["owner", "admin", "viewer"] as const;

const timestampColumn = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const admins = pgTable(
  "admins",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ADMIN_ROLES }).notNull(),
    lastSignedInAt: timestampColumn("last_signed_in_at"),
    /**
     * The TOTP shared secret (RFC 6238), sealed like every other secret we must read back
     * (lib/crypto/registry.ts). Written when set-up starts; it signs nobody in until a code from
     * the authenticator app proves it and sets `totp_enabled_at`.
     */
    totpSecretSealed: text("totp_secret_sealed"),
    totpEnabledAt: timestampColumn("totp_enabled_at"),
    /**
     * The session that started a set-up not yet confirmed: only it may confirm, and another
     * session starting set-up gets a new secret, so a secret once shown elsewhere is never enrolled.
     */
    totpPendingSessionId: text("totp_pending_session_id"),
    /** The last time step a code was accepted for, so a code cannot be used twice (RFC 6238 §5.2). */
    totpLastStep: integer("totp_last_step"),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("admins_email_lower_idx").on(sql`lower(${table.email})`),
    check("admins_role_known", sql`${table.role} in ('owner', 'admin', 'viewer')`),
  ],
);

/** Sessions are looked up by the SHA-256 of the cookie token, so a database leak gives no usable cookie. */
export const adminSessions = pgTable(
  "admin_sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    /** The session's name in the account page's list: not a credential, unlike the token. */
    id: text("id").notNull(),
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestampColumn("expires_at").notNull(),
    /** Moved forward (at most once a minute) by each request; the idle timeout counts from it. */
    lastSeenAt: timestampColumn("last_seen_at").notNull().defaultNow(),
    clientAddress: text("client_address"),
    userAgent: text("user_agent"),
  },
  (table) => [
    uniqueIndex("admin_sessions_id_idx").on(table.id),
    index("admin_sessions_admin_idx").on(table.adminId),
    index("admin_sessions_expires_idx").on(table.expiresAt),
  ],
);

/**
 * A sign-in whose password was right, waiting for the second factor. The browser holds the
 * token in a short-lived cookie; only its SHA-256 is stored, as for sessions.
 */
export const adminSignInChallenges = pgTable(
  "admin_sign_in_challenges",
  {
    tokenHash: text("token_hash").primaryKey(),
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    createdAt: createdAt(),
    expiresAt: timestampColumn("expires_at").notNull(),
  },
  (table) => [index("admin_sign_in_challenges_admin_idx").on(table.adminId)],
);

/**
 * One-time recovery codes. They are long random strings, so SHA-256 is enough to keep them
 * useless to whoever reads the table; `used_at` makes each one work once.
 */
export const adminRecoveryCodes = pgTable(
  "admin_recovery_codes",
  {
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestampColumn("used_at"),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.adminId, table.codeHash] })],
);

/**
 * An invitation to join as an admin: a single-use link that expires. Only the SHA-256 of the
 * link's token is stored; the inviting admin sees the link once.
 */
export const adminInvitations = pgTable(
  "admin_invitations",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    email: text("email").notNull(),
    role: text("role", { enum: ADMIN_ROLES }).notNull(),
    invitedById: text("invited_by_id").references(() => admins.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestampColumn("expires_at").notNull(),
    acceptedAt: timestampColumn("accepted_at"),
    acceptedAdminId: text("accepted_admin_id").references(() => admins.id, {
      onDelete: "set null",
    }),
    revokedAt: timestampColumn("revoked_at"),
  },
  (table) => [
    uniqueIndex("admin_invitations_token_idx").on(table.tokenHash),
    index("admin_invitations_email_idx").on(sql`lower(${table.email})`),
    check("admin_invitations_role_known", sql`${table.role} in ('owner', 'admin', 'viewer')`),
  ],
);
