import type { ApiOutline, AreaOutline } from "@/lib/api/openapi-outline";
import { MethodBadge } from "./method-badge";
import { OperationCard } from "./operation";
import { Code, RichText } from "./rich-text";

/**
 * The API reference: how to authenticate, then each area's operations, with a table of
 * contents beside them on wide screens and above them on narrow ones.
 */
export function ApiDocs({ outline }: { outline: ApiOutline }) {
  return (
    <div className="grid gap-8 xl:grid-cols-[minmax(0,1fr)_14rem] xl:gap-10">
      <TableOfContents areas={outline.areas} />
      <div className="min-w-0 space-y-12">
        <Authentication outline={outline} />
        {outline.areas.map((area) => (
          <Area key={area.id} area={area} />
        ))}
      </div>
    </div>
  );
}

const sectionHeading = "font-semibold text-fg text-lg tracking-tight";

function TableOfContents({ areas }: { areas: AreaOutline[] }) {
  return (
    <nav
      aria-label="On this page"
      className="rounded-xl border border-line bg-surface-subtle p-4 xl:sticky xl:top-10 xl:order-last xl:max-h-[calc(100dvh-5rem)] xl:self-start xl:overflow-y-auto xl:border-0 xl:bg-transparent xl:p-0"
    >
      <p className="font-medium text-fg-subtle text-xs uppercase tracking-wide">On this page</p>
      <ol className="mt-3 space-y-4 text-sm">
        <li>
          <a href="#authentication" className="font-medium text-fg hover:text-accent-text">
            Authentication
          </a>
        </li>
        {areas.map((area) => (
          <li key={area.id}>
            <a href={`#${area.id}`} className="font-medium text-fg hover:text-accent-text">
              {area.name}
            </a>
            <ol className="mt-1.5 space-y-1">
              {area.operations.map((operation) => (
                <li key={operation.id}>
                  <a
                    href={`#${operation.id}`}
                    className="group flex items-start gap-2 rounded py-0.5 text-fg-muted hover:text-fg"
                  >
                    <MethodBadge method={operation.method} className="w-12 shrink-0" />
                    <span className="min-w-0 font-mono text-xs leading-5 [overflow-wrap:anywhere]">
                      {operation.path}
                    </span>
                  </a>
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function Authentication({ outline }: { outline: ApiOutline }) {
  return (
    <section
      id="authentication"
      aria-labelledby="authentication-title"
      className="scroll-mt-20 lg:scroll-mt-6"
    >
      <h2 id="authentication-title" className={sectionHeading}>
        Authentication
      </h2>
      {outline.description ? (
        <RichText text={outline.description} className="mt-1 max-w-3xl" />
      ) : null}
      <dl className="mt-5 divide-y divide-line rounded-xl border border-line bg-surface shadow-xs">
        {outline.securitySchemes.map((scheme) => (
          <div
            key={scheme.name}
            id={`scheme-${scheme.name}`}
            className="scroll-mt-20 px-4 py-3.5 sm:grid sm:grid-cols-[12rem_minmax(0,1fr)] sm:gap-4 sm:px-5 lg:scroll-mt-6"
          >
            <dt>
              <Code className="font-medium">{scheme.name}</Code>
              <span className="mt-0.5 block text-fg-subtle text-xs">{scheme.kind}</span>
            </dt>
            <dd className="mt-1 sm:mt-0">
              {scheme.description ? <RichText text={scheme.description} /> : null}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Area({ area }: { area: AreaOutline }) {
  return (
    <section
      id={area.id}
      aria-labelledby={`${area.id}-title`}
      className="scroll-mt-20 lg:scroll-mt-6"
    >
      <h2 id={`${area.id}-title`} className={sectionHeading}>
        {area.name}
      </h2>
      {area.description ? <RichText text={area.description} className="mt-1 max-w-3xl" /> : null}
      <div className="mt-5 space-y-6">
        {area.operations.map((operation) => (
          <OperationCard key={operation.id} operation={operation} />
        ))}
      </div>
    </section>
  );
}
