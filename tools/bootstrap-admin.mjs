#!/usr/bin/env node
// Creates the first system administrator of this node's root unit (the ministry on the national
// node, the province on a provincial node). Same environment as the node (DATABASE_URL or the
// embedded default, PROVINCE_CODE, JWT_SECRET). The password comes from BOOTSTRAP_PASSWORD or is
// asked for on the terminal; it is never taken from the command line and never printed.
//   node tools/bootstrap-admin.mjs --node provincial --username gd.admin --real-name 张三 --id-number <ID>
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { NestFactory } from '@nestjs/core';
import { prepareRuntime } from '@tmis/server';
import { bootstrapRootAdmin, seedReferenceTree, rootUnitCode } from '@tmis/node-kit';

const { values } = parseArgs({ options: { node: { type: 'string' }, username: { type: 'string' }, 'real-name': { type: 'string' }, 'id-number': { type: 'string' } } });
const fail = (msg, code = 2) => { console.error(msg); process.exit(code); };
if (!['national', 'provincial'].includes(values.node ?? '')) fail('--node national|provincial is required / 必须指定 --node');
for (const k of ['username', 'real-name', 'id-number']) if (!values[k]) fail(`--${k} is required / 必须指定 --${k}`);

async function askPassword() {
  if (process.env.BOOTSTRAP_PASSWORD) return process.env.BOOTSTRAP_PASSWORD;
  if (!process.stdin.isTTY) fail('Set BOOTSTRAP_PASSWORD or run on a terminal / 请设置 BOOTSTRAP_PASSWORD 或在终端中运行');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  rl._writeToOutput = (s) => { if (s.includes('Password')) process.stdout.write(s); };
  const pw = await new Promise((r) => rl.question('Password / 密码: ', r));
  rl.close();
  process.stdout.write('\n');
  return pw;
}

const password = await askPassword();
const { runtime, embedded } = await prepareRuntime(values.node, process.env);
const { NationalAppModule } = values.node === 'national' ? await import('@tmis/national') : {};
const { ProvincialAppModule } = values.node === 'provincial' ? await import('@tmis/provincial') : {};
const Module = NationalAppModule ?? ProvincialAppModule;
const app = await NestFactory.createApplicationContext(Module.register(runtime), { logger: false });
let code = 0;
try {
  await seedReferenceTree(app, runtime);
  const r = await bootstrapRootAdmin(app, runtime, { username: values.username, realName: values['real-name'], idNumber: values['id-number'], password, mustChangePassword: true });
  console.log(r.created
    ? `created system administrator ${values.username} (${r.id}) of unit ${rootUnitCode(runtime)}; the password must be changed at first login / 已创建系统管理员，首次登录须修改密码`
    : `account ${values.username} already exists (${r.id}); nothing changed / 账号已存在，未作修改`);
} catch (e) {
  const detail = e && typeof e === 'object' && 'errors' in e && e.errors ? ` (${e.errors.map((x) => x.messageZh ?? x.message).join('; ')})` : '';
  console.error(`bootstrap failed / 创建失败: ${e instanceof Error ? `${e.message}${detail}` : String(e)}`);
  code = 1;
} finally {
  await app.close();
  if (embedded) await embedded.stop();
}
process.exit(code);
