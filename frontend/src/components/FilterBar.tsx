import { type RefObject, useEffect, useId, useRef, useState } from 'react';
import {
  MAX_FILTER_VALUES,
  NO_REQUESTER_FILTER,
  parseTagPair,
  TIME_RANGES,
  type TimeRange,
  tagPairText,
} from '#contracts/usage-query.ts';
import { api } from '../lib/api-client.ts';
import { colorForName, providerColor } from '../lib/colors.ts';
import {
  filterFull,
  filtersActive,
  fromLocalInput,
  MENU_FILTER_NAMES,
  type MenuFilterName,
  type SharedFilters,
  toggleFilter,
  toLocalInput,
  withoutFilters,
} from '../lib/filters.ts';
import { kindLabel } from '../lib/kinds.ts';
import { providerLabel } from '../lib/providers.ts';
import { Swatch } from './SeriesName.tsx';

const RANGE_LABELS: Readonly<Record<TimeRange, string>> = {
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
  '90d': '90 d',
  custom: 'Custom',
};

const FILTER_LABELS: Readonly<Record<MenuFilterName, string>> = {
  model: 'Model',
  provider: 'Provider',
  requester: 'Requester',
  status: 'Status',
  kind: 'Kind',
};

/** Plural nouns for the "Up to 20 models" hint. */
const FILTER_PLURALS: Readonly<Record<MenuFilterName, string>> = {
  model: 'models',
  provider: 'providers',
  requester: 'requesters',
  status: 'statuses',
  kind: 'kinds',
};

/** The values seen in the range, per filter. */
type Dimensions = Readonly<Record<MenuFilterName, readonly string[]>>;

const NO_DIMENSIONS: Dimensions = {
  model: [],
  provider: [],
  requester: [],
  status: [],
  kind: [],
};

interface FilterBarProps {
  readonly filters: SharedFilters;
  readonly onChange: (filters: SharedFilters) => void;
}

/** The values seen in the range, which fill the filter menus. */
function useDimensions(range: SharedFilters['range'], customFrom: string, customTo: string) {
  const [dimensions, setDimensions] = useState<Dimensions>(NO_DIMENSIONS);
  useEffect(() => {
    let current = true;
    const query: Record<string, string> =
      range === 'custom' ? { range, from: customFrom, to: customTo } : { range };
    if (range === 'custom' && (customFrom === '' || customTo === '')) return;
    api.getDashboardOverview(query).then(
      (overview) => {
        if (!current) return;
        const seen = overview.dimensions;
        setDimensions({
          model: seen.models,
          provider: seen.providers,
          requester: seen.requesters,
          status: [...new Set([...seen.statuses.map(String), '2xx', '4xx', '5xx'])],
          kind: seen.kinds,
        });
      },
      () => {
        if (current) setDimensions(NO_DIMENSIONS);
      },
    );
    return () => {
      current = false;
    };
  }, [range, customFrom, customTo]);
  return dimensions;
}

/** Time range and the server-side filters shared by Dashboard and Logs. */
export function FilterBar({ filters, onChange }: FilterBarProps) {
  const dimensions = useDimensions(filters.range, filters.from, filters.to);
  const anyFilter = filtersActive(filters);

  return (
    <div className="filter-bar">
      <RangePicker filters={filters} onChange={onChange} />
      <div className="filters">
        {MENU_FILTER_NAMES.map((name) => (
          <FilterMenu
            key={name}
            label={FILTER_LABELS[name]}
            plural={FILTER_PLURALS[name]}
            options={filterOptions(name, dimensions[name], filters[name])}
            selected={filters[name]}
            onToggle={(value) => onChange(toggleFilter(filters, name, value))}
            onClear={() => onChange({ ...filters, [name]: [] })}
          />
        ))}
        <TagFilter tags={filters.tag} onChange={(tag) => onChange({ ...filters, tag })} />
        {anyFilter && (
          <button
            type="button"
            className="button button--secondary button--small filters__clear"
            onClick={() => onChange(withoutFilters(filters))}
          >
            Clear filters
          </button>
        )}
      </div>
    </div>
  );
}

/** The preset ranges, and From/To inputs (UTC) when the range is custom. */
function RangePicker({ filters, onChange }: FilterBarProps) {
  const [from, setFrom] = useState(toLocalInput(filters.from));
  const [to, setTo] = useState(toLocalInput(filters.to));
  return (
    <>
      <fieldset className="range-picker">
        <legend className="visually-hidden">Time range</legend>
        {TIME_RANGES.map((value) => (
          <button
            key={value}
            type="button"
            className="range-picker__option"
            aria-pressed={filters.range === value}
            onClick={() => onChange({ ...filters, range: value })}
          >
            {RANGE_LABELS[value]}
          </button>
        ))}
      </fieldset>
      {filters.range === 'custom' && (
        <form
          className="custom-range"
          onSubmit={(event) => {
            event.preventDefault();
            onChange({ ...filters, from: fromLocalInput(from), to: fromLocalInput(to) });
          }}
        >
          <label>
            From (UTC)
            <input
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
            />
          </label>
          <label>
            To (UTC)
            <input
              type="datetime-local"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
            />
          </label>
          <button type="submit" className="button button--secondary button--small">
            Apply
          </button>
        </form>
      )}
    </>
  );
}

interface FilterOption {
  readonly value: string;
  readonly label: string;
  /** The series colour the charts give the value (models and providers). */
  readonly color: string | undefined;
}

/** The values seen in the range, plus chosen ones not seen (so they can be unticked). */
function filterOptions(
  name: MenuFilterName,
  seen: readonly string[],
  selected: readonly string[],
): FilterOption[] {
  const values = [
    ...new Set([...(name === 'requester' ? [NO_REQUESTER_FILTER] : []), ...seen, ...selected]),
  ];
  return values.map((value) => ({
    value,
    label: optionLabel(name, value),
    color: optionColor(name, value),
  }));
}

function optionColor(name: MenuFilterName, value: string): string | undefined {
  if (name === 'model') return colorForName(value);
  if (name === 'provider') return providerColor(value);
  return undefined;
}

function optionLabel(name: MenuFilterName, value: string): string {
  if (name === 'requester' && value === NO_REQUESTER_FILTER) return 'No requester';
  if (name === 'kind') return kindLabel(value);
  if (name === 'provider') return providerLabel(value);
  return value;
}

interface FilterMenuProps {
  readonly label: string;
  /** What the values are called in the limit hint: `models`. */
  readonly plural: string;
  readonly options: readonly FilterOption[];
  readonly selected: readonly string[];
  readonly onToggle: (value: string) => void;
  readonly onClear: () => void;
}

/**
 * While the menu is open: focus its first box, and close it on a click or focus outside, or on
 * Escape inside (focus then returns to the toggle).
 */
function useDismissOnOutside(
  open: boolean,
  root: RefObject<HTMLDivElement | null>,
  toggle: RefObject<HTMLButtonElement | null>,
  setOpen: (open: boolean) => void,
) {
  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLInputElement>('input[type="checkbox"]')?.focus();
    const outside = (event: Event) =>
      !(event.target instanceof Node && root.current?.contains(event.target));
    const closeWhenOutside = (event: Event) => {
      if (outside(event)) setOpen(false);
    };
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || outside(event)) return;
      event.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', closeWhenOutside);
    document.addEventListener('focusin', closeWhenOutside);
    document.addEventListener('keydown', closeOnEscape);
    return () => {
      document.removeEventListener('pointerdown', closeWhenOutside);
      document.removeEventListener('focusin', closeWhenOutside);
      document.removeEventListener('keydown', closeOnEscape);
    };
  }, [open, root, toggle, setOpen]);
}

/** The menu's checkboxes; at the limit the unticked ones are disabled and point at the hint. */
function FilterOptions(props: {
  options: readonly FilterOption[];
  selected: readonly string[];
  full: boolean;
  hintId: string;
  onToggle: (value: string) => void;
}) {
  const { options, selected, full, hintId, onToggle } = props;
  return (
    <>
      {options.length === 0 ? (
        <p className="muted filter-menu__none">No values in this range.</p>
      ) : (
        options.map((option) => {
          const checked = selected.includes(option.value);
          return (
            <label key={option.value} className="filter-menu__option">
              <input
                type="checkbox"
                checked={checked}
                disabled={full && !checked}
                aria-describedby={full && !checked ? hintId : undefined}
                onChange={() => onToggle(option.value)}
              />
              {option.color && <Swatch color={option.color} />}
              {option.label}
            </label>
          );
        })
      )}
    </>
  );
}

/**
 * One filter as a disclosure button ("Model (2)") opening a list of checkboxes. Tab and Space
 * work as usual inside; Escape, a click outside or focus moving outside closes it.
 */
function FilterMenu({ label, plural, options, selected, onToggle, onClear }: FilterMenuProps) {
  const [open, setOpen] = useState(false);
  // At the API's limit the unticked boxes are disabled, so a request can never carry more.
  const full = filterFull(selected);
  const hintId = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useDismissOnOutside(open, root, toggle, setOpen);

  return (
    <div className="filter-menu" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="filter-menu__toggle"
        aria-expanded={open}
        aria-controls={panelId}
        data-active={selected.length > 0 ? '' : undefined}
        title={selected.length > 0 ? selected.join(', ') : undefined}
        onClick={() => setOpen((isOpen) => !isOpen)}
      >
        {label}
        {selected.length > 0 && ` (${selected.length})`}
      </button>
      {open && (
        <div id={panelId} className="filter-menu__panel" tabIndex={-1}>
          <fieldset>
            <legend className="visually-hidden">{label}</legend>
            <FilterOptions
              options={options}
              selected={selected}
              full={full}
              hintId={hintId}
              onToggle={onToggle}
            />
          </fieldset>
          {full && (
            <p id={hintId} className="muted filter-menu__hint">
              Up to {MAX_FILTER_VALUES} {plural}
            </p>
          )}
          <button
            type="button"
            className="button button--secondary button--small"
            disabled={selected.length === 0}
            onClick={() => {
              onClear();
              setOpen(false);
              toggle.current?.focus();
            }}
          >
            Clear {label.toLowerCase()}
          </button>
        </div>
      )}
    </div>
  );
}

interface TagFilterProps {
  /** `<key>:<value>` filters. */
  readonly tags: readonly string[];
  readonly onChange: (tags: string[]) => void;
}

/**
 * The tag filters: one removable chip each, and a field to add `key:value` (a tag key can have
 * any number of values, so they are typed rather than picked). Checked with the API's own rule.
 */
function TagFilter({ tags, onChange }: TagFilterProps) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const problemId = useId();
  const full = filterFull(tags);

  const add = () => {
    const pair = parseTagPair(text.trim());
    if (pair === undefined) {
      setProblem('Type a tag as key:value, e.g. feature:search.');
      return;
    }
    const tag = tagPairText(pair);
    onChange(tags.includes(tag) ? [...tags] : [...tags, tag]);
    setText('');
    setProblem(null);
  };

  return (
    <div className="tag-filter">
      {tags.map((tag) => (
        <span key={tag} className="tag-chip" data-tag-filter={tag}>
          {tag}
          <button
            type="button"
            className="tag-chip__remove"
            aria-label={`Remove tag filter ${tag}`}
            onClick={() => onChange(tags.filter((item) => item !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <form
        className="tag-filter__form"
        onSubmit={(event) => {
          event.preventDefault();
          add();
        }}
      >
        <label className="visually-hidden" htmlFor={`${problemId}-input`}>
          Tag filter as key:value
        </label>
        <input
          id={`${problemId}-input`}
          className="tag-filter__input"
          placeholder="tag key:value"
          value={text}
          disabled={full}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? undefined : problemId}
          onChange={(event) => setText(event.target.value)}
        />
        <button
          type="submit"
          className="button button--secondary button--small"
          disabled={full || text.trim() === ''}
        >
          Add tag
        </button>
      </form>
      {problem !== null && (
        <p id={problemId} className="form-error tag-filter__problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
