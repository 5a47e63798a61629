import { Injectable } from '@nestjs/common';
import { CorsOrigins } from '@readerdesk/platform';
import { ApiKeyService, AuthService, presentedCredential } from '@readerdesk/staff';
import { LibraryDirectory } from '@readerdesk/tenancy';
import type { Request } from 'express';

/**
 * Which pages may call the API: the origins of the library a request's credential names (its API
 * key's, or its staff token's). A request without a credential that holds, a preflight above all
 * (browsers send no credentials with it), is allowed for an origin that any library allows: it
 * reveals nothing, and the request that follows is authorised by its key and answered with CORS
 * headers only for an origin of that key's own library.
 */
@Injectable()
export class LibraryCorsOrigins extends CorsOrigins {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly auth: AuthService,
    private readonly libraries: LibraryDirectory,
  ) {
    super();
  }

  async allows(origin: string, request: Request): Promise<boolean> {
    const libraryId = await this.libraryOf(request);
    return libraryId ? this.libraries.allowsOrigin(libraryId, origin) : this.libraries.anyAllowsOrigin(origin);
  }

  private async libraryOf(request: Request): Promise<string | null> {
    try {
      const credential = presentedCredential(request);
      if (!credential) return null;
      if (credential.kind === 'api_key') return (await this.apiKeys.authenticateRequest(request))?.libraryId ?? null;
      return (await this.auth.verify(credential.value)).libraryId;
    } catch {
      // A credential that does not hold: the guard answers 401, and the page may read why.
      return null;
    }
  }
}
