/**
 * Applies a chunk's effects and moves the partition's applied-offset mark, atomically,
 * only if no other attempt opened a chunk of this partition since this one did (the
 * open counter is unchanged) and the mark is what the caller read. A Lua script runs
 * whole or not at all, so after a crash at any instant the mark says exactly which
 * messages' effects are in Redis; a redelivered message at or below it is skipped.
 *
 * Why the open counter: during a rebalance two consumers can work the same partition at
 * once. An attempt that opened later may insert events this one then took for
 * duplicates of other messages; this one must not move the mark past them. It is told
 * to start the chunk again instead (and then sees the other attempt's range).
 *
 * KEYS[1] = applied-offset mark; KEYS[2] = open counter; KEYS[3..] = keys the effects touch.
 * ARGV[1] = mark expected ("-1" when absent); ARGV[2] = new mark; ARGV[3] = open counter
 * expected; then the effects:
 *   H keyIndex field by ttl | I keyIndex by ttl | P keyIndex ttl n member… | S keyIndex member
 *   | C keyIndex field by ttl flagKeyIndex flagField — HINCRBY that first sets flagField in
 *     flagKey when the hash does not exist yet (a minute's counters created anew: the
 *     aggregation job then knows they hold only what arrived since they last expired)
 *   | M keyIndex value ttl — sets the key to value unless it holds a larger number (total:
 *     a value that is no number is replaced; the script must never fail half-way)
 *   | D keyIndex ttl flagKeyIndex flagField n (field by)×n — HINCRBY of n fields of one hash
 *     (first setting flagField in flagKey if the hash does not exist yet), then one EXPIRE;
 *     an increment Redis refuses (a 64-bit overflow, only crafted sums reach it) sets
 *     "!" .. field instead: total, like M
 *   | X keyIndex field value lo|hi — sets a hash field to value unless it holds a number at
 *     least as low (lo) or as high (hi); total; the hash's TTL comes from its D before it
 * Returns 1 when applied, 0 when superseded (nothing written).
 */
export const APPLY_EFFECTS_LUA = `
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[3] then return 0 end
if (redis.call('GET', KEYS[1]) or '-1') ~= ARGV[1] then return 0 end
local i = 4
while i <= #ARGV do
  local op = ARGV[i]
  local key = KEYS[tonumber(ARGV[i + 1])]
  if op == 'H' then
    redis.call('HINCRBY', key, ARGV[i + 2], ARGV[i + 3])
    redis.call('EXPIRE', key, ARGV[i + 4])
    i = i + 5
  elseif op == 'C' then
    if redis.call('EXISTS', key) == 0 then redis.call('HSET', KEYS[tonumber(ARGV[i + 5])], ARGV[i + 6], '1') end
    redis.call('HINCRBY', key, ARGV[i + 2], ARGV[i + 3])
    redis.call('EXPIRE', key, ARGV[i + 4])
    i = i + 7
  elseif op == 'I' then
    redis.call('INCRBY', key, ARGV[i + 2])
    redis.call('EXPIRE', key, ARGV[i + 3])
    i = i + 4
  elseif op == 'P' then
    local n = tonumber(ARGV[i + 3])
    redis.call('PFADD', key, unpack(ARGV, i + 4, i + 3 + n))
    redis.call('EXPIRE', key, ARGV[i + 2])
    i = i + 4 + n
  elseif op == 'S' then
    redis.call('SADD', key, ARGV[i + 2])
    i = i + 3
  elseif op == 'D' then
    if redis.call('EXISTS', key) == 0 then redis.call('HSET', KEYS[tonumber(ARGV[i + 3])], ARGV[i + 4], '1') end
    local j = i + 6
    for _ = 1, tonumber(ARGV[i + 5]) do
      local done = redis.pcall('HINCRBY', key, ARGV[j], ARGV[j + 1])
      if type(done) == 'table' and done.err then redis.call('HSET', key, '!' .. ARGV[j], '1') end
      j = j + 2
    end
    redis.call('EXPIRE', key, ARGV[i + 2])
    i = j
  elseif op == 'X' then
    local held = tonumber(redis.call('HGET', key, ARGV[i + 2]) or '')
    local value = tonumber(ARGV[i + 3])
    if held == nil or (ARGV[i + 4] == 'lo' and value < held) or (ARGV[i + 4] == 'hi' and value > held) then
      redis.call('HSET', key, ARGV[i + 2], ARGV[i + 3])
    end
    i = i + 5
  elseif op == 'M' then
    local held = tonumber(redis.call('GET', key) or '')
    if held == nil or held < tonumber(ARGV[i + 2]) then redis.call('SET', key, ARGV[i + 2]) end
    redis.call('EXPIRE', key, ARGV[i + 3])
    i = i + 4
  else
    return redis.error_reply('apply-effects: unknown op ' .. tostring(op))
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/**
 * Opens a chunk: counts the opening, returns the partition's applied-offset mark and
 * the offset range of earlier attempts whose MongoDB writes may have happened without
 * their Redis effects (a crash in between, or an attempt still running elsewhere), then
 * records this chunk's range as such an attempt.
 *
 * KEYS[1] = applied-offset mark; KEYS[2] = in-flight range ("first-last"); KEYS[3] = open counter.
 * ARGV[1] = this chunk's first offset; ARGV[2] = its last offset.
 * Returns { mark, earlierFirst, earlierLast, openCount } ("-1" for the range when none).
 */
export const BEGIN_CHUNK_LUA = `
local mark = redis.call('GET', KEYS[1]) or '-1'
local range = redis.call('GET', KEYS[2])
local first, last = '-1', '-1'
if range then
  local dash = string.find(range, '-', 1, true)
  first = string.sub(range, 1, dash - 1)
  last = string.sub(range, dash + 1)
  if tonumber(last) <= tonumber(mark) then first, last = '-1', '-1' end
end
local newFirst, newLast = ARGV[1], ARGV[2]
if last ~= '-1' then
  if tonumber(first) < tonumber(newFirst) then newFirst = first end
  if tonumber(last) > tonumber(newLast) then newLast = last end
end
redis.call('SET', KEYS[2], newFirst .. '-' .. newLast)
local opened = redis.call('INCR', KEYS[3])
return { mark, first, last, tostring(opened) }
`;
