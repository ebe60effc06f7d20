import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { toUnitResponse } from '@tmis/org';
import { BankService } from './bank.service.js';
import {
  AddRuleDto,
  ApplyCreditsDto,
  BankQueryDto,
  CreateProjectDto,
  DecideProjectDto,
  EnrolDto,
  ProjectQueryDto,
  RegisterInstitutionDto,
  ResultsDto,
  SubtreeBankQueryDto,
} from './dto/training.dto.js';
import type { CreditRules } from './credit-rules.js';
import { ProjectService } from './project.service.js';

const uuid = new ParseUUIDPipe();
const ADMINS = [Role.InfoAdmin, Role.SysAdmin];
const READERS = [Role.InfoAdmin, Role.SysAdmin, Role.Query, Role.Teacher];

@ApiTags('training')
@Controller('training')
export class TrainingController {
  constructor(private readonly projects: ProjectService) {}

  @Post('institutions')
  @Authenticated({ roles: ADMINS })
  @ApiOperation({
    summary: 'Register a training institution below your department (its administrators are then created in /accounts)',
  })
  async registerInstitution(@CurrentActor() a: Actor, @Body() dto: RegisterInstitutionDto) {
    return toUnitResponse(await this.projects.registerInstitution(a, dto));
  }

  @Get('institutions')
  @Authenticated({ roles: [Role.InfoAdmin, Role.SysAdmin, Role.Query] })
  async institutions(@CurrentActor() a: Actor) {
    return (await this.projects.institutions(a)).map(toUnitResponse);
  }

  @Post('projects')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: "Enter a training project of your unit's level (a school's plan waits for its department)" })
  createProject(@CurrentActor() a: Actor, @Body() dto: CreateProjectDto) {
    return this.projects.createProject(a, dto);
  }

  @Get('projects')
  @Authenticated({ roles: READERS })
  listProjects(@CurrentActor() a: Actor, @Query() q: ProjectQueryDto) {
    return this.projects.listProjects(a, q);
  }

  @Get('projects/:id')
  @Authenticated({ roles: READERS })
  getProject(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.getProject(a, id);
  }

  @Post('projects/:id/approve')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  approve(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: DecideProjectDto) {
    return this.projects.decideProject(a, id, true, dto.version);
  }

  @Post('projects/:id/refuse')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  refuse(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: DecideProjectDto) {
    return this.projects.decideProject(a, id, false, dto.version, dto.reason);
  }

  @Post('projects/:id/enrolments')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin, Role.Teacher] })
  @ApiOperation({ summary: 'Enrol teachers in your scope, or yourself where the project allows' })
  enrol(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: EnrolDto) {
    return this.projects.enrol(a, id, dto.teacherIds);
  }

  @Get('projects/:id/enrolments')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  enrolments(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.enrolments(a, id);
  }

  @Post('projects/:id/results')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: 'Results per trainee (the institution running the project); confirmed results never change',
  })
  results(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ResultsDto) {
    return this.projects.submitResults(a, id, dto.results);
  }

  @Post('projects/:id/confirm')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: "Confirm results and credit them (owning department; a national project: the teacher's province)",
  })
  confirm(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return this.projects.confirm(a, id);
  }
}

@ApiTags('training')
@Controller('training')
export class CreditBankController {
  constructor(private readonly bank: BankService) {}

  @Post('credit-rules')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: "A new version of your province's hour→credit rules (confirmed credits never change)" })
  addRule(@CurrentActor() a: Actor, @Body() dto: AddRuleDto) {
    return this.bank.addRule(a, dto.effectiveFrom, dto.rules as CreditRules);
  }

  @Get('credit-rules')
  @Authenticated({ roles: READERS })
  rules(@CurrentActor() a: Actor) {
    return this.bank.rules(a);
  }

  @Get('bank/me')
  @Authenticated({ roles: [Role.Teacher] })
  @ApiOperation({ summary: 'Your credit bank: every confirmed credit, totals in the current cycle' })
  mine(@CurrentActor() a: Actor, @Query() q: BankQueryDto) {
    return this.bank.mine(a, q);
  }

  @Get('bank')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  @ApiOperation({ summary: 'Credit totals per teacher in your subtree (ID numbers masked for query users)' })
  subtree(@CurrentActor() a: Actor, @Query() q: SubtreeBankQueryDto) {
    return this.bank.subtree(a, q);
  }

  @Get('bank/teachers/:id')
  @Authenticated({ roles: [Role.InfoAdmin, Role.Query] })
  ofTeacher(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() q: BankQueryDto) {
    return this.bank.ofTeacher(a, id, q);
  }

  @Post('bank/teachers/:id/apply')
  @HttpCode(200)
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Apply credits to a purpose (registration, title evaluation); refused the second time' })
  apply(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ApplyCreditsDto) {
    return this.bank.apply(a, id, dto.creditIds, dto.purpose, dto.referenceId);
  }
}
