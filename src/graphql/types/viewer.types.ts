import { Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../auth/tokens';
import { RoleEnum } from '../enums';
import { Tenant } from './policy.types';

@ObjectType({ description: 'The caller as the server sees them: who, in which role, acting for which tenant.' })
export class Viewer {
  @Field() sub!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => Tenant, { description: 'The tenant of the x-tenant-id header.' }) tenant!: Tenant;
  @Field(() => [ID], { description: 'Every tenant the token may act for.' }) tenants!: string[];
}
