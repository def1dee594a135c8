import type * as React from "react";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";

/**
 * The records of a Card as a table that fills the card below its header: no frame of its own,
 * and the card's rounded bottom. `head` holds the column headings; a last, unnamed-on-screen
 * column holds each row's ActionsCell.
 */
export function CardTable({
  label,
  className,
  head,
  children,
}: {
  /** The table's name for screen readers. */
  label: string;
  /** E.g. a minimum width, past which the table scrolls sideways inside the card. */
  className?: string;
  head: React.ReactNode;
  /** The rows. */
  children: React.ReactNode;
}) {
  return (
    <Table
      aria-label={label}
      containerClassName="rounded-none rounded-b-xl border-0"
      className={className}
    >
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          {head}
          <TableHead className="w-12 pr-5">
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>{children}</TableBody>
    </Table>
  );
}

/** A row's last cell in a CardTable, e.g. its delete button. */
export function ActionsCell({ children }: { children: React.ReactNode }) {
  return <TableCell className="py-1.5 pr-5 text-right">{children}</TableCell>;
}
