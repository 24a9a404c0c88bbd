// Generates p4/geneve_options.p4: the bounded walk over Geneve options, written out as one parser
// state per (word index, data words left of the current option), with a word counter for Opt Len
// that Tofino keeps in its parser counter (loaded with an immediate, decremented by one per word)
// and v1model in metadata. So the walk needs no other parser arithmetic, and writes each metadata
// field at most once on any path (Tofino's parser requires it). See docs/DATAPLANE.md "Parsing
// limits" for the bound and docs/TOFINO.md for why.

/** Words of options the parser walks (Opt Len bound); must equal GENEVE_MAX_OPTION_WORDS in constants.p4. */
export const GENEVE_OPTION_WORD_BOUND = 8;

const w = (i: number) => `hdr.geneve_option_words[${i}]`;

function parserStates(n: number, inParser: boolean): string[] {
  const out: string[] = [];
  const s = (text: string) => out.push(text);
  // Opt Len within the bound loads the word counter with it (as an immediate: bf-p4c 1.2.5.16
  // cannot load Tofino's parser counter from a packet field).
  const loads = Array.from({ length: n }, (_, k) => `            ${k + 1}: geneve_options_${k + 1};`);
  s(
    `    state geneve_options {\n` +
      `        transition select(hdr.geneve.opt_len) {\n` +
      `            0: parse_inner_ethernet;\n` +
      `${loads.join('\n')}\n` +
      `            default: geneve_bad_option_length;\n` +
      `        }\n    }`,
  );
  for (let k = 1; k <= n; k++) {
    s(
      `    state geneve_options_${k} {\n        GENEVE_WORDS_LEFT_SET(${k})\n        meta.tenant_frame_len = ${4 * k};\n        transition geneve_option_at_0;\n    }`,
    );
  }
  for (let i = 0; i < n; i++) {
    // Word i starts an option, or the options end (no words left).
    s(
      `    state geneve_option_at_${i} {\n` +
        `        transition select(GENEVE_NO_WORDS_LEFT) {\n` +
        `            true: parse_inner_ethernet;\n` +
        `            false: geneve_option_header_${i};\n` +
        `        }\n    }`,
    );
    // The option header at word i: the parser walks options by their length alone and marks
    // where each header is; which option carries the security ID, and whether a critical one
    // is unknown, is decided by the control below against what the control plane configured
    // (parser value sets are not writable over bmv2's P4Runtime server).
    const cases: string[] = [`            0: geneve_option_at_${i + 1};`];
    for (let len = 1; i + 1 + len <= n; len++) {
      cases.push(`            ${len}: geneve_option_data_${i + 1}_${len};`);
    }
    cases.push(`            default: geneve_bad_option_length;`);
    // Where the parser recognizes the option, nothing reads the marks (and on Tofino 1 each bit
    // the parser writes on one path takes a container of its own): they are left out.
    const header =
      `    state geneve_option_header_${i} {\n` +
      `        packet.extract(${w(i)});\n` +
      `        GENEVE_WORD_TAKEN()\n` +
      (inParser ? '' : `        meta.geneve.option_at_${i} = 1;\n`);
    const byLength = `        transition select(${w(i)}.word[4:0]) {\n${cases.join('\n')}\n        }\n    }`;
    if (!inParser) {
      s(header + byLength);
      continue;
    }
    // In the parser: a header in the value set (the security-ID option, critical bit clear or
    // set; its length is 1) is marked recognized and goes on to its one data word; any other
    // with the critical bit set is an unknown critical option, which ends the walk (the packet is
    // dropped, and the unknown critical option outranks any later length problem); any other goes
    // by its length.
    const oneWord = i + 2 <= n ? `geneve_option_data_${i + 1}_1` : 'geneve_bad_option_length';
    s(
      header +
        `        transition select(${w(i)}.word) {\n` +
        `            GENEVE_SECURITY_OPTION_HEADERS: geneve_option_recognized_${i};\n` +
        `            GENEVE_OPTION_CRITICAL_BIT &&& GENEVE_OPTION_CRITICAL_BIT: geneve_unknown_critical_option;\n` +
        `            default: geneve_option_length_${i};\n` +
        `        }\n    }`,
    );
    s(
      `    state geneve_option_recognized_${i} {\n` +
        `        meta.geneve.recognized_at_${i} = 1;\n` +
        `        transition ${oneWord};\n    }`,
    );
    s(`    state geneve_option_length_${i} {\n${byLength}`);
  }
  if (inParser)
    s(
      `    state geneve_unknown_critical_option {\n` +
        `        meta.facts.unknown_critical = 1;\n` +
        `        transition accept;\n    }`,
    );
  // After the last word the options must have ended.
  s(
    `    state geneve_option_at_${n} {\n` +
      `        transition select(GENEVE_NO_WORDS_LEFT) {\n` +
      `            true: parse_inner_ethernet;\n` +
      `            false: geneve_bad_option_length;\n` +
      `        }\n    }`,
  );
  // Data word j of an option with d data words left (j + d <= n): none left means the option
  // runs past Opt Len.
  for (let j = 1; j < n; j++) {
    for (let d = 1; j + d <= n; d++) {
      const next = d === 1 ? `geneve_option_at_${j + 1}` : `geneve_option_data_${j + 1}_${d - 1}`;
      s(
        `    state geneve_option_data_${j}_${d} {\n` +
          `        transition select(GENEVE_NO_WORDS_LEFT) {\n` +
          `            true: geneve_bad_option_length;\n` +
          `            false: geneve_option_word_${j}_${d};\n` +
          `        }\n    }`,
      );
      s(
        `    state geneve_option_word_${j}_${d} {\n        packet.extract(${w(j)});\n        GENEVE_WORD_TAKEN()\n        transition ${next};\n    }`,
      );
    }
  }
  return out;
}

function statesMacro(n: number, inParser: boolean): string {
  return parserStates(n, inParser)
    .join('\n\n')
    .split('\n')
    .map((l) => `${l} \\`)
    .join('\n');
}

/** The whole generated file. */
export function geneveOptionsP4(n = GENEVE_OPTION_WORD_BOUND): string {
  const all = Array.from({ length: n }, (_, i) => i);
  // Whole-word equality with the two forms of the recognized header (critical bit clear or set):
  // a Tofino gateway compares two fields without a temporary, where a masked compare needs one
  // per word.
  const compared = all
    .map(
      (i) =>
        `        bool recognized_${i} = false;\n` +
        `        if (meta.geneve.option_at_${i} == 1) {\n` +
        `            if (${w(i)}.word == recognized_header) {\n` +
        `                recognized_${i} = true;\n` +
        `            } else if (${w(i)}.word == recognized_critical_header) {\n` +
        `                recognized_${i} = true;\n` +
        `            }\n` +
        `        }`,
    )
    .join('\n');
  // In the parser variant the marks are a lookup's key: the first recognized header (a priority
  // encoder, one entry per word) picks the data word after it, where a chain of conditions would
  // take a Tofino stage per link.
  const withData = all.slice(0, n - 1);
  const takes = withData
    .map(
      (i) =>
        `    @hidden\n    action take_security_id_${i}() {\n` +
        `        meta.geneve.security_id = ${w(i + 1)}.word;\n` +
        `        meta.geneve.security_id_present = 1;\n    }`,
    )
    .join('\n\n');
  const entries = withData
    .map(
      (i) =>
        `            (${withData.map((k) => (k === i ? '1' : '_')).join(', ')}): take_security_id_${i}();`,
    )
    .join('\n');
  const lookup = `    @hidden
    action no_security_id() {
    }

${takes}

    @hidden
    table security_id_option {
        key = {
${withData.map((i) => `            meta.geneve.recognized_at_${i}: ternary;`).join('\n')}
        }
        actions = {
${withData.map((i) => `            take_security_id_${i};`).join('\n')}
            no_security_id;
        }
        const entries = {
${entries}
        }
        const default_action = no_security_id();
    }

    apply {
        /* The parser judged unknown critical options (meta.facts.unknown_critical). */
        unknown_critical = false;
        security_id_option.apply();
    }`;
  const critical = all
    .map((i) => `(meta.geneve.option_at_${i} == 1 && ${w(i)}.word[15:15] == 1 && !recognized_${i})`)
    .join('\n            || ');
  const chain = all
    .slice(0, n - 1)
    .map(
      (i) =>
        `        ${i === 0 ? 'if' : '} else if'} (recognized_${i}) {\n` +
        `            meta.geneve.security_id = ${w(i + 1)}.word;`,
    )
    .join('\n');
  return `/*
 * GENERATED by scripts/gen-geneve-options.ts (npm run p4:gen-options); do not edit by hand.
 *
 * The bounded walk over the Geneve options area (RFC 8926 3.5), at most ${n} words (${n * 4} bytes).
 * One state per word index and per data words left of the current option; the words of Opt Len
 * still to read are a counter the wrapper provides (Tofino: the parser counter; v1model: metadata):
 *   GENEVE_WORDS_LEFT_SET(k)   load it with the constant k
 *   GENEVE_WORD_TAKEN()        one word was extracted
 *   GENEVE_NO_WORDS_LEFT       a bool select key: the counter is zero
 * Every metadata field is written at most once on any path (what Tofino's parser requires).
 *
 *  - geneve_options, geneve_options_<k>: Opt Len above ${n} words is refused as an option length
 *    error; otherwise the counter is loaded with it, and meta.tenant_frame_len with the option
 *    bytes, 4 x Opt Len (a constant here; tunnel termination subtracts it from the UDP length in
 *    one operation, in place).
 *  - geneve_option_at_<i>: word i starts an option, or the options end (no words left).
 *  - geneve_option_header_<i>: the option header at word i, marked in meta.geneve.option_at_<i>;
 *    the walk goes by the option's length alone (an option that does not fit in ${n} words cannot
 *    fit in Opt Len either). Which option is the security ID is not compiled in: the control
 *    GeneveSecurityId below compares each marked header with the class and type the control
 *    plane set (tunnel_termination.security_option_recognition), takes the data word of the first
 *    match, and finds any other option with the critical bit set (an unknown critical option,
 *    judged on its header: before the option length). Where the parser recognizes it
 *    (GENEVE_OPTION_RECOGNITION_IN_PARSER: Tofino), a parser value set the control plane writes
 *    marks the recognized headers in meta.geneve.recognized_<i>, any other header with the
 *    critical bit set ends the walk in meta.facts.unknown_critical, and GeneveSecurityId picks
 *    the data word after the first mark with one lookup.
 *  - geneve_option_data_<j>_<d>, geneve_option_word_<j>_<d>: data word j of an option with d data
 *    words left; no words left here means the option runs past Opt Len.
 */
#ifndef GENEVE_OPTIONS_P4
#define GENEVE_OPTIONS_P4

#include "include/metadata.p4"

#if GENEVE_MAX_OPTION_WORDS != ${n}
#error "p4/geneve_options.p4 was generated for ${n} option words: run npm run p4:gen-options"
#endif

#ifndef GENEVE_OPTION_RECOGNITION_IN_PARSER
#define GENEVE_OPTION_RECOGNITION_IN_PARSER 0
#endif

#if GENEVE_OPTION_RECOGNITION_IN_PARSER
/* The option headers recognized as the security ID (class, type, R 0, length 1; the critical bit
 * clear and set), written by the control plane: a parser value set (P4Runtime ValueSetEntry). */
#define GENEVE_OPTION_PARSER_DECLARATIONS value_set<bit<32>>(2) security_option_headers;
#define GENEVE_SECURITY_OPTION_HEADERS security_option_headers
/* The critical bit (C) of an option header word (RFC 8926 3.5). */
#define GENEVE_OPTION_CRITICAL_BIT 32w0x00008000
#define GENEVE_OPTION_PARSER_STATES \\
${statesMacro(n, true)}

#else
#define GENEVE_OPTION_PARSER_DECLARATIONS
#define GENEVE_OPTION_PARSER_STATES \\
${statesMacro(n, false)}

#endif

/* The security ID is the data word after the first option header that is the recognized one:
 * class, type, R 0 and length 1, the critical bit clear or set (RFC 8926 allows an option to
 * repeat; the first one counts). An option header with the critical bit set that does not match is an
 * unknown critical option (RFC 8926 3.5: the packet must be dropped). */
control GeneveSecurityId(in headers_t hdr, inout local_metadata_t meta, in bit<32> recognized_header,
                         in bit<32> recognized_critical_header, out bool unknown_critical) {
#if GENEVE_OPTION_RECOGNITION_IN_PARSER
${lookup}
#else
    apply {
${compared}
        unknown_critical = ${critical};
        meta.geneve.security_id_present = 1;
${chain}
        } else {
            meta.geneve.security_id_present = 0;
        }
    }
#endif
}

#endif
`;
}
