export { MAX_DIMENSION_VALUE_LENGTH } from './lib/bounded-text.util';
export {
  STANDARD_DIMENSIONS,
  STANDARD_DIMENSIONS_VERSION,
  eventNameOf,
  standardDimensionsOf,
  type StandardDimension,
  type StandardDimensions,
} from './lib/standard-dimensions';
export { DEVICE_TYPES, type DeviceType } from './lib/device-type';
