/**
 * Token bucket, atomically in Redis so every replica shares one bucket per tenant.
 * Time comes from the Redis server (TIME), not from the replicas, whose clocks differ.
 *
 * Takes one or more costs in turn, as if each were its own call at the same instant:
 * a replica sends the takes that queued behind one call together in the next (see
 * `RateLimiter`), and each cost is granted whole or not at all.
 *
 * KEYS[1] bucket · ARGV[1] refill rate (tokens/s) · ARGV[2] capacity · ARGV[3..] costs
 * returns, for each cost in order, { allowed (0|1), tokens left (floor), ms until that
 * cost is affordable, ms until full }, all in one flat list
 */
export const TOKEN_BUCKET_LUA = `
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local replies = {}
for i = 3, #ARGV do
  local cost = tonumber(ARGV[i])
  local allowed = 0
  local wait_ms = 0
  if tokens >= cost then
    tokens = tokens - cost
    allowed = 1
  else
    wait_ms = math.ceil((cost - tokens) * 1000 / rate)
  end
  table.insert(replies, allowed)
  table.insert(replies, math.floor(tokens))
  table.insert(replies, wait_ms)
  table.insert(replies, math.ceil((capacity - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return replies
`;
