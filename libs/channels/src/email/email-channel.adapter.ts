import { Injectable } from '@nestjs/common';
import { type ChannelAdapter, ChannelAdapterFor } from '@readerdesk/conversations';

/**
 * Email's side of the channel port. Email threads only through what the mail names (In-Reply-To,
 * References, the [#number] token, a plus address), never by "the reader's ongoing conversation";
 * and any sender may continue a thread its headers name (ids are unguessable: a colleague in Cc).
 */
@Injectable()
@ChannelAdapterFor('email')
export class EmailChannelAdapter implements ChannelAdapter {
  readonly threading = { continuesOngoing: false, anySenderMayName: true };
}
