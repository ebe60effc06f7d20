#!/usr/bin/env node
import { runNodeMain } from '@tmis/node-kit';
import { startProvincialNode } from './index.js';

await runNodeMain('provincial', () => startProvincialNode(process.env));
