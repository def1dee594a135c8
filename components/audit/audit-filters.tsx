import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";

interface AuditFiltersProps {
  actions: string[];
  actors: string[];
  selected: { action?: string; actor?: string };
}

/** A plain GET form: filtering works without JavaScript and the result is a shareable URL. */
export function AuditFilters({ actions, actors, selected }: AuditFiltersProps) {
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter audit events">
      <div className="grid w-full gap-1.5 sm:w-56">
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
      <div className="grid w-full gap-1.5 sm:w-64">
        <Label htmlFor="audit-actor">Actor</Label>
        <Select id="audit-actor" name="actor" defaultValue={selected.actor ?? ""}>
          <option value="">All actors</option>
          {actors.map((actor) => (
            <option key={actor} value={actor}>
              {actor}
            </option>
          ))}
        </Select>
      </div>
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
