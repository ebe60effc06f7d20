import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor, type Actor } from '@tmis/access';
import { TodoService } from './todo.service.js';
import { TodoControllerResponses } from './todo.responses.js';

@ApiTags('collection')
@Controller()
@TodoControllerResponses
export class TodoController {
  constructor(private readonly todo: TodoService) {}

  @Get('todo')
  @Authenticated()
  @ApiOperation({ summary: 'What awaits your action, with counts per kind' })
  todoList(@CurrentActor() a: Actor) {
    return this.todo.list(a);
  }
}
