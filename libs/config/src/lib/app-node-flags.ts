/**
 * The V8 flags every Tally app runs with, wherever it runs: its image's `CMD` (so
 * docker-compose and Kubernetes), `npm start`, the tests and the bench. They keep an app
 * within its 256 MB memory budget (PRODUCT.md): without them V8 lets the old generation
 * grow far past what the app holds live before it collects hard — under the bench's load
 * ingest-api peaked at 330 MB and processor-worker at 320 MB.
 *
 * The old generation is capped at 160 MB: a major collection comes sooner, not a crash;
 * the apps hold far less than that live (bounded queues, caches and batches). Smaller
 * young-generation semi-spaces (8 MB) saved another ~40 MB but cost a fifth more
 * throughput than this: measured in docs/decisions/0007-memory-budget.md.
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-old-space-size=160'];
