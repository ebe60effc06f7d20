import { ApiProblems } from '@tmis/common';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { CATALOGUE, CODE_TABLES } from '@tmis/core-indicators';
import {
  CreateTeacherDto,
  EntryDto,
  LIST_SUB_SETS,
  ListTeachersQueryDto,
  SubSetParams,
  toTeacherResponse,
  toTeacherSummary,
  UpdateTeacherDto,
  VersionQueryDto,
} from './dto/teacher.dto.js';
import { TeacherService } from './teacher.service.js';
import { TeacherControllerResponses, CatalogueControllerResponses } from './teacher.responses.js';

const uuid = new ParseUUIDPipe();
const WRITERS = [Role.InfoAdmin, Role.Teacher];

@ApiTags('teachers')
@Controller('teachers')
@TeacherControllerResponses
export class TeacherController {
  constructor(private readonly teachers: TeacherService) {}

  @Post()
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: "Register a teacher's electronic record in a school of your scope (Art. 21)" })
  async create(@CurrentActor() a: Actor, @Body() dto: CreateTeacherDto) {
    return toTeacherResponse(await this.teachers.create(a, dto), this.teachers.view(a));
  }

  @Get()
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query], scope: ApiScope.TeachersRead })
  @ApiOperation({
    summary:
      'Search records in your subtree (keyset paging, ordered by unit, name, id); people who left are excluded unless includeInactive=true',
  })
  async list(@CurrentActor() a: Actor, @Query() q: ListTeachersQueryDto) {
    const page = await this.teachers.list(a, q);
    return { items: page.items.map((t) => toTeacherSummary(t, this.teachers.view(a))), nextCursor: page.nextCursor };
  }

  @Get('me')
  @Authenticated({ roles: [Role.Teacher] })
  @ApiOperation({ summary: "A teacher's own record" })
  @ApiProblems(404)
  async mine(@CurrentActor() a: Actor) {
    return toTeacherResponse(await this.teachers.present(await this.teachers.mine(a)), 'teacher');
  }

  @Get(':id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query, Role.Teacher], scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Read a record (query users see ID numbers and contacts masked, and no pay)' })
  async get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return toTeacherResponse(await this.teachers.present(await this.teachers.get(a, id)), this.teachers.view(a));
  }

  @Get(':id/completeness')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Teacher] })
  @ApiOperation({
    summary:
      "Completeness check against the school's indicator set (core and custom required fields) before submitting",
  })
  completeness(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.teachers.completeness(a, id);
  }

  @Get(':id/history')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Teacher] })
  @ApiOperation({ summary: 'Every change: who, when, before, after' })
  history(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.teachers.history(a, id);
  }

  @Patch(':id')
  @Authenticated({ roles: WRITERS })
  @ApiOperation({
    summary: 'Set fields of the basic and contacts sub-sets (owner rules apply; a stale version is refused)',
  })
  async update(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: UpdateTeacherDto) {
    return toTeacherResponse(await this.teachers.update(a, id, dto), this.teachers.view(a));
  }

  @Post(':id/:subSet')
  @ApiParam({ name: 'id', type: String, format: 'uuid' })
  @ApiParam({ name: 'subSet', enum: LIST_SUB_SETS })
  @Authenticated({ roles: WRITERS })
  @ApiOperation({ summary: 'Add an entry to a list sub-set (education, training, awards, …)' })
  async addEntry(@CurrentActor() a: Actor, @Param() p: SubSetParams, @Body() dto: EntryDto) {
    return toTeacherResponse(
      await this.teachers.addEntry(a, p.id, p.subSet, dto.version, dto.entry),
      this.teachers.view(a),
    );
  }

  @Patch(':id/:subSet/:entryId')
  @ApiParam({ name: 'id', type: String, format: 'uuid' })
  @ApiParam({ name: 'subSet', enum: LIST_SUB_SETS })
  @ApiParam({ name: 'entryId', type: String, format: 'uuid' })
  @Authenticated({ roles: WRITERS })
  @ApiOperation({ summary: 'Change fields of a list entry (null clears)' })
  async updateEntry(@CurrentActor() a: Actor, @Param() p: SubSetParams, @Body() dto: EntryDto) {
    return toTeacherResponse(
      await this.teachers.updateEntry(a, p.id, p.subSet, p.entryId!, dto.version, dto.entry),
      this.teachers.view(a),
    );
  }

  @Delete(':id/:subSet/:entryId')
  @ApiParam({ name: 'id', type: String, format: 'uuid' })
  @ApiParam({ name: 'subSet', enum: LIST_SUB_SETS })
  @ApiParam({ name: 'entryId', type: String, format: 'uuid' })
  @Authenticated({ roles: WRITERS })
  @ApiOperation({ summary: 'Remove a list entry' })
  async removeEntry(@CurrentActor() a: Actor, @Param() p: SubSetParams, @Query() q: VersionQueryDto) {
    return toTeacherResponse(
      await this.teachers.removeEntry(a, p.id, p.subSet, p.entryId!, q.version),
      this.teachers.view(a),
    );
  }
}

@ApiTags('catalogue')
@Controller()
@CatalogueControllerResponses
export class CatalogueController {
  @Get('catalogue')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'The core-indicator catalogue: sub-sets, fields, indicator sets, code tables, version' })
  catalogue() {
    return { ...CATALOGUE, codeTables: [...CODE_TABLES.values()] };
  }
}
