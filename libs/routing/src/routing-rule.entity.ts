import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, JsonColumn, TenantEntity, UpdatedAtColumn } from '@readerdesk/platform';
import type { RuleActions, RuleCondition } from './rule-matcher';

/**
 * A routing rule of a library: in `position` order (ties by id, i.e. creation), the first enabled
 * rule whose conditions all hold decides where a new conversation goes.
 */
@Entity('routing_rules')
@Index('ix_routing_rules_order', ['libraryId', 'position'])
export class RoutingRule extends TenantEntity {
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** An AND-list of `{ field, op, values | value }` (rule-matcher.ts), validated on save. */
  @JsonColumn({ default: () => "'[]'" })
  conditions!: RuleCondition[];

  @JsonColumn({ default: () => "'{}'" })
  actions!: RuleActions;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
