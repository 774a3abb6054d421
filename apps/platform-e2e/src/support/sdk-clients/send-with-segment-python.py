"""Sends a known set of calls with Segment's official Python library (segment-analytics-python),
configured as its README says, with only the host changed. Prints one JSON line: what it sent and
every error the library reported. Run by real-sdks.e2e-spec.ts."""
import json
import sys

import segment.analytics as analytics

write_key, host, run = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []
analytics.write_key = write_key
analytics.host = host
analytics.max_retries = 3
analytics.on_error = lambda error, batch: errors.append(repr(error))

for i in range(20):
    analytics.track(user_id=f"{run}-user-{i % 4}", event="Python Purchase", properties={"i": i, "revenue": 9.5})
for i in range(5):
    analytics.identify(user_id=f"{run}-user-{i}", traits={"plan": "pro", "seq": i})
    # The library sends "anonymousId": null beside the userId, and "category": null here.
    analytics.page(user_id=f"{run}-user-{i}", name="Pricing", properties={"url": "https://example.com/pricing"})
    analytics.group(user_id=f"{run}-user-{i}", group_id="acme", traits={"name": "Acme"})
analytics.track(anonymous_id=f"{run}-anon", event="Python Purchase")
analytics.flush()
analytics.shutdown()
print(json.dumps({"errors": errors}))
