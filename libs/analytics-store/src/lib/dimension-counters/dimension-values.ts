import { OTHER_EVENT_NAME } from '../counted-name';
import { numValueOf, valueAfter, type FoldableEvent } from '../query/foldable-event';
import type { CountedFields } from './counted-fields';
import { NONE_VALUE, OTHER_VALUE, measureMicrosOf } from './dimension-keys';

/**
 * What one event writes into the dimension counters: the name it is split under, its
 * value in every dimension counted for it (`NONE_VALUE` when it has none, `OTHER_VALUE`
 * past a bound), and the measures it carries.
 */
export interface EventDimensions {
  /** The counted name, or `OTHER_EVENT_NAME` past the tenant's dimension names. */
  readonly name: string;
  readonly values: readonly (readonly [dimension: string, value: string])[];
  readonly measures: readonly CountedMeasure[];
}

export interface CountedMeasure {
  readonly measure: string;
  /** The JSON number as the event holds it (for min and max). */
  readonly n: number;
  /** `n` in integer micro-units (for sums). */
  readonly micros: number;
}

/**
 * An event's dimension values before admission: read from the same sorted `props` and
 * `nums` its raw event document stores (never from the payload), so a leaf the document
 * dropped is `(none)` on both paths. Measures too large to count are left out
 * (`measureMicrosOf`), as the scan leaves them out.
 */
export function dimensionValuesOf(
  name: string,
  fields: Pick<FoldableEvent, 'props' | 'nums'>,
  counted: CountedFields,
): EventDimensions {
  const values = counted.dimensions.map((d) => [d, valueAfter(fields.props, `${d}=`) ?? NONE_VALUE] as const);
  const measures: CountedMeasure[] = [];
  for (const measure of counted.measures) {
    const n = numValueOf(fields.nums, measure);
    const micros = n === undefined ? undefined : measureMicrosOf(n);
    if (n !== undefined && micros !== undefined) measures.push({ measure, n, micros });
  }
  return { name, values, measures };
}

/**
 * The same event after admission: its name if `nameAdmitted`, and each value that
 * `valueAdmitted` refuses counted as `OTHER_VALUE`. `(none)` needs no admission: it is
 * one pair per name.
 */
export function admittedDimensionsOf(
  dimensions: EventDimensions,
  nameAdmitted: boolean,
  valueAdmitted: (dimension: string, name: string, value: string) => boolean,
): EventDimensions {
  const name = nameAdmitted ? dimensions.name : OTHER_EVENT_NAME;
  const values = dimensions.values.map(([d, v]) =>
    v === NONE_VALUE || valueAdmitted(d, name, v) ? ([d, v] as const) : ([d, OTHER_VALUE] as const),
  );
  return { name, values, measures: dimensions.measures };
}

/** The member of an admission set that stands for (name, value). */
export const admissionMember = (name: string, value: string): string => JSON.stringify([name, value]);
