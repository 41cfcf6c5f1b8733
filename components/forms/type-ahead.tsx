"use client";
// A type-ahead search over the whole project (incidents or items), as an ARIA 1.2 combobox:
// arrow keys move through the suggestions, Enter picks, Escape closes. Suggestions come from a
// JSON route that applies the reader's permissions; nothing is preloaded, so a project with
// 20,000 incidents costs the same as one with 20.
import { useEffect, useId, useRef, useState } from "react";
import "./type-ahead.css";

export interface TypeAheadOption {
  /** What the form submits. */
  value: string;
  /** What the field shows once picked (e.g. the reference). */
  text: string;
  /** The line in the list. */
  label: string;
  /** A second, muted part of the line (status, date). */
  detail?: string;
}

type Props = {
  label: string;
  name: string;
  /** JSON route answering ?q= with { choices: [...] }. */
  source: string;
  toOption: (choice: Record<string, unknown>) => TypeAheadOption;
  /**
   * "text": the field itself is submitted, free text allowed (a reference typed in full works
   * without picking). "choice": a hidden field carries the picked value; typing clears it.
   */
  mode: "text" | "choice";
  defaultValue?: string;
  defaultText?: string;
  placeholder?: string;
  required?: boolean;
  size?: number;
  /** Extra query parameters for the route (e.g. exclude=…). */
  params?: Record<string, string>;
  testId?: string;
};

const DEBOUNCE_MS = 150;

export function TypeAhead({ label, name, source, toOption, mode, defaultValue = "", defaultText, placeholder, required, size, params, testId }: Props) {
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState(defaultText ?? defaultValue);
  const [value, setValue] = useState(defaultValue);
  const [options, setOptions] = useState<TypeAheadOption[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [state, setState] = useState<"idle" | "loading" | "error">("idle");
  const [query, setQuery] = useState<string | null>(null);
  const toOptionRef = useRef(toOption);
  toOptionRef.current = toOption;
  const paramsKey = JSON.stringify(params ?? {});

  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      setState("loading");
      try {
        const search = new URLSearchParams({ ...(JSON.parse(paramsKey) as Record<string, string>), q: query });
        const response = await fetch(`${source}?${search.toString()}`, { signal: controller.signal, headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(String(response.status));
        const body = (await response.json()) as { choices: Array<Record<string, unknown>> };
        setOptions(body.choices.map((c) => toOptionRef.current(c)));
        setActive(body.choices.length > 0 ? 0 : -1);
        setState("idle");
      } catch (error) {
        if (!controller.signal.aborted) setState("error");
        void error;
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, source, paramsKey]);

  function pick(option: TypeAheadOption) {
    setText(option.text);
    setValue(option.value);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) {
        setOpen(true);
        setQuery(text);
      } else setActive((a) => Math.min(options.length - 1, a + 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (event.key === "Enter" && open && active >= 0 && options[active]) {
      // Picking a suggestion must not also submit the form.
      event.preventDefault();
      pick(options[active]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      setOpen(false);
    }
  }

  const activeId = open && active >= 0 ? `${id}-option-${active}` : undefined;
  return (
    <div className="type-ahead" data-testid={testId}>
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        id={`${id}-input`}
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
        autoComplete="off"
        name={mode === "text" ? name : undefined}
        value={text}
        placeholder={placeholder}
        required={required}
        size={size}
        onChange={(event) => {
          setText(event.target.value);
          if (mode === "choice") setValue("");
          setOpen(true);
          setQuery(event.target.value);
        }}
        onFocus={() => {
          if (!open && query === null) setQuery(text);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 120)}
      />
      {mode === "choice" ? <input type="hidden" name={name} value={value} /> : null}
      <ul id={listId} role="listbox" aria-label="Suggestions" className="type-ahead-list" hidden={!open}>
        {state === "error" ? <li className="muted" role="presentation">Suggestions could not be loaded; type the reference in full.</li> : null}
        {state !== "error" && options.length === 0 ? (
          <li className="muted" role="presentation">{state === "loading" ? "Searching…" : "No matches."}</li>
        ) : null}
        {options.map((option, index) => (
          <li
            key={option.value}
            id={`${id}-option-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? "active" : undefined}
            onMouseDown={(event) => {
              event.preventDefault();
              pick(option);
            }}
            onMouseEnter={() => setActive(index)}
          >
            {option.label}
            {option.detail ? <span className="muted small"> · {option.detail}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
