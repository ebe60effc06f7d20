#!/usr/bin/env node
import { runNodeMain } from '@tmis/node-kit';
import { startNationalNode } from './index.js';

await runNodeMain('national', () => startNationalNode(process.env));
