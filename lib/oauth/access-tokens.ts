import "server-only";
import {
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { Keyring } from "@/lib/crypto";

/**
 * Access tokens are signed, not stored:
 *
 *   adk_at_<claims>.<signature>
 *
 * `claims` is base64url JSON (key version, token id, client, scope, issue and expiry times in
 * epoch seconds) and `signature` the base64url HMAC-SHA-256 of everything before the dot, under
 * a key derived with HKDF from the keyring's key of that version. Issuing a token therefore
 * writes nothing, and a token survives restarts and works on every instance that shares the
 * keyring. Revocation is still immediate because every use also asks the database whether the
 * client still exists and the token id is on the revocation list (lib/oauth/tokens.ts).
 *
 * The `adk_at_` prefix lets secret scanners recognise a leaked token; the signature lets us
 * refuse a made-up or mistyped one without a query.
 */
export interface AccessTokenClaims {
  keyVersion: number;
  /** 128 random bits, base64url: what /oauth/revoke puts on the revocation list. */
  tokenId: string;
  /** The client's row id (`cli_…`). */
  clientId: string;
  /** Space-separated scopes granted at issue. */
  scope: string;
  issuedAt: number;
  expiresAt: number;
}

export type NewTokenClaims = Omit<AccessTokenClaims, "keyVersion" | "tokenId">;

export interface AccessTokenSigner {
  sign(claims: NewTokenClaims): { token: string; claims: AccessTokenClaims };
  /** The claims of a token we signed with a key still in the keyring; undefined otherwise. */
  verify(token: string): AccessTokenClaims | undefined;
}

export const ACCESS_TOKEN_PREFIX = "adk_at_";
/** Far above any real token (a few hundred bytes), so nothing huge is ever hashed or parsed. */
const MAX_TOKEN_LENGTH = 4096;
const SIGNING_KEY_INFO = "authdesk access token signing v1";

/** The claims as they travel: short names, since they are in every API request. */
interface WireClaims {
  k: number;
  j: string;
  c: string;
  s: string;
  i: number;
  e: number;
}

export function createAccessTokenSigner(keyring: Keyring): AccessTokenSigner {
  const signingKeys = new Map<number, KeyObject>();

  /** Derived once per version: the keyring's key itself only ever encrypts columns. */
  function signingKey(version: number): KeyObject | undefined {
    const cached = signingKeys.get(version);
    if (cached) return cached;
    const encryptionKey = keyring.keyFor(version);
    if (!encryptionKey) return undefined;
    const derived = createSecretKey(
      Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), SIGNING_KEY_INFO, 32)),
    );
    signingKeys.set(version, derived);
    return derived;
  }

  function sign(claims: NewTokenClaims) {
    const keyVersion = keyring.currentVersion;
    const key = signingKey(keyVersion);
    if (!key) throw new Error(`The keyring has no key ${keyVersion}`);
    const full: AccessTokenClaims = {
      keyVersion,
      tokenId: randomBytes(16).toString("base64url"),
      ...claims,
    };
    const wire: WireClaims = {
      k: full.keyVersion,
      j: full.tokenId,
      c: full.clientId,
      s: full.scope,
      i: full.issuedAt,
      e: full.expiresAt,
    };
    const signed = `${ACCESS_TOKEN_PREFIX}${Buffer.from(JSON.stringify(wire)).toString("base64url")}`;
    return { token: `${signed}.${mac(key, signed).toString("base64url")}`, claims: full };
  }

  function verify(token: string): AccessTokenClaims | undefined {
    if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(ACCESS_TOKEN_PREFIX)) return undefined;
    const dot = token.lastIndexOf(".");
    if (dot < 0) return undefined;
    const signed = token.slice(0, dot);
    const wire = parseWireClaims(signed.slice(ACCESS_TOKEN_PREFIX.length));
    const key = wire && signingKey(wire.k);
    if (!wire || !key) return undefined;
    // Compared as text, not decoded: base64url decoding ignores stray characters and the last
    // character's spare bits, which would give one token many accepted spellings.
    const presented = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(mac(key, signed).toString("base64url"));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return undefined;
    }
    return {
      keyVersion: wire.k,
      tokenId: wire.j,
      clientId: wire.c,
      scope: wire.s,
      issuedAt: wire.i,
      expiresAt: wire.e,
    };
  }

  return { sign, verify };
}

function mac(key: KeyObject, signed: string): Buffer {
  return createHmac("sha256", key).update(signed).digest();
}

/**
 * Parsed before the signature is checked (the key version says which key to check it with), so
 * this must take any string: anything but the exact shape is undefined, never an exception.
 */
function parseWireClaims(encoded: string): WireClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { k, j, c, s, i, e } = value as Record<string, unknown>;
  const integers = [k, i, e].every(Number.isSafeInteger);
  const strings = [j, c, s].every((part) => typeof part === "string");
  return integers && strings ? (value as WireClaims) : undefined;
}
