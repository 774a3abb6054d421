import type { SegmentEvent } from '@tally/contracts';
import { standardDimensionsOf } from '@tally/event-dimensions';
import { RAW_EVENT_VERSION, type StoredRawEvent } from '../raw-events.collection';
import { eventFieldsOf } from './event-fields';
import { storedFields, type QueryableFields } from './stored-fields.codec';

/**
 * The fields a stored raw event is queried by, whatever its version: a version-2
 * document carries them (`storedFields`); an older one has only its payload, which is
 * decoded with the very functions the worker uses, so both shapes answer a question the
 * same way (0009 section 1, "Migration from today's documents").
 */
export function rawEventFieldsOf(document: StoredRawEvent): QueryableFields {
  if (document.v === RAW_EVENT_VERSION) return storedFields.decode(document);
  // The worker stored the payload only after the contract accepted it.
  const event = JSON.parse(document.payload) as SegmentEvent;
  const { props, nums } = eventFieldsOf(event, standardDimensionsOf(event));
  return { props, nums };
}
