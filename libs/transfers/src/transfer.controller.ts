import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsDateString, IsOptional } from 'class-validator';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import {
  ApplyTransferDto,
  HostedQueryDto,
  ListTransfersQueryDto,
  TransferSettingsDto,
  TransferStepDto,
} from './dto/transfer.dto.js';
import { MobilityService } from './mobility.service.js';
import { TransferService } from './transfer.service.js';
import { TransferControllerResponses, MobilityControllerResponses } from './transfer.responses.js';

const uuid = new ParseUUIDPipe();
const READERS = [Role.InfoAdmin, Role.Query];

export class MobilityQueryDto {
  @ApiPropertyOptional({ description: 'Period start (effective / start dates), YYYY-MM-DD' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;
  @ApiPropertyOptional({ description: 'Period end, YYYY-MM-DD' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

@ApiTags('transfers')
@Controller()
@TransferControllerResponses
export class TransferController {
  constructor(private readonly transfers: TransferService) {}

  @Post('transfers')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary:
      'Apply for a transfer (receiving school, Art. 23) or an exchange rotation (sending school, Art. 24; kind rotation / rotation-transfer)',
  })
  apply(@CurrentActor() a: Actor, @Body() dto: ApplyTransferDto) {
    return this.transfers.apply(a, dto);
  }

  @Get('transfers')
  @Authenticated({ roles: READERS })
  @ApiOperation({ summary: 'Transfers and rotations in and out of your subtree (waiting=true: those at your step)' })
  list(@CurrentActor() a: Actor, @Query() q: ListTransfersQueryDto) {
    return this.transfers.list(a, q);
  }

  @Get('transfers/settings')
  @Authenticated({ roles: [Role.InfoAdmin] })
  settings(@CurrentActor() a: Actor) {
    return this.transfers.settings(a);
  }

  @Put('transfers/settings')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Set the to-do deadline (province-level information administrator)' })
  setSettings(@CurrentActor() a: Actor, @Body() dto: TransferSettingsDto) {
    return this.transfers.setSettings(a, dto.deadlineDays);
  }

  @Get('transfers/todo')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Cases waiting for your step, and how many are past the province’s deadline' })
  todo(@CurrentActor() a: Actor) {
    return this.transfers.todo(a);
  }

  @Get('transfers/:id')
  @Authenticated({ roles: READERS })
  get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.transfers.get(a, id);
  }

  @Post('transfers/:id/approve')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Take your step: approve, agree or confirm' })
  approve(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: TransferStepDto) {
    return this.transfers.approve(a, id, dto.reason);
  }

  @Post('transfers/:id/refuse')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Refuse at your step, with a reason' })
  refuse(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: TransferStepDto) {
    return this.transfers.refuse(a, id, dto.reason);
  }

  @Post('transfers/:id/withdraw')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Withdraw your application before the last step' })
  withdraw(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: TransferStepDto) {
    return this.transfers.withdraw(a, id, dto.reason);
  }

  @Get('rotations/hosted')
  @Authenticated({ roles: READERS })
  @ApiOperation({ summary: 'Teachers serving at a host unit on an exchange rotation (its staffing view)' })
  hosted(@CurrentActor() a: Actor, @Query() q: HostedQueryDto) {
    return this.transfers.hosted(a, q.unitId);
  }
}

@ApiTags('statistics')
@Controller('stats')
@MobilityControllerResponses
export class MobilityController {
  constructor(private readonly mobility: MobilityService) {}

  @Get('mobility')
  @Authenticated({ roles: READERS })
  @ApiOperation({
    summary:
      'Mobility: transfers in and out, rotations, by region, school type, urban/rural, title and subject, and flows',
  })
  get(@CurrentActor() a: Actor, @Query() q: MobilityQueryDto) {
    return this.mobility.mobility(a, q);
  }
}
