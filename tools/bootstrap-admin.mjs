#!/usr/bin/env node
// Creates the first system administrator of this node's root unit: the ministry (000000) on the
// national node, the province (<PROVINCE_CODE>0000) on a provincial node. Run after `npm run build`,
// with the same environment as the node (DATABASE_URL or the embedded default, PROVINCE_CODE,
// JWT_SECRET, DATA_DIR, ...). Like the node it applies pending migrations (DB_MIGRATE_ON_START) and
// creates the reference tree first. The password comes from BOOTSTRAP_PASSWORD or is asked twice on
// the terminal without echo; it is never taken from the command line and never printed. It must be
// changed at first login.
//   node tools/bootstrap-admin.mjs --node provincial --username gd.admin --real-name 张三 --id-number <18-character ID>
// Exit codes: 0 created or already there, 1 refused or failed, 2 usage, 78 bad configuration.
// Progress (JSON log lines) goes to stderr, the result to stdout.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { JsonLogger } from '@tmis/common';
import { prepareRuntime } from '@tmis/server';
import { AccountsService } from '@tmis/accounts';
import { OrgService } from '@tmis/org';
import { bootstrapRootAdmin } from '@tmis/node-kit';

const USAGE = `Usage / 用法:
  node tools/bootstrap-admin.mjs --node national|provincial --username <name> --real-name <姓名> --id-number <18-character ID / 18 位身份证号>
Password / 密码: env BOOTSTRAP_PASSWORD, otherwise asked on the terminal / 否则在终端中输入.`;

function usage(msg) {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      node: { type: 'string' },
      username: { type: 'string' },
      'real-name': { type: 'string' },
      'id-number': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  usage(
    `${e.message} / 参数错误${/password/i.test(e.message) ? ' (the password is never given on the command line / 密码不能在命令行中给出)' : ''}`,
  );
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!['national', 'provincial'].includes(values.node ?? ''))
  usage('--node national|provincial is required / 必须指定 --node national 或 provincial');
for (const k of ['username', 'real-name', 'id-number'])
  if (!values[k]?.trim()) usage(`--${k} is required / 必须指定 --${k}`);

/** Reads one line per prompt from the terminal in raw mode (set before the first prompt), echoing nothing. */
function readHidden(prompts) {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const answers = [];
    let value = '';
    let escape = false;
    const finish = (err) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      if (err) {
        process.stderr.write('\n');
        reject(err);
      } else resolve(answers);
    };
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (escape) {
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        } // arrow keys etc.
        if (ch === '\x1b') {
          escape = true;
          continue;
        }
        if (ch === '\x03') return finish(Object.assign(new Error('cancelled / 已取消'), { cancelled: true }));
        if (ch === '\r' || ch === '\n' || ch === '\x04') {
          answers.push(value);
          value = '';
          process.stderr.write('\n');
          if (answers.length === prompts.length) return finish();
          process.stderr.write(prompts[answers.length]);
          continue;
        }
        if (ch === '\x7f' || ch === '\b') {
          value = [...value].slice(0, -1).join('');
          continue;
        }
        if (ch === '\x15') {
          value = '';
          continue;
        } // Ctrl+U
        if (ch < ' ') continue;
        value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
    process.stderr.write(prompts[0]);
  });
}

async function readPassword() {
  if (process.env.BOOTSTRAP_PASSWORD) return process.env.BOOTSTRAP_PASSWORD;
  if (!process.stdin.isTTY)
    usage('Set BOOTSTRAP_PASSWORD or run on a terminal / 请设置 BOOTSTRAP_PASSWORD 或在终端中运行');
  try {
    const [first, again] = await readHidden(['Initial password / 初始密码: ', 'Repeat / 再次输入: ']);
    const stop = (msg) => {
      console.error(msg);
      process.exit(2);
    };
    if (first !== again) stop('The passwords differ / 两次输入的密码不一致');
    if (!first) stop('Empty password / 密码为空');
    return first;
  } catch (e) {
    if (e.cancelled) process.exit(130);
    throw e;
  }
}

/** One readable line for a DomainError (code, bilingual title, field errors), a config error or anything else. */
function describe(e) {
  if (e && typeof e === 'object' && 'titleZh' in e && 'code' in e) {
    const fields =
      Array.isArray(e.errors) && e.errors.length
        ? `\n${e.errors.map((f) => `  - ${f.message} / ${f.messageZh}`).join('\n')}`
        : '';
    return `${e.title} / ${e.titleZh} [${e.code}]${e.detail ? `: ${e.detail}` : ''}${fields}`;
  }
  if (e instanceof Error) {
    if (e.message) return e.message;
    if (Array.isArray(e.errors) && e.errors.length) return e.errors.map(describe).join('; '); // pg: unreachable server
    return e.code ?? e.name;
  }
  return String(e);
}

const isConfigError = (e) =>
  e instanceof Error && (e.name === 'ConfigError' || e.message.startsWith('Invalid configuration'));

const kind = values.node;
const username = values.username.trim();
const realName = values['real-name'].trim();
const idNumber = values['id-number'].trim();
const password = await readPassword();

let runtime;
let embedded;
let app;
let code = 0;
try {
  // The node's definition (its configuration class, modules, root unit and reference tree) comes from its app.
  const node =
    kind === 'national'
      ? (await import('@tmis/national')).NATIONAL_NODE
      : (await import('@tmis/provincial')).PROVINCIAL_NODE;
  ({ runtime, embedded } = await prepareRuntime(
    node.role,
    process.env,
    new JsonLogger(kind, process.env.LOG_LEVEL || 'log', (line) => process.stderr.write(`${line}\n`)),
  ));
  app = await NestFactory.createApplicationContext(node.module(runtime), { logger: false });
  await node.seedReferenceTree(app, runtime.config);
  const unitCode = node.rootUnitCode(runtime.config);
  const root = await app.get(OrgService).findByCode(unitCode);
  const unit = root ? `${unitCode} ${root.name}` : unitCode;
  const result = await bootstrapRootAdmin(app, unitCode, {
    username,
    realName,
    idNumber,
    password,
    mustChangePassword: true,
  });
  if (result.created) {
    console.log(`created / 已创建: system administrator ${username} of ${unit} / ${unit} 的系统管理员 ${username}`);
    console.log(`account id / 账号 ID: ${result.id}`);
    console.log('The password must be changed at first login / 首次登录须修改密码');
  } else {
    const existing = await app.get(AccountsService).findByUsername(username);
    console.log(
      `already exists / 已存在: account ${username}; nothing changed (the password was not set) / 账号 ${username} 已存在，未作任何修改（密码未变）`,
    );
    console.log(`account id / 账号 ID: ${result.id}`);
    if (existing && (existing.role !== 'sysadmin' || existing.unitId !== root?.id)) {
      console.error(
        `warning / 注意: ${username} is not the system administrator of ${unit} (role ${existing.role}) / 该账号不是 ${unit} 的系统管理员`,
      );
      code = 1;
    }
  }
} catch (e) {
  console.error(`${isConfigError(e) ? '' : 'bootstrap failed / 创建失败: '}${describe(e)}`);
  code = isConfigError(e) ? 78 : 1;
} finally {
  try {
    if (app) await app.close();
  } finally {
    if (embedded) await embedded.stop();
  }
}
process.exit(code);
