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
      <FilterSelect
        name="action"
        label="Action"
        allLabel="All actions"
        options={actions}
        selected={selected.action}
      />
      <FilterSelect
        name="actor"
        label="Actor"
        allLabel="All actors"
        options={actors}
        selected={selected.actor}
      />
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

interface FilterSelectProps {
  name: string;
  label: string;
  allLabel: string;
  options: string[];
  selected?: string;
}

function FilterSelect({ name, label, allLabel, options, selected }: FilterSelectProps) {
  const id = `audit-${name}`;
  return (
    <div className="grid w-full gap-1.5 sm:w-60">
      <Label htmlFor={id}>{label}</Label>
      <Select id={id} name={name} defaultValue={selected ?? ""}>
        <option value="">{allLabel}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </Select>
    </div>
  );
}
