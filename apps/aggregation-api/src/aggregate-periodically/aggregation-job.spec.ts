import { closedDirtyMinutes } from './aggregation-job.service';

describe('closedDirtyMinutes', () => {
  it('lists closed dirty minutes oldest first with their counters and fresh flags, leaving the open minute', () => {
    const fields = { '105': '3', '100': '1', '100:fresh': '1', '110': '7' };
    expect(closedDirtyMinutes(fields, 110)).toEqual([
      { minute: 100, version: '1', fresh: true },
      { minute: 105, version: '3', fresh: false },
    ]);
  });
});
