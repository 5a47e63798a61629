import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { type Channel, CHANNELS } from '../conversation-status';
import { CHANNEL_ADAPTER, type ChannelAdapter, type ThreadingRules } from './channel-port';

export class ChannelRegistryError extends Error {}

/**
 * Finds every `@ChannelAdapterFor` provider at boot, as the queue finds job handlers, and refuses
 * to start unless each channel an inbox can have has exactly one adapter. The core asks it for a
 * channel's threading rules and its delivery; no channel name appears in the core's rules.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit {
  private readonly adapters = new Map<Channel, ChannelAdapter>();

  constructor(
    @Optional() private readonly discovery?: DiscoveryService,
    @Optional() private readonly reflector?: Reflector,
  ) {}

  /** A registry of the given adapters, for code that runs outside Nest (tests, benchmarks). */
  static of(adapters: Record<Channel, ChannelAdapter>): ChannelRegistry {
    const registry = new ChannelRegistry();
    registry.register(
      Object.entries(adapters).map(([channel, adapter]) => ({ channel: channel as Channel, adapter, name: channel })),
    );
    return registry;
  }

  onModuleInit(): void {
    if (!this.discovery || !this.reflector) return;
    const found: Array<{ channel: Channel; adapter: ChannelAdapter; name: string }> = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as ChannelAdapter | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.metatype) continue;
      const channel = this.reflector.get<Channel | undefined>(CHANNEL_ADAPTER, wrapper.metatype as () => unknown);
      if (channel) found.push({ channel, adapter: instance, name: String(wrapper.name) });
    }
    this.register(found);
  }

  private register(found: Array<{ channel: Channel; adapter: ChannelAdapter; name: string }>): void {
    const problems: string[] = [];
    const names = new Map<Channel, string[]>();
    for (const { channel, adapter, name } of found) {
      if (!(CHANNELS as readonly string[]).includes(channel))
        problems.push(`${name} is the adapter of an unknown channel "${channel}"`);
      names.set(channel, [...(names.get(channel) ?? []), name]);
      this.adapters.set(channel, adapter);
    }
    for (const channel of CHANNELS) {
      const where = names.get(channel) ?? [];
      if (where.length === 0) problems.push(`channel ${channel} has no adapter`);
      if (where.length > 1) problems.push(`channel ${channel} has ${where.length} adapters: ${where.join(', ')}`);
    }
    if (problems.length > 0)
      throw new ChannelRegistryError(`Channel adapters do not match the channels: ${problems.join('; ')}`);
  }

  adapterOf(channel: Channel): ChannelAdapter {
    const adapter = this.adapters.get(channel);
    if (!adapter) throw new ChannelRegistryError(`channel ${channel} has no adapter`);
    return adapter;
  }

  threadingOf(channel: Channel): ThreadingRules {
    return this.adapterOf(channel).threading;
  }
}
