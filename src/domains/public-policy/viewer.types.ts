import { Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../context/tokens';
import { RoleEnum } from '../../graphql/enums';
import { TenantType } from './public-policy.types';

@ObjectType({ description: 'The caller as the server sees them: who, in which role, acting for which tenant.' })
export class Viewer {
  @Field() sub!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => TenantType, { description: 'The tenant of the x-tenant-id header.' }) tenant!: TenantType;
  @Field(() => [ID], { description: 'Every tenant the token may act for.' }) tenants!: string[];
}
