import { Injectable } from '@nestjs/common';
import { type ChannelAdapter, ChannelAdapterFor, type ThreadingRules } from '@readerdesk/conversations';

/** A new contact continues the reader's ongoing conversation; only that reader may name one. */
const CONTINUES_ONGOING: ThreadingRules = { continuesOngoing: true, anySenderMayName: false };

/*
 * Channels whose contacts arrive through the API channel (`POST /api/v1/inboxes/:id/messages`) and
 * whose replies stay on the desk, where the integration that posted them reads them back: they have
 * threading rules and no `deliver()`, so their replies get no delivery state. Voice, SMS, chat and
 * video replace these with adapters of their own as those channels are built.
 */

@Injectable()
@ChannelAdapterFor('api')
export class ApiChannelAdapter implements ChannelAdapter {
  readonly threading = CONTINUES_ONGOING;
}

@Injectable()
@ChannelAdapterFor('sms')
export class SmsChannelAdapter implements ChannelAdapter {
  readonly threading = CONTINUES_ONGOING;
}

@Injectable()
@ChannelAdapterFor('voice')
export class VoiceChannelAdapter implements ChannelAdapter {
  readonly threading = CONTINUES_ONGOING;
}

@Injectable()
@ChannelAdapterFor('chat')
export class ChatChannelAdapter implements ChannelAdapter {
  readonly threading = CONTINUES_ONGOING;
}

@Injectable()
@ChannelAdapterFor('video')
export class VideoChannelAdapter implements ChannelAdapter {
  readonly threading = CONTINUES_ONGOING;
}

export const DESK_ONLY_ADAPTERS = [
  ApiChannelAdapter,
  SmsChannelAdapter,
  VoiceChannelAdapter,
  ChatChannelAdapter,
  VideoChannelAdapter,
];
