import { MongoInvalidArgumentError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { rollupFailureReason } from './rollup-failure-reason.util';

describe('rollupFailureReason', () => {
  it('tells a store that cannot be reached (MongoDB or Redis) from one tenant’s failure', () => {
    expect(rollupFailureReason(new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'))).toBe(
      'store_unavailable',
    );
    const selection = Object.create(MongoServerSelectionError.prototype) as MongoServerSelectionError; // as the driver builds it
    expect(rollupFailureReason(selection)).toBe('store_unavailable');
    expect(rollupFailureReason(new Error('Connection is closed.'))).toBe('store_unavailable');
    expect(
      rollupFailureReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })),
    ).toBe('store_unavailable');
  });

  it('names a rollup too large for a MongoDB document, as the driver or a server reports it', () => {
    // What the driver threw here for a 17 MB rollup, before sending anything.
    expect(
      rollupFailureReason(new MongoInvalidArgumentError('Document is larger than the maximum size 16777216')),
    ).toBe('document_too_large');
    expect(rollupFailureReason(new MongoServerError({ message: 'object to insert too large', code: 10334 }))).toBe(
      'document_too_large',
    );
  });

  it('counts anything else as other', () => {
    expect(rollupFailureReason(new TypeError("Cannot read properties of undefined (reading 'names')"))).toBe('other');
    expect(rollupFailureReason('a string')).toBe('other');
  });
});
