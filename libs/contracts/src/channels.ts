/** Every channel a contact can arrive on; an inbox has one. Shared with the front ends. */
export const CHANNELS = ['email', 'sms', 'voice', 'chat', 'video', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * The channels staff answer live and hold a capacity for: all but the API channel, whose contacts
 * an integration posts and whose replies it reads back.
 */
export const CAPACITY_CHANNELS = CHANNELS.filter((c): c is Exclude<Channel, 'api'> => c !== 'api');
export type CapacityChannel = (typeof CAPACITY_CHANNELS)[number];
