import { ApiProblems } from '@tmis/common';
import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, type Actor } from '@tmis/access';
import { ACCOUNTS_OPTIONS, type AccountsOptions } from './accounts.options.js';
import { AccountsService } from './accounts.service.js';
import { AuthService } from './auth.service.js';
import { clientCertificateFingerprint } from './client-certificate.js';
import { ChangePasswordDto, LoginDto, RefreshDto, toAccountResponse } from './dto/account.dto.js';
import { AuthControllerResponses } from './auth.responses.js';

type Req = Parameters<typeof clientCertificateFingerprint>[0] & { ip?: string };

@ApiTags('auth')
@Controller('auth')
@AuthControllerResponses
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
    @Inject(ACCOUNTS_OPTIONS) private readonly options: AccountsOptions,
  ) {}

  @Post('login')
  @ApiProblems(401, 403, 429)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Log in with user name (a teacher: the ID number) and password; CA-bound administrators also present their certificate',
  })
  login(@Body() dto: LoginDto, @Req() req: Req) {
    return this.auth.login(dto.username, dto.password, {
      ip: req.ip ?? null,
      certFingerprint: clientCertificateFingerprint(req, this.options),
    });
  }

  @Post('refresh')
  @ApiProblems(401)
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)' })
  refresh(@Body() dto: RefreshDto) {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated({ allowPasswordChangePending: true })
  @ApiOperation({ summary: 'Revoke this session: its access and refresh tokens stop working' })
  async logout(@CurrentActor() a: Actor) {
    await this.auth.logout(a);
  }

  @Post('password')
  @HttpCode(204)
  @Authenticated({ allowPasswordChangePending: true })
  @ApiOperation({ summary: 'Change your password (required at first login)' })
  async changePassword(@CurrentActor() a: Actor, @Body() dto: ChangePasswordDto) {
    await this.auth.changePassword(a, dto.currentPassword, dto.newPassword);
  }

  @Get('me')
  @Authenticated({ allowPasswordChangePending: true })
  @ApiOperation({ summary: 'Your own account' })
  async me(@CurrentActor() a: Actor) {
    return { ...toAccountResponse(await this.accounts.me(a), { unmasked: true }), unitPath: a.unitPath };
  }
}
