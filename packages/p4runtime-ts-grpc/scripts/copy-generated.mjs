// tsc does not copy plain .js/.d.ts files: ship the generated protobufjs code with dist/.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src/wire/generated'), join(root, 'dist/wire/generated'), { recursive: true });
