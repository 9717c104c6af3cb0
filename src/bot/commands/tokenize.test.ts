import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { stripPrefix, suggest, tokenize } from './tokenize.js';

describe('tokenize', () => {
  it('keeps quoted names together', () => {
    expect(tokenize('new "Acme Corp" imap imap')).toEqual(['new', 'Acme Corp', 'imap', 'imap']);
    expect(tokenize('new “Acme Corp” imap  m365')).toEqual(['new', 'Acme Corp', 'imap', 'm365']);
  });
  it('refuses an unclosed quote with a usage problem', () => {
    expect(() => tokenize('new "Acme imap')).toThrow(AppError);
  });
  it('strips /migrate and migrate', () => {
    expect(stripPrefix(tokenize('/migrate scan acme'))).toEqual(['scan', 'acme']);
    expect(stripPrefix(tokenize('Migrate help'))).toEqual(['help']);
  });
});

describe('suggest', () => {
  const known = ['help', 'new', 'projects', 'connect', 'scan', 'match', 'status', 'roles'];
  it('finds typos', () => {
    expect(suggest('sacn', known)).toBe('scan');
    expect(suggest('stauts', known)).toBe('status');
    expect(suggest('proj', known)).toBe('projects');
  });
  it('does not guess wildly', () => {
    expect(suggest('banana', known)).toBeUndefined();
  });
});
