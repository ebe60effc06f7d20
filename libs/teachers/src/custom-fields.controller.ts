import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiScope, Authenticated, CurrentActor, Role, type Actor } from '@tmis/access';
import { CustomFieldsService } from './custom-fields.service.js';
import { CustomFieldDto, CustomFieldQueryDto } from './dto/teacher.dto.js';
import { CustomFieldControllerResponses } from './custom-fields.responses.js';

/**
 * The province's custom indicators (Art. 11), defined by its information administrator on its own
 * node. Mounted by the provincial node only (`ProvincialTeachersModule`): the national node holds the
 * definitions each province sent (`GET /sync/custom-fields`) and defines none.
 */
@ApiTags('catalogue')
@Controller('custom-fields')
@CustomFieldControllerResponses
export class CustomFieldController {
  constructor(private readonly custom: CustomFieldsService) {}

  @Get()
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: "The province's custom indicators (current versions)" })
  list(@Query() q: CustomFieldQueryDto) {
    return this.custom.list(q.includeRetired === 'true');
  }

  @Get(':key/versions')
  @Authenticated({ scope: ApiScope.TeachersRead })
  @ApiOperation({ summary: 'Every version of a custom indicator' })
  versions(@Param('key') key: string) {
    return this.custom.versions(key);
  }

  @Post()
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Define a custom indicator (province-level information administrator)' })
  define(@CurrentActor() a: Actor, @Body() dto: CustomFieldDto) {
    return this.custom.define(a, dto);
  }

  @Put(':key')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({
    summary: 'Publish a new version of a custom indicator (type, code table and sub-set are fixed once in use)',
  })
  redefine(@CurrentActor() a: Actor, @Param('key') key: string, @Body() dto: CustomFieldDto) {
    return this.custom.define(a, { ...dto, key });
  }

  @Post(':key/retire')
  @Authenticated({ roles: [Role.InfoAdmin] })
  @ApiOperation({ summary: 'Retire a custom indicator: values stay, new writes are refused' })
  retire(@CurrentActor() a: Actor, @Param('key') key: string) {
    return this.custom.retire(a, key);
  }
}
