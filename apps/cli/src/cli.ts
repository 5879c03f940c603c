#!/usr/bin/env node
// The `edge` command. Each subcommand is one file in commands/, registered in COMMANDS.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
