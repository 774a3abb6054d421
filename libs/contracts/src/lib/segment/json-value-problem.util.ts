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
 *   Infinity, which JSON.stringify silently turns into `null`.
 * The walk recurses at most `maxDepth` frames, so it is safe on the values it refuses.
 */
export function jsonValueProblem(value: unknown, maxDepth: number): JsonValueProblem | undefined {
  const problem = problemIn(value, 1, maxDepth);
  // The first fields of the path say where; the full path of a deep value would be as long as its nesting.
  return problem && { path: problem.path.slice(0, REPORTED_PATH_LENGTH), message: problem.message };
}

const REPORTED_PATH_LENGTH = 3;

function problemIn(value: unknown, depth: number, maxDepth: number): JsonValueProblem | undefined {
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
    const problem = problemIn((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (problem) return { path: [key, ...problem.path], message: problem.message };
  }
  return undefined;
}
