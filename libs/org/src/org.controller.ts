import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import {
  ChildrenQueryDto,
  CreateUnitDto,
  SubtreeQueryDto,
  toUnitResponse,
  UnitLookupDto,
  UpdateUnitDto,
} from './dto/unit.dto.js';
import { OrgService } from './org.service.js';
import { OrgControllerResponses } from './org.responses.js';

// Moving, merging and closing units move the records they hold: those routes are the teachers lib's
// `UnitChangesController` (same paths), which passes its `UnitRecords` to `OrgService`.

export const UNIT_MANAGERS = [Role.SysAdmin, Role.InfoAdmin];
const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('units')
@Controller('units')
@OrgControllerResponses
export class OrgController {
  constructor(private readonly org: OrgService) {}

  @Get('lookup')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Find a unit in your scope by its division or school code' })
  async lookup(@CurrentActor() a: Actor, @Query() q: UnitLookupDto) {
    return toUnitResponse(await this.org.lookupByCode(a, q.code));
  }

  @Get(':id')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Read a unit in your scope' })
  async get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return toUnitResponse(await this.org.get(a, id));
  }

  @Get(':id/children')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Direct children of a unit' })
  async children(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: ChildrenQueryDto) {
    return (await this.org.children(a, id, q.includeInactive === 'true')).map(toUnitResponse);
  }

  @Get(':id/subtree')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'All units below a unit (keyset paging by path), e.g. all schools under a county' })
  async subtree(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: SubtreeQueryDto) {
    const page = await this.org.subtree(a, id, q);
    return { items: page.items.map(toUnitResponse), nextCursor: page.nextCursor };
  }

  @Get(':id/summary')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Counts of active units by kind below a unit' })
  summary(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.org.summary(a, id);
  }

  @Get(':id/history')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Every change of a unit: create, rename, move, merge, close' })
  history(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.org.history(a, id);
  }

  @Post()
  @Authenticated({ roles: UNIT_MANAGERS })
  @ApiOperation({ summary: 'Create a city, county, school or secondary department under a unit in your scope' })
  async create(@CurrentActor() a: Actor, @Body() dto: CreateUnitDto) {
    return toUnitResponse(await this.org.create(a, dto));
  }

  @Patch(':id')
  @Authenticated({ roles: UNIT_MANAGERS })
  @ApiOperation({ summary: "Rename a unit or change a school's attributes" })
  async update(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: UpdateUnitDto) {
    return toUnitResponse(await this.org.update(a, id, dto));
  }
}
