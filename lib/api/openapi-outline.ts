import "server-only";
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
  SecuritySchemeObject,
} from "openapi3-ts/oas31";
import type { OpenApiDocument } from "./openapi";

/**
 * The OpenAPI document turned into what the console's Docs page shows: operations grouped by
 * area (tag), with `$ref`s resolved and each schema flattened into fields with their types and
 * limits. Plain data, so the page stays a set of simple server components; any valid 3.1
 * document works, so routes added later appear without touching the page.
 */
export interface ApiOutline {
  title: string;
  version: string;
  description?: string;
  securitySchemes: SecuritySchemeOutline[];
  areas: AreaOutline[];
}

export interface SecuritySchemeOutline {
  name: string;
  /** "HTTP Basic", "HTTP Bearer", "API key in header X-Key", … */
  kind: string;
  description?: string;
}

export interface AreaOutline {
  /** A fragment id for the table of contents. */
  id: string;
  name: string;
  description?: string;
  operations: OperationOutline[];
}

export interface OperationOutline {
  id: string;
  method: string;
  path: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  /** Alternatives, any one of which will do; an alternative with no schemes needs no HTTP credentials. */
  security: SecuritySchemeOutline[][];
  parameters: FieldOutline[];
  requestBody?: BodyOutline;
  responses: ResponseOutline[];
}

export interface BodyOutline {
  mediaType: string;
  required: boolean;
  description?: string;
  schema: SchemaOutline;
}

export interface ResponseOutline {
  status: string;
  description: string;
  headers: { name: string; description?: string }[];
  body?: { mediaType: string; schema: SchemaOutline };
}

export interface FieldOutline {
  name: string;
  /** For parameters: path, query, header or cookie. */
  location?: string;
  required: boolean;
  schema: SchemaOutline;
}

export interface SchemaOutline {
  /** The component's name when the schema is a `$ref`. */
  name?: string;
  /** "string", "integer or null", "array of string", "one of"… */
  type: string;
  description?: string;
  /** enum or const values. */
  values: string[];
  /** Human-readable limits: "at most 100 characters", "matches ^…$", "≥ 1"… */
  constraints: string[];
  /** An object's properties (or the items' properties, for an array of objects). */
  fields: FieldOutline[];
  /** oneOf / anyOf alternatives. */
  variants: SchemaOutline[];
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
/** Deep enough for any real payload; stops a self-referencing schema from recursing forever. */
const MAX_DEPTH = 8;
const UNTAGGED = "Other";

export function outlineApi(document: OpenApiDocument): ApiOutline {
  const resolver = new Resolver(document);
  const schemes = document.components?.securitySchemes ?? {};
  return {
    title: document.info.title,
    version: document.info.version,
    description: document.info.description,
    securitySchemes: Object.keys(schemes).map((name) => securityScheme(resolver, name)),
    areas: groupIntoAreas(document, resolver),
  };
}

function groupIntoAreas(document: OpenApiDocument, resolver: Resolver): AreaOutline[] {
  const areas = new Map<string, AreaOutline>();
  const areaFor = (name: string, description?: string) => {
    let area = areas.get(name);
    if (!area) {
      area = { id: `area-${slug(name)}`, name, description, operations: [] };
      areas.set(name, area);
    }
    return area;
  };
  // Declared tags first, in the document's order, even before any operation uses them.
  for (const tag of document.tags ?? []) areaFor(tag.name, tag.description);
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // An operation with several tags is shown once, under its first.
      const area = areaFor(operation.tags?.[0] ?? UNTAGGED);
      area.operations.push(outlineOperation(resolver, method, path, operation));
    }
  }
  return [...areas.values()].filter((area) => area.operations.length > 0);
}

function outlineOperation(
  resolver: Resolver,
  method: string,
  path: string,
  operation: OperationObject,
): OperationOutline {
  const requirements = operation.security ?? resolver.document.security ?? [];
  return {
    id: operation.operationId ?? slug(`${method} ${path}`),
    method: method.toUpperCase(),
    path,
    summary: operation.summary,
    description: operation.description,
    deprecated: operation.deprecated ?? false,
    security: requirements.map((requirement) =>
      Object.keys(requirement).map((name) => securityScheme(resolver, name)),
    ),
    parameters: (operation.parameters ?? []).map((parameter) => {
      const resolved = resolver.resolve<ParameterObject>(parameter).value;
      return {
        name: resolved.name,
        location: resolved.in,
        required: resolved.required ?? false,
        schema: withDescription(
          outlineSchema(resolver, resolved.schema ?? {}, 0),
          resolved.description,
        ),
      };
    }),
    requestBody: operation.requestBody ? requestBody(resolver, operation.requestBody) : undefined,
    responses: Object.entries(operation.responses ?? {}).map(([status, response]) =>
      outlineResponse(resolver, status, response),
    ),
  };
}

function requestBody(
  resolver: Resolver,
  body: RequestBodyObject | ReferenceObject,
): BodyOutline | undefined {
  const resolved = resolver.resolve<RequestBodyObject>(body).value;
  const [mediaType, media] = Object.entries(resolved.content ?? {})[0] ?? [];
  if (!mediaType) return undefined;
  return {
    mediaType,
    required: resolved.required ?? false,
    description: resolved.description,
    schema: outlineSchema(resolver, media?.schema ?? {}, 0),
  };
}

function outlineResponse(
  resolver: Resolver,
  status: string,
  response: ResponseObject | ReferenceObject,
): ResponseOutline {
  const resolved = resolver.resolve<ResponseObject>(response).value;
  const [mediaType, media] = Object.entries(resolved.content ?? {})[0] ?? [];
  return {
    status,
    description: resolved.description,
    headers: Object.entries(resolved.headers ?? {}).map(([name, header]) => ({
      name,
      description: "$ref" in header ? undefined : header.description,
    })),
    body:
      mediaType && media?.schema
        ? { mediaType, schema: outlineSchema(resolver, media.schema, 0) }
        : undefined,
  };
}

function securityScheme(resolver: Resolver, name: string): SecuritySchemeOutline {
  const scheme = resolver.document.components?.securitySchemes?.[name];
  if (!scheme) return { name, kind: "Unknown scheme" };
  const resolved = resolver.resolve<SecuritySchemeObject>(scheme).value;
  return { name, kind: schemeKind(resolved), description: resolved.description };
}

function schemeKind(scheme: SecuritySchemeObject): string {
  switch (scheme.type) {
    case "http":
      return `HTTP ${capitalise(scheme.scheme ?? "")}`.trim();
    case "apiKey":
      return `API key in ${scheme.in} ${scheme.name}`;
    case "oauth2":
      return "OAuth 2.0";
    case "openIdConnect":
      return "OpenID Connect";
    default:
      return scheme.type;
  }
}

function outlineSchema(
  resolver: Resolver,
  schemaOrRef: SchemaObject | ReferenceObject,
  depth: number,
): SchemaOutline {
  const { value: schema, name } = resolver.resolve<SchemaObject>(schemaOrRef);
  const deeper = depth < MAX_DEPTH;
  const alternatives = schema.oneOf ?? schema.anyOf ?? [];
  const items = schema.type === "array" && schema.items ? schema.items : undefined;
  const itemsOutline = items && deeper ? outlineSchema(resolver, items, depth + 1) : undefined;
  return {
    name,
    type: typeLabel(schema, itemsOutline),
    description: schema.description,
    values: allowedValues(schema),
    constraints: constraints(schema),
    fields: itemsOutline?.fields ?? (deeper ? properties(resolver, schema, depth) : []),
    variants: deeper
      ? alternatives.map((variant) => outlineSchema(resolver, variant, depth + 1))
      : [],
  };
}

function properties(resolver: Resolver, schema: SchemaObject, depth: number): FieldOutline[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    required: required.has(name),
    schema: outlineSchema(resolver, property, depth + 1),
  }));
}

function typeLabel(schema: SchemaObject, items: SchemaOutline | undefined): string {
  if (schema.oneOf || schema.anyOf) return "one of";
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) {
    if (schema.properties) return "object";
    return schema.const !== undefined ? typeof schema.const : "any";
  }
  return types
    .map((type) => {
      if (type === "array") return `array of ${items?.name ?? items?.type ?? "any"}`;
      return schema.format && type !== "null" ? `${type} (${schema.format})` : type;
    })
    .join(" or ");
}

function allowedValues(schema: SchemaObject): string[] {
  if (schema.const !== undefined) return [String(schema.const)];
  return (schema.enum ?? []).map((value) => String(value));
}

/** Limits a reader needs to know, in the order they would check them. */
const LIMITS: [keyof SchemaObject, (value: unknown) => string][] = [
  ["minLength", (count) => `at least ${count} ${plural(count, "character")}`],
  ["maxLength", (count) => `at most ${count} ${plural(count, "character")}`],
  ["minimum", (bound) => `≥ ${bound}`],
  ["exclusiveMinimum", (bound) => `> ${bound}`],
  ["maximum", (bound) => `≤ ${bound}`],
  ["exclusiveMaximum", (bound) => `< ${bound}`],
  ["minItems", (count) => `at least ${count} ${plural(count, "item")}`],
  ["maxItems", (count) => `at most ${count} ${plural(count, "item")}`],
  ["pattern", (pattern) => `matches ${pattern}`],
  ["default", (value) => `default ${JSON.stringify(value)}`],
];

function constraints(schema: SchemaObject): string[] {
  const limits = LIMITS.filter(([keyword]) => schema[keyword] !== undefined).map(
    ([keyword, phrase]) => phrase(schema[keyword]),
  );
  if (schema.uniqueItems) limits.push("unique items");
  if (schema.additionalProperties === false) limits.push("no other fields");
  const example = schema.examples?.[0] ?? schema.example;
  if (example !== undefined) limits.push(`example ${JSON.stringify(example)}`);
  return limits;
}

function withDescription(schema: SchemaOutline, description: string | undefined): SchemaOutline {
  return description ? { ...schema, description } : schema;
}

/** Follows local `$ref`s (`#/components/…`), remembering the component's name. */
class Resolver {
  constructor(readonly document: OpenApiDocument) {}

  resolve<T>(value: T | ReferenceObject): { value: T; name?: string } {
    let current: unknown = value;
    let name: string | undefined;
    // A chain of references ends within a few steps; the bound keeps a cycle from hanging.
    for (let hop = 0; hop < 10 && isReference(current); hop++) {
      name = current.$ref.split("/").at(-1);
      current = this.pointer(current.$ref);
    }
    if (current === undefined || isReference(current)) {
      throw new Error(`Unresolvable reference in the OpenAPI document: ${JSON.stringify(value)}`);
    }
    return { value: current as T, name };
  }

  private pointer(ref: string): unknown {
    if (!ref.startsWith("#/")) return undefined;
    let node: unknown = this.document;
    for (const raw of ref.slice(2).split("/")) {
      const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      node = node !== null && typeof node === "object" ? Reflect.get(node, part) : undefined;
    }
    return node;
  }
}

function isReference(value: unknown): value is ReferenceObject {
  return (
    value !== null && typeof value === "object" && typeof Reflect.get(value, "$ref") === "string"
  );
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function plural(count: unknown, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
