import { Injectable } from '@nestjs/common';
import type { Actor } from '@tmis/access';

export interface TodoItem {
  kind: string;
  count: number;
  zh: string;
  en: string;
  /** How many of them wait past their deadline (flagged), for the kinds that have one. */
  overdue?: number;
}

/** Items another module adds to an account's to-do list (e.g. disabled webhook endpoints). */
export type TodoSource = (actor: Actor) => Promise<TodoItem[]>;

/** Where modules composed beside the record modules register their to-do items (the list stays here). */
@Injectable()
export class TodoSources {
  private readonly sources: TodoSource[] = [];

  register(source: TodoSource): void {
    this.sources.push(source);
  }

  async collect(actor: Actor): Promise<TodoItem[]> {
    return (await Promise.all(this.sources.map((s) => s(actor)))).flat().filter((i) => i.count > 0);
  }
}
