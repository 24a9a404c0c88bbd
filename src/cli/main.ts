#!/usr/bin/env node
/** genevectl: the operator's command line for the Geneve VTEP and any P4Runtime device. */
import { serveHeapArgsOf, serveInNewProcess } from './serve-heap.js';

// `target serve` runs its server in a node started with the heap it needs (serve-heap.ts): this
// process then only passes signals on, and loads nothing else.
const heapArgs = serveHeapArgsOf(process.argv.slice(2));
if (heapArgs) process.exitCode = await serveInNewProcess(heapArgs);
else await import('./genevectl.js');
