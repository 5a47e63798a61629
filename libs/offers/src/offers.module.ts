import { Module } from '@nestjs/common';
import { ConversationsModule } from '@readerdesk/conversations';
import { StaffModule } from '@readerdesk/staff';
import { TenancyModule } from '@readerdesk/tenancy';
import { OfferSettingsService } from './offer-settings.service';
import { OffersService } from './offers.service';
import {
  OfferAgentRepository,
  OfferQueueRepository,
  OfferRepository,
  OfferSettingsRepository,
} from './offer.repository';

/**
 * Offers run in every process that loads this module (the api's requests and the worker's ingestion both
 * publish the events that ask for a dispatch); the sweep and the timers run outside the api role.
 */
@Module({
  imports: [TenancyModule, StaffModule, ConversationsModule],
  providers: [
    OfferRepository,
    OfferSettingsRepository,
    OfferQueueRepository,
    OfferAgentRepository,
    OfferSettingsService,
    OffersService,
  ],
  exports: [OffersService, OfferSettingsService],
})
export class OffersModule {}
