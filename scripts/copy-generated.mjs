// tsc does not copy plain .js/.d.ts files: ship the generated protobufjs code with dist/.
import { cpSync } from 'node:fs';

cpSync('src/p4runtime/generated', 'dist/p4runtime/generated', { recursive: true });
