/**
 * A fast first reading of a fabric file: js-yaml (several times faster than `yaml` on a 12 MB
 * file, and without source positions) with a schema that resolves plain scalars exactly as the
 * `yaml` package's YAML 1.2 core schema does (its regular expressions and conversions, from
 * yaml/dist/schema/core and common/null). It answers only for files it can read exactly as
 * `yaml` would: anything with anchors, aliases, tags, directives, explicit or flow-collection keys
 * or merge keys is left to the `yaml` reading, and so is any file js-yaml refuses; the caller then
 * reads the file with `yaml` and positions, so every message stays as that reading writes it.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/** One resolver per tag (js-yaml keeps one type per tag), trying `yaml`'s forms in its order. */
const scalar = (tag: string, forms: [RegExp, (s: string) => unknown][]) => {
  // One expression for the test: it runs on every plain scalar of the file.
  const any = new RegExp(forms.map(([test]) => `(?:${test.source})`).join('|'));
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: unknown) => typeof s === 'string' && any.test(s),
    construct: (s: string) => forms.find(([test]) => test.test(s))?.[1](s),
  });
};

/** `yaml`'s core schema for plain scalars: null, bool, int (0o, decimal, 0x), float. */
const CORE_AS_YAML = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', [
      [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
    ]),
    scalar('float', [
      [
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (s) => (s.slice(-3).toLowerCase() === 'nan' ? Number.NaN : s[0] === '-' ? -Infinity : Infinity),
      ],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/**
 * Characters and forms that the two libraries may read differently: anchors and aliases (`&`, `*`,
 * whose expansions the loader counts), tags (`!`), directives (`%` at a line start), explicit keys
 * (`? `, also `?` at a line end), keys that are flow collections (`]:` / `}:`) and merge keys (`<<`). Matched anywhere, also
 * inside quotes or comments: a false match only costs the slower reading.
 */
const NOT_FAST = /[&*!]|^%|\?(?:\s|$)|[\]}]\s*:(?:\s|$)|<</m;

/** The file's data if js-yaml reads it exactly as `yaml` would, else undefined. */
export function fastYaml(text: string): { data: unknown } | undefined {
  if (NOT_FAST.test(text)) return undefined;
  try {
    return { data: load(text, { schema: CORE_AS_YAML }) };
  } catch {
    return undefined;
  }
}
