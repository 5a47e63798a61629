import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Offer, type OfferPolicy, OfferSettingsService, OffersService } from '@readerdesk/offers';
import { ApiProblems, type Problem } from '@readerdesk/platform';
import {
  CurrentStaff,
  DepartmentAccessService,
  RequireRole,
  scopeOf,
  StaffOnly,
  type StaffPrincipal,
} from '@readerdesk/staff';
import { OfferDto, OfferSettingsBodyDto, OfferSettingsDto } from './offers.dto';

export function offerDto(o: Offer): OfferDto {
  return {
    id: o.id,
    conversationId: o.conversationId,
    agentId: o.agentId,
    departmentId: o.departmentId,
    channel: o.channel,
    mode: o.mode,
    status: o.status,
    endReason: o.endReason,
    offeredAt: o.offeredAt,
    expiresAt: o.expiresAt,
    closedAt: o.closedAt,
  };
}

function settingsDto(p: OfferPolicy): OfferSettingsDto {
  return {
    departmentId: p.departmentId,
    mode: p.mode,
    agentOrder: p.agentOrder,
    timeouts: p.timeouts,
    overflow: p.overflow,
  };
}

const ANSWER_409: Problem = [
  409,
  'The offer is another agent’s (`offer_not_yours`), ended already — timed out, taken elsewhere, withdrawn (`offer_ended`, ' +
    'with `reason`) — or the agent holds their capacity on this channel (`offer_over_capacity`)',
];
const NO_OFFER: Problem = [404, 'No such offer in the caller’s library'];
const NO_KEYS: Problem = [403, 'API keys hold no offers: members of staff only'];

/**
 * An agent's offers: what the desk offers them (also pushed as `offer.created` on their socket) and
 * their answer. Only the agent it was made to may answer; API keys hold no offers.
 */
@ApiTags('offers')
@ApiBearerAuth()
@StaffOnly()
@Controller('offers')
export class OffersController {
  constructor(private readonly offers: OffersService) {}

  @Get()
  @ApiOkResponse({ type: [OfferDto] })
  @ApiOperation({ summary: 'My pending offers', description: 'The caller’s pending offers, oldest first.' })
  @ApiProblems(401, NO_KEYS)
  async mine(@CurrentStaff() me: StaffPrincipal): Promise<OfferDto[]> {
    return (await this.offers.mine(scopeOf(me), me.agentId)).map(offerDto);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOkResponse({ type: OfferDto })
  @ApiOperation({
    summary: 'Accept an offer',
    description: 'The conversation is assigned to the caller; every other offer of it ends (`taken_elsewhere`).',
  })
  @ApiProblems(401, NO_KEYS, NO_OFFER, ANSWER_409)
  async accept(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<OfferDto> {
    return offerDto(await this.offers.accept(scopeOf(me), id, me.agentId));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: OfferDto })
  @ApiOperation({
    summary: 'Reject an offer',
    description:
      'The conversation goes to the next eligible agent; the caller is not offered it again for two minutes.',
  })
  @ApiProblems(401, NO_KEYS, NO_OFFER, ANSWER_409)
  async reject(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<OfferDto> {
    return offerDto(await this.offers.reject(scopeOf(me), id, me.agentId));
  }
}

const NO_DEPARTMENT: Problem = [
  404,
  'No such department (or overflow department) in the caller’s library, or not the supervisor’s',
];

/** How a department hands out its conversations: supervisors of the department read it, administrators change it. */
@ApiTags('offers')
@ApiBearerAuth()
@Controller('departments/:id/offer-settings')
export class OfferSettingsController {
  constructor(
    private readonly settings: OfferSettingsService,
    private readonly access: DepartmentAccessService,
  ) {}

  @Get()
  @RequireRole('supervisor')
  @ApiOkResponse({ type: OfferSettingsDto })
  @ApiOperation({
    summary: 'A department’s offer settings',
    description:
      'Mode (`offer`: one agent at a time, the default; `broadcast`: every eligible agent, first to accept wins; `manual`: ' +
      'no offers), agent order (`longest_idle`, `least_busy`, `round_robin`), offer timeouts per channel and overflow.',
  })
  @ApiProblems(401, 403, NO_DEPARTMENT)
  async get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<OfferSettingsDto> {
    await this.access.assertCanSee(me, id, 'Department');
    return settingsDto(await this.settings.get(scopeOf(me), id));
  }

  @Put()
  @RequireRole('administrator')
  @ApiOkResponse({ type: OfferSettingsDto })
  @ApiOperation({
    summary: 'Change a department’s offer settings',
    description: 'Administrators. Fields left out keep their value.',
  })
  @ApiProblems(
    [
      400,
      'A field out of range or an unknown channel (`validation_failed` or `invalid_offer_settings`, the field named in `errors`)',
    ],
    401,
    403,
    NO_DEPARTMENT,
  )
  async put(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: OfferSettingsBodyDto,
  ): Promise<OfferSettingsDto> {
    return settingsDto(await this.settings.update(scopeOf(me), id, body));
  }
}
