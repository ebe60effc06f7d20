import { Body, Controller, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, type Actor } from '@tmis/access';
import { CloseUnitDto, MergeUnitDto, MoveUnitDto, toUnitResponse, UNIT_MANAGERS } from '@tmis/org';
import { UnitChangesService } from './unit-changes.service.js';
import { UnitChangesControllerResponses } from './unit-changes.responses.js';

const uuid = new ParseUUIDPipe({ version: undefined });

/** The unit changes that move the records units hold (the rest of `/units` is org's `OrgController`). */
@ApiTags('units')
@Controller('units')
@UnitChangesControllerResponses
export class UnitChangesController {
  constructor(private readonly units: UnitChangesService) {}

  @Post(':id/move')
  @Authenticated({ roles: UNIT_MANAGERS })
  @ApiOperation({ summary: 'Move a unit (and its subtree) under another parent' })
  async move(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: MoveUnitDto) {
    return toUnitResponse(await this.units.move(a, id, dto));
  }

  @Post(':id/merge')
  @Authenticated({ roles: UNIT_MANAGERS })
  @ApiOperation({ summary: 'Merge a unit into another; it keeps its code and history' })
  async merge(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: MergeUnitDto) {
    return toUnitResponse(await this.units.merge(a, id, dto));
  }

  @Post(':id/close')
  @Authenticated({ roles: UNIT_MANAGERS })
  @ApiOperation({ summary: 'Close a unit; it keeps its code and history' })
  async close(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: CloseUnitDto) {
    return toUnitResponse(await this.units.close(a, id, dto));
  }
}
