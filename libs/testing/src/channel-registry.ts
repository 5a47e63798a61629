import { type Channel, type ChannelAdapter, ChannelRegistry, CHANNELS } from '@readerdesk/conversations';

/**
 * A channel registry with the threading rules the desk's adapters have (email threads only through
 * what it names, and any sender may name a conversation; every other channel continues the reader's
 * ongoing one), for code that builds `IngestionService` by hand. No adapter delivers.
 */
export function testChannelRegistry(): ChannelRegistry {
  const adapters = Object.fromEntries(
    CHANNELS.map((channel): [Channel, ChannelAdapter] => [
      channel,
      {
        threading:
          channel === 'email'
            ? { continuesOngoing: false, anySenderMayName: true }
            : { continuesOngoing: true, anySenderMayName: false },
      },
    ]),
  ) as Record<Channel, ChannelAdapter>;
  return ChannelRegistry.of(adapters);
}
