import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { AccountsService } from './accounts.service.js';
import {
  BindCertificateDto,
  CreateAccountDto,
  ListAccountsQueryDto,
  ResetPasswordDto,
  toAccountResponse,
  UpdateAccountDto,
  VersionDto,
} from './dto/account.dto.js';
import { AccountsControllerResponses } from './accounts.responses.js';

const uuid = new ParseUUIDPipe();

@ApiTags('accounts')
@Controller('accounts')
@AccountsControllerResponses
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({
    summary:
      "Create an account: your unit's administrators, query users and teachers, or the system administrator of a unit directly below",
  })
  async create(@CurrentActor() a: Actor, @Body() dto: CreateAccountDto) {
    return toAccountResponse(await this.accounts.create(a, dto));
  }

  @Get()
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Accounts of your unit and the units below it (ID numbers masked)' })
  async list(@CurrentActor() a: Actor, @Query() q: ListAccountsQueryDto) {
    const page = await this.accounts.list(a, q);
    return { items: page.items.map((x) => toAccountResponse(x)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Read an account in your scope' })
  async get(@CurrentActor() a: Actor, @Param('id', uuid) id: string) {
    return toAccountResponse(await this.accounts.get(a, id));
  }

  @Patch(':id')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Change the real name or enable/disable an account you manage' })
  async update(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: UpdateAccountDto) {
    return toAccountResponse(await this.accounts.update(a, id, dto));
  }

  @Post(':id/reset-password')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Set a temporary password (must be changed at next login); unlocks and revokes sessions' })
  async reset(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: ResetPasswordDto) {
    return toAccountResponse(await this.accounts.resetPassword(a, id, dto));
  }

  @Post(':id/unlock')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Lift a lockout after failed logins' })
  async unlock(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: VersionDto) {
    return toAccountResponse(await this.accounts.unlock(a, id, dto.version));
  }

  @Put(':id/certificate')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Bind an administrator account to a CA certificate (login then requires it)' })
  async bind(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Body() dto: BindCertificateDto) {
    return toAccountResponse(await this.accounts.bindCertificate(a, id, dto));
  }

  @Delete(':id/certificate')
  @Authenticated({ roles: [Role.SysAdmin] })
  @ApiOperation({ summary: 'Remove the certificate binding' })
  async unbind(@CurrentActor() a: Actor, @Param('id', uuid) id: string, @Query() dto: VersionDto) {
    return toAccountResponse(await this.accounts.unbindCertificate(a, id, dto.version));
  }
}
