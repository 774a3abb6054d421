/**
 * Exits once everything written to stdout and stderr has left. When a Node parent
 * (npm, a test, `execFile`) reads a tool's output, stdout is a socket, written
 * asynchronously: `process.exit` right after a large write cut it at 219,264 bytes
 * (`npm run tenant -- list --json` of 1,000 tenants).
 */
export function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
