/**
 * Union of a stored HyperLogLog (a rollup's bytes) and a live one (a Redis key): the
 * result's bytes, or nil when neither exists. A live key gets the stored one merged in
 * too: one re-created by a late write after it expired holds only what came since, and
 * queries read a live key rather than the rollup. Merging is a union, so doing it twice
 * changes nothing.
 *
 * KEYS[1] = scratch key (same tenant slot); KEYS[2] = live HLL. ARGV[1] = stored bytes or ''.
 */
export const MERGE_HLL_LUA = `
redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1]) end
local merged
if redis.call('EXISTS', KEYS[2]) == 1 then
  if ARGV[1] ~= '' then redis.call('PFMERGE', KEYS[2], KEYS[1]) end
  merged = redis.call('GET', KEYS[2])
else
  merged = redis.call('GET', KEYS[1])
end
redis.call('DEL', KEYS[1])
return merged
`;

/**
 * Marks rolled-up minutes clean, each only if its change counter is still what the job
 * read before taking the snapshot (a write since then keeps it dirty for the next run);
 * drops the tenant from the dirty set once it has no dirty minute left. A minute marked
 * clean also loses its dimension hash's fresh flag (`<minute>:fresh-dims`): dimensions
 * are not rolled up yet (0009 step 4), so there is no rollup to add back, and a flag left
 * behind would keep the tenant dirty for good.
 *
 * KEYS[1] = the tenant's dirty-minutes hash; KEYS[2] = dirty-tenants set.
 * ARGV[1] = tenant id; then minute, counter pairs. Returns the minutes still dirty.
 */
export const CLEAR_DIRTY_LUA = `
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i], ARGV[i] .. ':fresh-dims') end
end
local left = redis.call('HLEN', KEYS[1])
if left == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return left
`;

/**
 * Consumes a minute's "fresh" flag (its counters were created anew since the last
 * rollup) before the snapshot. If the minute was rolled up before, its counters had
 * expired and hold only what arrived since: the last rollup's counts (given as pairs)
 * are added back, so they are complete again. Flag and counters change in one script,
 * so this happens once even if the job dies before it writes the new rollup.
 *
 * KEYS[1] = counters hash; KEYS[2] = dirty-minutes hash. ARGV[1] = fresh flag field;
 * ARGV[2] = counters TTL; then name, count pairs (none for a first rollup).
 * Returns 1 if the flag was consumed now, 0 if it was already gone.
 */
export const RESTORE_COUNTERS_LUA = `
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return 0 end
if #ARGV > 2 then
  for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
`;
