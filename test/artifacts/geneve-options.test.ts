import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENEVE_OPTION_WORD_BOUND, geneveOptionsP4 } from '../../scripts/lib/geneve-options.js';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';
import { GENEVE_MAX_OPTION_WORDS } from '../scenarios/harness/model.js';

describe('p4/geneve_options.p4', () => {
  it('is what the generator writes (npm run p4:gen-options)', () => {
    const committed = readFileSync(join(PACKAGE_ROOT, 'p4', 'geneve_options.p4'), 'utf8');
    expect(committed === geneveOptionsP4(), 'p4/geneve_options.p4 is stale: run npm run p4:gen-options').toBe(
      true,
    );
  });

  it('uses the bound of constants.p4, which the test model shares', () => {
    const constants = readFileSync(join(PACKAGE_ROOT, 'p4', 'include', 'constants.p4'), 'utf8');
    const bound = /#define GENEVE_MAX_OPTION_WORDS (\d+)/.exec(constants)?.[1];
    expect(Number(bound)).toBe(GENEVE_OPTION_WORD_BOUND);
    expect(GENEVE_MAX_OPTION_WORDS).toBe(GENEVE_OPTION_WORD_BOUND);
  });

  it('writes each word of the stack in exactly the states for that index', () => {
    const text = geneveOptionsP4(4);
    for (let i = 0; i < 4; i++) expect(text).toContain(`packet.extract(hdr.geneve_option_words[${i}]);`);
    expect(text).not.toContain('hdr.geneve_option_words[4]');
    // Options are walked by length alone: an option header in the last word must have no data.
    expect(text).toMatch(
      /state geneve_option_header_3 \{[^}]*meta\.geneve\.option_at_3 = 1;[^}]*select\(hdr\.geneve_option_words\[3\]\.word\[4:0\]\) \{ \\\n\s*0: geneve_option_at_4; \\\n\s*default: geneve_bad_option_length;/,
    );
    // Which option is the security ID is the control's decision, against the recognized header.
    expect(text).toContain('if (hdr.geneve_option_words[3].word == recognized_header) {');
  });
});
