import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'readerdesk:public';

/** Opts a route out of the staff sign-in that every other route requires. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
