/**
 * Every `riskwasm` command, in help order. A new command is a module in this folder exporting a
 * {@link CliCommand}, plus one entry here.
 */
import type { CliCommand } from '../command.js';
import { surfaceCommand } from './surface.js';
import { calibrateCommand } from './calibrate.js';
import { varCommand } from './var.js';
import { benchCommand } from './bench.js';
import { marginCommand } from './margin.js';
import { hedgeCommand } from './hedge.js'; // [hedging]
import { workerCommand } from './worker.js'; // [scale]
import { replayCommand } from './replay.js'; // [realtime]

export const COMMANDS: readonly CliCommand[] = [surfaceCommand, calibrateCommand, varCommand, marginCommand, benchCommand, hedgeCommand, replayCommand, workerCommand];
