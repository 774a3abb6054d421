import type { DeviceType } from './device-type';

/**
 * The standard dimensions while they are derived: each step writes the ones it knows
 * into the one object that is returned, so an event costs one allocation, not one per
 * step and a copy (the worker derives them for every event; 0008).
 */
export interface DimensionsDraft {
  event: string;
  $path?: string;
  $referrer_host?: string;
  $utm_source?: string;
  $utm_medium?: string;
  $utm_campaign?: string;
  $browser?: string;
  $os?: string;
  $device?: DeviceType;
  $country?: string;
  $library?: string;
}

/** Sets a dimension the event has; one it has not stays absent, never `undefined`. */
export function setPresent<K extends keyof DimensionsDraft>(
  draft: DimensionsDraft,
  name: K,
  value: DimensionsDraft[K] | undefined,
): void {
  if (value !== undefined) draft[name] = value;
}
