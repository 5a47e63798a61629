import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { RoutingRule } from './routing-rule.entity';

@Injectable()
export class RoutingRuleRepository extends TenantRepository<RoutingRule> {
  constructor(db: DatabaseService) {
    super(db, RoutingRule, 'Routing rule');
  }

  /** Every rule of the library in the order they are tried: position, then id (creation order). */
  ordered(scope: LibraryScope): Promise<RoutingRule[]> {
    return this.find(scope, {}, { position: 'ASC', id: 'ASC' });
  }
}
