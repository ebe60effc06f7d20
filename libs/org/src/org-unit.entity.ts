import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum UnitKind {
  Ministry = 'ministry',
  Province = 'province',
  City = 'city',
  County = 'county',
  School = 'school',
  Department = 'department',
  /** A training institution (Art. 25): registered by a department through libs/training, ADR 0015. */
  Institution = 'institution',
}

export enum UnitStatus {
  Active = 'active',
  Closed = 'closed',
  Merged = 'merged',
}

export const LEVEL_OF_KIND: Record<UnitKind, number> = {
  [UnitKind.Ministry]: 1,
  [UnitKind.Province]: 2,
  [UnitKind.City]: 3,
  [UnitKind.County]: 4,
  [UnitKind.School]: 5,
  [UnitKind.Department]: 6,
  [UnitKind.Institution]: 7,
};

@Entity('org_unit')
export class OrgUnitEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 16 }) kind: UnitKind;
  @Column({ type: 'smallint' }) level: number;
  @Column({ type: 'varchar', length: 24 }) code: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'varchar', length: 400 }) path: string;
  @Column({ type: 'varchar', length: 16 }) status: UnitStatus;
  @Column({ name: 'school_type', type: 'varchar', length: 4, nullable: true }) schoolType: string | null;
  @Column({ name: 'urban_rural', type: 'varchar', length: 4, nullable: true }) urbanRural: string | null;
  @Column({ type: 'varchar', length: 2, nullable: true }) sponsor: string | null;
  @Column({ type: 'boolean' }) central: boolean;
  @Column({ name: 'merged_into_id', type: 'uuid', nullable: true }) mergedIntoId: string | null;
  @Column({ name: 'closed_on', type: 'date', nullable: true }) closedOn: string | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
