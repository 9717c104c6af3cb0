import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** DESIGN §3 layer rules, checked on the source text (the linter checks them too). */
const root = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

interface ImportSite { file: string; specifier: string; resolved: string | null }

function importsOf(file: string): ImportSite[] {
  const text = readFileSync(file, 'utf8');
  const sites: ImportSite[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    const specifier = (match[1] ?? match[2])!;
    const resolved = specifier.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), specifier)) : null;
    sites.push({ file: path.relative(root, file), specifier, resolved });
  }
  return sites;
}

const all = sourceFiles(root).flatMap(importsOf);
const within = (site: ImportSite, dir: string) => site.file.startsWith(dir + path.sep);
const lands = (site: ImportSite, dir: string) => site.resolved !== null && (site.resolved === dir || site.resolved.startsWith(dir + path.sep));
const show = (sites: ImportSite[]) => sites.map((s) => `${s.file} → ${s.specifier}`);

describe('layers (DESIGN §3)', () => {
  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it('engine never imports bot or cards', () => {
    const bad = all.filter((s) => within(s, 'engine') && (lands(s, 'bot') || lands(s, 'cards')));
    expect(show(bad)).toEqual([]);
  });

  it('cards import nothing outside cards but pure npm packages', () => {
    const allowedPackages = new Set(['zod', 'adaptivecards-templating', 'adaptive-expressions']);
    const bad = all.filter((s) => within(s, 'cards') && (s.resolved ? !lands(s, 'cards') : !allowedPackages.has(s.specifier)));
    expect(show(bad)).toEqual([]);
  });

  it('bot reaches the engine only through engine/index', () => {
    const bad = all.filter((s) => within(s, 'bot') && lands(s, 'engine') && s.resolved !== path.join('engine', 'index.js'));
    expect(show(bad)).toEqual([]);
  });

  it('Teams SDK imports stay in bot/teams, Slack SDK imports in bot/slack', () => {
    const teams = all.filter((s) => /^(botbuilder|botframework-|@microsoft\/teams-ai)/.test(s.specifier) && !within(s, path.join('bot', 'teams')));
    const slack = all.filter((s) => s.specifier.startsWith('@slack/') && !within(s, path.join('bot', 'slack')));
    expect(show([...teams, ...slack])).toEqual([]);
  });
});
