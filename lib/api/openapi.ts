import "server-only";
import type { OpenAPIObject } from "openapi3-ts/oas31";

/**
 * What the OpenAPI document says about itself: its title, and the tags that group operations
 * into areas. Served at /api/openapi.json and rendered by the console's Docs page, which shows
 * the areas in this order (an operation under a tag not listed here still appears, after them).
 */
export type OpenApiDocument = OpenAPIObject;

export const OPENAPI_PATH = "/api/openapi.json";

export const API_TAGS = {
  oauth: "OAuth server",
  authConfigs: "Auth configs",
  integrations: "Integrations",
  health: "Health",
  description: "API description",
} as const;

/** Everything but what the routes contribute. */
export const API_DOCUMENT_CONFIG: Omit<OpenApiDocument, "paths" | "components" | "webhooks"> = {
  openapi: "3.1.0",
  info: {
    title: "Authdesk API",
    version: "1",
    description:
      "The endpoints programs call. Get an access token from POST /oauth/token with an API client's key and secret, then call /api with `Authorization: Bearer <token>`, or with a till's Basic credentials while the organisation allows them. Requests from browsers (carrying Origin or Sec-Fetch-Site) are refused: secrets and tokens belong on servers.",
  },
  tags: [
    {
      name: API_TAGS.oauth,
      description:
        "The OAuth 2.0 authorization server: client credentials (RFC 6749), introspection (RFC 7662), revocation (RFC 7009) and metadata (RFC 8414). Errors are RFC 6749 §5.2 JSON. Bodies are form-encoded, at most 16 KiB, each parameter at most once; other methods get 405.",
    },
    {
      name: API_TAGS.authConfigs,
      description:
        "Outbound credentials: access tokens for other APIs, from the auth configs admins set up. Errors are RFC 9457 problem details.",
    },
    {
      name: API_TAGS.integrations,
      description:
        "Integrations' auth configuration (how end users connect to an external service) and their connections. Changes need the INTEGRATION_API scope (Modify on the Integrations API group). Errors are RFC 9457 problem details; a 400 lists each problem with its field path.",
    },
    { name: API_TAGS.health, description: "For load balancers and probes; no credentials." },
    { name: API_TAGS.description, description: "This document, as JSON; no credentials." },
  ],
};
