import { ApiProblems } from '@readerdesk/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { InboxService } from '@readerdesk/conversations';
import {
  ApiKey,
  ApiKeyService,
  CurrentStaff,
  parseApiKeyScopes,
  RequireRole,
  scopeOf,
  StaffOnly,
  type StaffPrincipal,
} from '@readerdesk/staff';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto';

const apiKeyDto = (k: ApiKey): ApiKeyDto => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  createdById: k.createdById,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
  lastUsedAt: k.lastUsedAt,
});

/** The library's API keys, managed by its administrators, signed in: no key can make or revoke keys. */
@ApiTags('api keys')
@ApiBearerAuth()
@StaffOnly()
@RequireRole('administrator')
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly inboxes: InboxService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'Administrators only. Scopes: `ingest:<inbox id>`, `read`, `admin`. The answer holds the key, which is never shown again.',
  })
  @ApiProblems(400, 401, 403)
  async create(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const scope = scopeOf(me);
    // Every inbox a scope names must be this library's (404 not_found, as for any other inbox id).
    for (const inboxId of parseApiKeyScopes(body.scopes).inboxIds) await this.inboxes.get(scope, inboxId);
    const { apiKey, secret } = await this.keys.create(scope, {
      name: body.name,
      scopes: body.scopes,
      createdById: me.agentId,
    });
    return { ...apiKeyDto(apiKey), key: secret };
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyDto] })
  @ApiOperation({
    summary: "The library's API keys",
    description: 'Newest first, without their secrets, with `lastUsedAt` to the minute.',
  })
  @ApiProblems(401, 403)
  async list(@CurrentStaff() me: StaffPrincipal): Promise<ApiKeyDto[]> {
    return (await this.keys.list(scopeOf(me))).map(apiKeyDto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'At once: the next request with it answers `401 api_key_invalid`.',
  })
  @ApiProblems(401, 403, [404, 'No such key in the caller’s library'])
  async revoke(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.keys.revoke(scopeOf(me), id);
  }
}
