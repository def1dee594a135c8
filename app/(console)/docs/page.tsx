import { FileJson } from "lucide-react";
import type { Metadata } from "next";
import { ApiDocs } from "@/components/docs/api-docs";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { buildOpenApiDocument } from "@/lib/api/document";
import { OPENAPI_PATH } from "@/lib/api/openapi";
import { outlineApi } from "@/lib/api/openapi-outline";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API docs" };

/**
 * The public API's reference, rendered here from the OpenAPI document rather than by Swagger UI
 * or Scalar: those need eval or inline scripts our CSP refuses, and weigh megabytes. The document
 * is built in-process, from the same routes the server mounts.
 */
export default async function DocsPage() {
  await requireAdmin();
  const outline = outlineApi(buildOpenApiDocument());
  return (
    <>
      <PageHeader
        title="API docs"
        description="Every route the server mounts for programs (/oauth, /.well-known and /api), described from the schemas it validates requests with. The same OpenAPI 3.1 document is served as JSON, for client generators."
        actions={
          <Button asChild variant="secondary">
            {/* A plain link: the document is served by the API router, not by a Next page. */}
            <a href={OPENAPI_PATH}>
              <FileJson aria-hidden="true" />
              OpenAPI JSON
            </a>
          </Button>
        }
      />
      <ApiDocs outline={outline} />
    </>
  );
}
