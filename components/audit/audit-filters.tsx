import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { ActorFilter } from "./actor-filter";

interface AuditFiltersProps {
  selected: { action?: string; actor?: string };
}

/**
 * A plain GET form: filtering works without JavaScript and the result is a shareable URL. The
 * action menu is the list of actions the code records and the actor is typed, with
 * suggestions, so neither reads the whole log to offer its choices.
 */
export function AuditFilters({ selected }: AuditFiltersProps) {
  // An action from an older release may still be in a link; keep it selectable.
  const actions: readonly string[] =
    selected.action && !(AUDIT_ACTIONS as readonly string[]).includes(selected.action)
      ? [...AUDIT_ACTIONS, selected.action]
      : AUDIT_ACTIONS;
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter audit events">
      <div className="grid w-full gap-1.5 sm:w-60">
        <Label htmlFor="audit-action">Action</Label>
        <Select id="audit-action" name="action" defaultValue={selected.action ?? ""}>
          <option value="">All actions</option>
          {actions.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </Select>
      </div>
      <ActorFilter id="audit-actor" name="actor" defaultValue={selected.actor ?? ""} />
      <div className="flex gap-2">
        <Button type="submit" variant="secondary">
          Apply filters
        </Button>
        {selected.action || selected.actor ? (
          <Button asChild variant="ghost">
            <Link href="/audit">Clear</Link>
          </Button>
        ) : null}
      </div>
    </form>
  );
}
