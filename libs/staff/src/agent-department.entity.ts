import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UuidColumn } from '@readerdesk/platform';
import { Agent } from './agent.entity';
import { Department } from './department.entity';

/** An agent works in (or, as a supervisor, oversees) the departments they are a member of. */
@Entity('agent_departments')
@Index('ix_agent_departments_department', ['departmentId'])
export class AgentDepartment {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @PrimaryColumn({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @UuidColumn({ name: 'library_id' })
  libraryId!: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department?: Department;
}
