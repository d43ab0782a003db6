/**
 * The API reference builds from the TSDoc with no warning and no error.
 *
 * Runs typedoc programmatically with the repository's own `typedoc.json` (the same configuration
 * as `npm run docs`), writing into a temp dir instead of `docs/api/`, and mirrors the steps of
 * typedoc's CLI (convert, validate, render). Every warning (a link to a symbol that is not
 * exported, an unresolved `{@link}`, a type named by a public signature but missing from the
 * documentation, a TSDoc syntax problem) is collected with its text so a failure says what to fix.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel, TSConfigReader, TypeDocReader, type ProjectReflection } from 'typedoc';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, 'typedoc.json');

interface Message { level: LogLevel; text: string }

describe('typedoc API reference', () => {
  let out: string;
  let app: Application;
  let project: ProjectReflection | undefined;
  const messages: Message[] = [];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'riskwasm-typedoc-'));
    // Paths in typedoc.json (entry point, tsconfig) resolve against the file's directory, not the cwd.
    app = await Application.bootstrapWithPlugins({ options: CONFIG, out }, [new TypeDocReader(), new TSConfigReader()]);
    const log = app.logger.log.bind(app.logger);
    app.logger.log = (text: string, level: LogLevel) => {
      if (level >= LogLevel.Warn) messages.push({ level, text: text.replace(/\x1b\[[0-9;]*m/g, '') }); // colour codes off
      log(text, level);
    };
    project = await app.convert();
    if (project) {
      app.validate(project);
      await app.generateDocs(project, out);
    }
  });

  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('keeps warnings fatal and link validation on in typedoc.json', () => {
    // The test below is only as strict as the configuration: weakening it must fail here.
    const config = JSON.parse(readFileSync(CONFIG, 'utf8'));
    expect(config.entryPoints).toEqual(['src/index.ts', 'src/charts/index.ts']);
    expect(config.treatWarningsAsErrors).toBe(true);
    expect(config.validation?.notExported).toBe(true);
    expect(config.validation?.invalidLink).toBe(true);
    expect(app.options.getValue('treatWarningsAsErrors')).toBe(true);
  });

  it('converts, validates and renders with zero warnings and zero errors', () => {
    expect(project, 'typedoc could not convert src/index.ts').toBeDefined();
    expect(messages.map((m) => `${LogLevel[m.level]}: ${m.text}`)).toEqual([]);
    expect(app.logger.warningCount).toBe(0);
    expect(app.logger.errorCount).toBe(0);
  });

  it('documents the entry points a user starts from', () => {
    // Two entry points (the core `riskwasm` and `riskwasm/charts`): pages are prefixed by module.
    for (const page of [
      'index.html', 'functions/index.createEngine.html', 'functions/index.createEngineSync.html', 'classes/index.Engine.html',
      'classes/index.InputError.html', 'functions/index.healthFactor.html', 'variables/index.DERIBIT_GRID.html', 'functions/charts.smileChart.html',
    ]) {
      expect(existsSync(join(out, page)), page).toBe(true);
    }
    // Engine methods carry their @throws into the rendered page.
    const engine = readFileSync(join(out, 'classes/index.Engine.html'), 'utf8');
    expect(engine).toContain('portfolioMargin');
    expect(engine).toContain('blackScholes');
    expect(engine).toMatch(/Throws/);
  });
});
