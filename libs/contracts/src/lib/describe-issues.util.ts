import type { z } from 'zod';

export interface FieldProblem {
  /** Dotted path to the field, e.g. `batch.3.event`; empty for the value itself. */
  readonly field: string;
  /** The rule it broke, in words a client developer understands. */
  readonly rule: string;
}

/** zod issues as field + rule pairs, the shape every 400 answer uses. */
export function describeIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [...prefix, ...issue.path].map(String).join('.'),
    rule: issue.message,
  }));
}

/** `field: rule; field: rule` for one-line messages. */
export const summariseProblems = (problems: readonly FieldProblem[]): string =>
  problems.map((p) => (p.field ? `${p.field}: ${p.rule}` : p.rule)).join('; ');
