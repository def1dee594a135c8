"use client";

import { useState } from "react";
import { useDebouncedValue } from "@/components/shared/use-debounced-value";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useActorSuggestions } from "./queries";

interface ActorFilterProps {
  id: string;
  name: string;
  defaultValue: string;
}

/**
 * The actor is typed: suggestions are the actor labels that start with the text so far (any
 * case), searched in an index, and the filter matches the label exactly. Without JavaScript it
 * is a plain text field.
 */
export function ActorFilter({ id, name, defaultValue }: ActorFilterProps) {
  const [text, setText] = useState(defaultValue);
  const [focused, setFocused] = useState(false);
  const prefix = useDebouncedValue(text.trim(), 200);
  const suggestions = useActorSuggestions(prefix, focused);
  const listId = `${id}-suggestions`;
  return (
    <div className="grid w-full gap-1.5 sm:w-72">
      <Label htmlFor={id}>Actor</Label>
      <Input
        id={id}
        name={name}
        type="search"
        list={listId}
        autoComplete="off"
        placeholder="All actors"
        maxLength={320}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onFocus={() => setFocused(true)}
      />
      <datalist id={listId}>
        {(suggestions.data ?? []).map((actor) => (
          <option key={actor} value={actor} />
        ))}
      </datalist>
    </div>
  );
}
