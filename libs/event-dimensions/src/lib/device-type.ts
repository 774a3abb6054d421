/** The kinds of device `$device` names: Bowser's platform types. */
export const DEVICE_TYPES = ['desktop', 'mobile', 'tablet', 'tv', 'bot'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const isDeviceType = (type: string): type is DeviceType => (DEVICE_TYPES as readonly string[]).includes(type);
