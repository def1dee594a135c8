import { ChevronRight } from "lucide-react";
import type * as React from "react";
import { Badge } from "@/components/ui/badge";
import type {
  OperationOutline,
  ResponseOutline,
  SecuritySchemeOutline,
} from "@/lib/api/openapi-outline";
import { MethodBadge, StatusBadge } from "./method-badge";
import { Code, RichText } from "./rich-text";
import { FieldList, SchemaView } from "./schema-view";

/** One operation: what it does, who may call it, what it takes and what it answers. */
export function OperationCard({ operation }: { operation: OperationOutline }) {
  const { requestBody } = operation;
  return (
    <article
      id={operation.id}
      aria-label={`${operation.method} ${operation.path}`}
      className="scroll-mt-20 rounded-xl border border-line bg-surface shadow-xs lg:scroll-mt-6"
    >
      <header className="border-line border-b px-4 py-4 sm:px-5">
        <div className="flex items-start gap-2.5">
          <MethodBadge method={operation.method} className="mt-0.5" />
          <code className="min-w-0 font-medium font-mono text-fg text-sm leading-6 [overflow-wrap:anywhere]">
            {operation.path}
          </code>
          {operation.deprecated ? <Badge variant="warning">Deprecated</Badge> : null}
        </div>
        {operation.summary ? (
          <h3 className="mt-2 font-semibold text-base text-fg">{operation.summary}</h3>
        ) : null}
        {operation.description ? <RichText text={operation.description} className="mt-1" /> : null}
      </header>
      <div className="space-y-6 px-4 py-5 sm:px-5">
        <Part title="Authentication">
          <Security alternatives={operation.security} />
        </Part>
        {operation.parameters.length > 0 ? (
          <Part title="Parameters">
            <FieldList fields={operation.parameters} />
          </Part>
        ) : null}
        {requestBody ? (
          <Part
            title="Request body"
            note={`${requestBody.mediaType}${requestBody.required ? "" : " (optional)"}`}
          >
            {requestBody.description ? (
              <RichText text={requestBody.description} className="mb-2" />
            ) : null}
            <SchemaView schema={requestBody.schema} />
          </Part>
        ) : null}
        <Part title="Responses">
          <ul className="divide-y divide-line rounded-lg border border-line">
            {operation.responses.map((response) => (
              <Response key={response.status} response={response} />
            ))}
          </ul>
        </Part>
      </div>
    </article>
  );
}

function Part({
  title,
  note,
  children,
}: {
  title: string;
  note?: string;
  children: React.ReactNode;
}) {
  return (
    <section>
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h4 className="font-medium text-fg-subtle text-xs uppercase tracking-wide">{title}</h4>
        {note ? (
          <span className="font-mono text-fg-subtle text-xs [overflow-wrap:anywhere]">{note}</span>
        ) : null}
      </div>
      {children}
    </section>
  );
}

/**
 * Any one alternative will do. An alternative naming no scheme needs no HTTP credentials: an
 * open endpoint, or (on /oauth) client_secret_post, whose credentials travel in the body.
 */
function Security({ alternatives }: { alternatives: SecuritySchemeOutline[][] }) {
  if (alternatives.length === 0) {
    return <p className="text-fg-muted text-sm">None: anyone may call it.</p>;
  }
  return (
    <ul className="space-y-1.5 text-sm">
      {alternatives.map((schemes, index) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: alternatives are fixed by the document.
          key={index}
          className="flex flex-wrap items-baseline gap-x-2 gap-y-1 text-fg-muted"
        >
          {index > 0 ? <span className="text-fg-subtle text-xs">or</span> : null}
          {schemes.length === 0 ? (
            <span>no HTTP credentials</span>
          ) : (
            schemes.map((scheme) => (
              <span key={scheme.name} className="inline-flex flex-wrap items-baseline gap-x-1.5">
                <a
                  href={`#scheme-${scheme.name}`}
                  className="font-medium font-mono text-accent-text text-sm hover:underline"
                >
                  {scheme.name}
                </a>
                <span className="text-fg-subtle text-xs">{scheme.kind}</span>
              </span>
            ))
          )}
        </li>
      ))}
    </ul>
  );
}

/** A status and what it means; its body's schema folds open on demand. */
function Response({ response }: { response: ResponseOutline }) {
  return (
    <li className="px-3 py-2.5 sm:px-4">
      <div className="flex items-start gap-2.5">
        <StatusBadge status={response.status} />
        <div className="min-w-0 flex-1">
          <RichText text={response.description} className="text-fg" />
          {response.headers.length > 0 ? (
            <ul className="mt-1 space-y-0.5 text-fg-subtle text-xs" aria-label="Headers">
              {response.headers.map((header) => (
                <li key={header.name} className="[overflow-wrap:anywhere]">
                  <Code className="text-xs">{header.name}</Code>
                  {header.description ? `: ${header.description}` : null}
                </li>
              ))}
            </ul>
          ) : null}
          {response.body ? (
            <details className="group mt-2">
              <summary className="flex w-fit max-w-full cursor-pointer list-none items-start gap-1 rounded font-medium text-accent-text text-xs focus-visible:outline-2 focus-visible:outline-accent focus-visible:outline-offset-2 [&::-webkit-details-marker]:hidden">
                <ChevronRight
                  className="mt-px size-3.5 shrink-0 transition-transform group-open:rotate-90"
                  aria-hidden="true"
                />
                <span className="min-w-0 [overflow-wrap:anywhere]">
                  Schema: {response.body.schema.name ?? response.body.schema.type}{" "}
                  <span className="font-normal font-mono text-fg-subtle">
                    ({response.body.mediaType})
                  </span>
                </span>
              </summary>
              <div className="mt-2">
                <SchemaView schema={response.body.schema} />
              </div>
            </details>
          ) : null}
        </div>
      </div>
    </li>
  );
}
