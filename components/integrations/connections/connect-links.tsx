"use client";

import { ExternalLink, Link2, Plus, Trash2 } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { CopyButton } from "@/components/api-clients/copy-button";
import { useCan } from "@/components/auth/role-context";
import { formatDateTime } from "@/components/shared/format";
import { Button, buttonVariants } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { useCreateConnectLink, useSetReturnUrls } from "../queries";

/**
 * The Connections tab's "Connect links": how end users connect (a link a program asks for),
 * "Connect as…" to try it, and the return URLs links may send end users back to.
 */
export function ConnectLinksSection({ integration }: { integration: IntegrationDetail }) {
  const headingId = useId();
  // A link lets whoever holds it connect as that end user: making one is an Admin's change.
  const canChange = useCan("admin");
  return (
    <section
      aria-labelledby={headingId}
      className="grid min-w-0 gap-4 rounded-lg border border-line bg-surface-subtle p-4"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="grid min-w-0 flex-1 basis-64 gap-0.5">
          <h3 id={headingId} className="font-medium text-fg text-sm">
            Connect links
          </h3>
          <p className="text-fg-muted text-sm">
            End users connect on Authdesk&apos;s own page, from a single-use link that works for 10
            minutes. Programs ask for one with{" "}
            <code className="font-mono text-xs [overflow-wrap:anywhere]">
              POST /api/integrations/v1/{integration.id}/connect-sessions
            </code>
            .
          </p>
        </div>
        {canChange ? <ConnectAsDialog integration={integration} /> : null}
      </div>
      <ReturnUrls integration={integration} canChange={canChange} />
    </section>
  );
}

function ReturnUrls({
  integration,
  canChange,
}: {
  integration: IntegrationDetail;
  canChange: boolean;
}) {
  const urls = integration.connectReturnUrls;
  const save = useSetReturnUrls(integration.id);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const listId = useId();

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = [...urls, draft];
    const result = await save.mutateAsync(next).catch(() => null);
    if (!result) return;
    if (result.ok) {
      setDraft("");
      setError(null);
    } else if ("fieldErrors" in result) {
      // The new entry is the last one; a problem with the list as a whole is keyed "form".
      setError(
        result.fieldErrors[String(urls.length)] ?? Object.values(result.fieldErrors)[0] ?? null,
      );
    }
  }

  return (
    <div className="grid gap-3">
      <div>
        <h4 id={listId} className="font-medium text-fg text-sm">
          Return URLs
        </h4>
        <p className="mt-0.5 text-fg-muted text-sm">
          Where a link may send the end user back to, with{" "}
          <code className="text-xs">connection_id</code> added. A URL ending in / allows every page
          under it; any query is allowed.
        </p>
      </div>
      {urls.length > 0 ? (
        <ul
          aria-labelledby={listId}
          className="divide-y divide-line rounded-md border border-line bg-surface"
        >
          {urls.map((url) => (
            <li key={url} className="flex items-center gap-2 py-1.5 pr-1.5 pl-3">
              <span className="min-w-0 flex-1 break-all font-mono text-xs">{url}</span>
              {canChange ? (
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={`Remove ${url}`}
                  disabled={save.isPending}
                  onClick={() => save.mutate(urls.filter((entry) => entry !== url))}
                >
                  <Trash2 aria-hidden="true" />
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-fg-subtle text-sm">
          None yet: links made without a return URL end on Authdesk&apos;s own
          &ldquo;Connected&rdquo; page.
        </p>
      )}
      {canChange ? (
        <form onSubmit={add} noValidate className="flex flex-wrap items-start gap-2">
          <Field label="Add a return URL" error={error} className="min-w-0 flex-1 basis-60">
            <Input
              value={draft}
              onChange={(event) => {
                setDraft(event.target.value);
                setError(null);
              }}
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://app.example.com/integrations/connected"
            />
          </Field>
          <Button type="submit" variant="secondary" pending={save.isPending} className="sm:mt-6">
            <Plus aria-hidden="true" />
            Add
          </Button>
        </form>
      ) : null}
    </div>
  );
}

type Link = { url: string; expiresAt: Date };

function ConnectAsDialog({ integration }: { integration: IntegrationDetail }) {
  const [open, setOpen] = useState(false);
  const [link, setLink] = useState<Link | null>(null);
  // A new form at every opening; the link is dropped when the dialog closes.
  const changeOpen = (next: boolean) => {
    setOpen(next);
    if (!next) setLink(null);
  };
  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
        <Link2 aria-hidden="true" />
        Connect as…
      </Button>
      <DialogContent className="max-w-md">
        <DialogHeader>
          <DialogTitle>
            {link ? "Connect link ready" : `Connect ${integration.name} as…`}
          </DialogTitle>
          <DialogDescription>
            {link
              ? "Open it in a private window to connect as this end user, or send it to them."
              : "Makes the link a program would get for this end user, so you can try the page they see."}
          </DialogDescription>
        </DialogHeader>
        {link ? (
          <LinkReady link={link} onDone={() => changeOpen(false)} />
        ) : (
          <ConnectAsForm
            integration={integration}
            onCreated={setLink}
            onCancel={() => changeOpen(false)}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

function ConnectAsForm({
  integration,
  onCreated,
  onCancel,
}: {
  integration: IntegrationDetail;
  onCreated: (link: Link) => void;
  onCancel: () => void;
}) {
  const { createLink, pending } = useCreateConnectLink(integration.id);
  const [endUserId, setEndUserId] = useState("");
  const [returnUrl, setReturnUrl] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!endUserId.trim()) return setErrors({ endUserId: "Enter the end user's id" });
    const answer = await createLink({ endUserId, ...(returnUrl ? { returnUrl } : {}) });
    if (!answer) return;
    if (answer.ok) onCreated(answer.link);
    else setErrors(answer.fieldErrors);
  }

  return (
    <form onSubmit={submit} noValidate className="grid gap-5">
      <Field
        label="End user ID"
        error={errors.endUserId}
        hint="The id your platform knows this user by. Connecting again replaces their connection."
      >
        <Input
          value={endUserId}
          onChange={(event) => setEndUserId(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          autoFocus
        />
      </Field>
      <Field label="Return URL" optional error={errors.returnUrl}>
        <Select value={returnUrl} onChange={(event) => setReturnUrl(event.target.value)}>
          <option value="">None: end on Authdesk&apos;s &ldquo;Connected&rdquo; page</option>
          {integration.connectReturnUrls.map((url) => (
            <option key={url} value={url}>
              {url}
            </option>
          ))}
        </Select>
      </Field>
      <DialogFooter>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Make link
        </Button>
      </DialogFooter>
    </form>
  );
}

function LinkReady({ link, onDone }: { link: Link; onDone: () => void }) {
  return (
    <div className="grid gap-5">
      <fieldset className="grid min-w-0 gap-2">
        <legend className="sr-only">Connect link</legend>
        <code className="break-all rounded-md border border-line bg-surface-subtle px-3 py-2 font-mono text-xs">
          {link.url}
        </code>
        <div className="flex flex-wrap gap-2">
          <CopyButton value={link.url} label="Copy connect link" />
          <a
            href={link.url}
            target="_blank"
            rel="noreferrer noopener"
            className={buttonVariants({ variant: "secondary", size: "sm" })}
          >
            <ExternalLink aria-hidden="true" />
            Open
          </a>
        </div>
      </fieldset>
      <p className="text-fg-muted text-sm">
        Works once, until{" "}
        <time dateTime={link.expiresAt.toISOString()}>{formatDateTime(link.expiresAt)}</time>. It is
        shown only here: copy it now.
      </p>
      <DialogFooter>
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </div>
  );
}
