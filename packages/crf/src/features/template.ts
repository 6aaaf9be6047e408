/**
 * CRF++ feature templates (https://taku910.github.io/crfpp/#templ) on CoNLL columns.
 *
 * A template file has one template per line:
 *
 *     # comment                  (a line starting with '#'; blank lines are skipped too)
 *     U01:%x[-1,0]               unigram: one attribute per token, e.g. "U01:Confidence"
 *     U05:%x[-1,0]/%x[0,0]       several macros, e.g. "U05:Confidence/in"
 *     B                          bigram: label-bigram (transition) features
 *
 * `%x[row,col]` is the value of column `col` of the token `row` positions away (row in −8..8, CRF++'s limit).
 * Rows outside the sentence give CRF++'s boundary tokens `_B-1`, `_B-2`, … before the first token and
 * `_B+1`, `_B+2`, … after the last one, exactly as CRF++ 0.58 writes them.
 *
 * How the templates map onto ebmkit's CRF: every U line expands, per token, into one attribute string (the whole
 * expanded line, template id included, so "U01:x" and "U02:x" stay distinct); the model then crosses each attribute
 * with every label (state features). A B line without macros (`B`, `B01`, …) switches on label-bigram features
 * y_{t−1} × y_t, which do not depend on x — several such lines are all the same single transition table. A B line
 * WITH a macro (`B01:%x[0,0]`) in CRF++ means features label-bigram × attribute; ebmkit's transition features are
 * label × label only, so such a line is refused with a TemplateError (move the macro to a U line, or use `B`).
 * Without any B line the model has no transition features, as in CRF++.
 *
 * Differences from CRF++'s reader, all lenient: trailing whitespace (and a Windows '\r') is removed from each
 * line, and whitespace-only lines count as blank. CRF++'s other errors are kept: a line must start with U, B or #,
 * `%` must start a well-formed `%x[row,col]`, and a column the data does not have is an error.
 */
import { readFile } from 'node:fs/promises';
import { toFileError } from '@ebmkit/core';
import { ItemSequenceBuilder, type FeatureExtractor, type ItemSequence, type TokenColumns } from './item-sequence.js';

/** A template file that cannot be used; the message starts with `file:line:`. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

/** CRF++'s limit on |row| in %x[row,col]. */
export const TEMPLATE_MAX_ROW = 8;

/** One `%x[row,col]` reference. */
export interface TemplateMacro {
  readonly row: number;
  readonly col: number;
}

/** One U line, compiled: literal pieces interleaved with macros (`literals.length === macros.length + 1`). */
export interface UnigramTemplate {
  /** The line as written (after trimming trailing whitespace). */
  readonly source: string;
  /** 1-based line number in the template file. */
  readonly line: number;
  readonly literals: readonly string[];
  readonly macros: readonly TemplateMacro[];
}

/** A parsed template file. */
export interface CrfTemplate {
  /** File name used in error messages. */
  readonly file: string;
  readonly unigrams: readonly UnigramTemplate[];
  /** True when the file has at least one B line: the model should use label-bigram (transition) features. */
  readonly transitions: boolean;
  /** Smallest number of input columns the macros need (max col + 1; 0 without macros). */
  readonly minColumns: number;
}

const MACRO = /^%x\[(-?\d+),(\d+)\]/;

function parseLine(text: string, file: string, line: number): { literals: string[]; macros: TemplateMacro[] } {
  const literals: string[] = [];
  const macros: TemplateMacro[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    const m = MACRO.exec(text.slice(i));
    if (m === null) {
      throw new TemplateError(
        `bad macro at character ${i + 1} of ${JSON.stringify(text)}: expected %x[row,col] with integer row and column`,
        file,
        line,
      );
    }
    const row = Number(m[1]);
    const col = Number(m[2]);
    if (Math.abs(row) > TEMPLATE_MAX_ROW) {
      throw new TemplateError(`%x[${m[1]},${m[2]}]: row ${row} is outside −${TEMPLATE_MAX_ROW}..${TEMPLATE_MAX_ROW} (CRF++'s limit)`, file, line);
    }
    literals.push(lit);
    lit = '';
    macros.push({ row, col });
    i += m[0].length;
  }
  literals.push(lit);
  return { literals, macros };
}

/**
 * Parses the text of a CRF++ template file. `file` names it in errors (default `<template>`).
 * Throws TemplateError (`file:line: …`) for a line of unknown type, a malformed macro, or a B line with a macro.
 */
export function parseTemplate(text: string, options: { file?: string } = {}): CrfTemplate {
  const file = options.file ?? '<template>';
  const unigrams: UnigramTemplate[] = [];
  let transitions = false;
  let minColumns = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const source = lines[n]!.replace(/\s+$/, '');
    const line = n + 1;
    if (source === '' || source.startsWith('#')) continue;
    const kind = source[0];
    if (kind !== 'U' && kind !== 'B') {
      throw new TemplateError(`unknown template type ${JSON.stringify(source)}: a line must start with U (unigram), B (bigram) or # (comment)`, file, line);
    }
    const { literals, macros } = parseLine(source, file, line);
    if (kind === 'B') {
      if (macros.length > 0) {
        throw new TemplateError(
          `bigram template ${JSON.stringify(source)} conditions the label bigram on the input (%x macro); ` +
            `ebmkit's transition features are label × label only — write a plain "B" for transitions and put the macro in a U template`,
          file,
          line,
        );
      }
      transitions = true;
      continue;
    }
    for (const m of macros) minColumns = Math.max(minColumns, m.col + 1);
    unigrams.push({ source, line, literals, macros });
  }
  return { file, unigrams, transitions, minColumns };
}

/** Reads and parses a CRF++ template file (errors name `path`). */
export async function loadTemplate(path: string): Promise<CrfTemplate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw toFileError(e, path);
  }
  return parseTemplate(text, { file: path });
}

/**
 * Checks that every macro refers to a column the data has: `columns` is the number of input columns %x may read
 * (CRF++: all columns but the last, the label). Throws TemplateError naming the file, line and column count.
 */
export function checkTemplateColumns(template: CrfTemplate, columns: number): void {
  if (!Number.isInteger(columns) || columns < 0) throw new RangeError(`columns ${columns} is not a non-negative integer`);
  for (const u of template.unigrams) {
    for (const m of u.macros) {
      if (m.col >= columns) {
        const have = columns === 0 ? 'the data has no input columns' : `the data has ${columns} input column${columns === 1 ? '' : 's'} (0..${columns - 1})`;
        throw new TemplateError(`%x[${m.row},${m.col}] in ${JSON.stringify(u.source)} refers to column ${m.col}, but ${have}`, template.file, u.line);
      }
    }
  }
}

/** CRF++'s boundary token for the out-of-range position `idx` in a sentence of length T. */
export function templateBoundaryToken(idx: number, T: number): string {
  return idx < 0 ? `_B-${-idx}` : `_B+${idx - T + 1}`;
}

/**
 * Expands the unigram templates on one sentence: per token, one attribute string per U line, in file order.
 * Tokens must have at least `template.minColumns` columns (extra columns, e.g. the label, are ignored).
 */
export function expandTemplate(template: CrfTemplate, tokens: TokenColumns): ItemSequence {
  const T = tokens.length;
  for (let t = 0; t < T; t++) {
    if (tokens[t]!.length < template.minColumns) {
      throw new RangeError(`token ${t} has ${tokens[t]!.length} columns, the template ${template.file} needs ${template.minColumns}`);
    }
  }
  const b = new ItemSequenceBuilder();
  const us = template.unigrams;
  for (let t = 0; t < T; t++) {
    b.item();
    for (let k = 0; k < us.length; k++) {
      const u = us[k]!;
      let s = u.literals[0]!;
      for (let j = 0; j < u.macros.length; j++) {
        const m = u.macros[j]!;
        const idx = t + m.row;
        s += idx >= 0 && idx < T ? tokens[idx]![m.col]! : templateBoundaryToken(idx, T);
        s += u.literals[j + 1]!;
      }
      b.add(s);
    }
  }
  return b.build();
}

/**
 * A FeatureExtractor for `template`, checked against `columns` input columns (see checkTemplateColumns).
 */
export function templateFeatures(template: CrfTemplate, options: { columns: number }): FeatureExtractor {
  checkTemplateColumns(template, options.columns);
  return (tokens) => expandTemplate(template, tokens);
}
