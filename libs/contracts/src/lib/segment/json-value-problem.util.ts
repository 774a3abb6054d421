/** Where a parsed JSON value breaks a rule, and which. */
export interface JsonValueProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Finds the first place in a parsed JSON value that the rest of the pipeline cannot
 * carry faithfully. Two things JSON.parse accepts but nothing downstream can hold:
 * - nesting deeper than `maxDepth` (objects and arrays count, the value itself is level
 *   1): JSON.parse is iterative but JSON.stringify is recursive, so a few thousand
 *   levels overflow the stack in ingest-api (a 500) or, worse, in the worker, where a
 *   message that cannot be serialised would stop its partition;
 * - numbers beyond the range of a double (`1e400`, a 400-digit literal): they parse to
 *   Infinity, which JSON.stringify silently turns into `null`;
 * - strings (values or keys) that are not well-formed Unicode: a lone UTF-16 surrogate
 *   (`"\ud800"`, a legal JSON escape) cannot be encoded as UTF-8, so MongoDB would store
 *   U+FFFD in its place and URI-encoding a Redis key throws — a message that fails the
 *   same way on every delivery;
 * - strings (values or keys) holding U+0000 (`"\u0000"`): PostgreSQL, under FerretDB,
 *   cannot store it in text, and answers an insert with an internal error that reads
 *   like an unavailable store, so the worker would retry that message for ever.
 * The walk recurses at most `maxDepth` frames, so it is safe on the values it refuses.
 */
export function jsonValueProblem(value: unknown, maxDepth: number): JsonValueProblem | undefined {
  const problem = problemIn(value, 1, maxDepth);
  // The first fields of the path say where; the full path of a deep value would be as long as its nesting.
  return problem && { path: problem.path.slice(0, REPORTED_PATH_LENGTH), message: problem.message };
}

const REPORTED_PATH_LENGTH = 3;

/** `String.prototype.isWellFormed` (Node 20), which TypeScript's es2023 library does not declare. */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();
const NOT_UNICODE = 'not valid Unicode text (a lone UTF-16 surrogate)';
const HOLDS_NUL = 'holds U+0000 (a NUL character), which the event store cannot keep';

/** Why a string (a value or a key) cannot be carried, if it cannot. */
const textProblem = (text: string): string | undefined =>
  !isWellFormed(text) ? NOT_UNICODE : text.includes('\u0000') ? HOLDS_NUL : undefined;

function problemIn(value: unknown, depth: number, maxDepth: number): JsonValueProblem | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message === undefined ? undefined : { path: [], message };
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path: [], message: 'number out of range (beyond ±1.8e308)' };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > maxDepth) return { path: [], message: `nested more than ${maxDepth} levels deep` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = problemIn(value[i], depth + 1, maxDepth);
      if (problem) return { path: [i, ...problem.path], message: problem.message };
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem !== undefined) return { path: [key], message: `key ${keyProblem}` };
    const problem = problemIn((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (problem) return { path: [key, ...problem.path], message: problem.message };
  }
  return undefined;
}
