#!/usr/bin/env node
import { createInterface } from 'node:readline';
import type { CliIo } from './options.js';
import { runCli } from './run.js';

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  confirm: async (question) => {
    const r = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await new Promise<string>((resolve) => r.question(question, resolve));
    r.close();
    return /^y(es)?$/i.test(answer.trim());
  },
  interrupted: () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
  lines: () => createInterface({ input: process.stdin, terminal: false }),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // stdin may hold the event loop open (simulate's console); the command is done.
    process.stdin.destroy();
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  },
);
