// Checks that our proto/ schemas are wire-compatible with a reference copy of the upstream
// P4Runtime schemas: every message, field (name, number, type, label, oneof), enum value,
// map and service method must agree, in both directions.
//
// Usage: npx tsx scripts/gen-proto.compare.ts <upstream-proto-dir> [our-proto-dir]
// (e.g. an extracted checkout of p4lang/p4runtime's proto/ folder). Exits 1 on any difference.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import protobuf from 'protobufjs';

const roots = [
  'p4/v1/p4runtime.proto',
  'p4/v1/p4data.proto',
  'p4/config/v1/p4info.proto',
  'p4/config/v1/p4types.proto',
  'google/rpc/status.proto',
];

function load(dir: string): protobuf.Root {
  const root = new protobuf.Root();
  // Upstream leaves google/protobuf/*.proto to the protobuf distribution: fall back to protobufjs' copy.
  root.resolvePath = (_origin, target) => {
    const local = join(dir, target);
    if (existsSync(local)) return local;
    return target;
  };
  root.loadSync(
    roots.map((r) => join(dir, r)),
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}

/** Flattens a root into "kind full.name -> description" lines. */
function describe(root: protobuf.Root): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) {
        out.set(`message ${nested.fullName}`, 'message');
        for (const field of nested.fieldsArray) {
          const kind =
            field instanceof protobuf.MapField
              ? `map<${field.keyType},${field.resolvedType?.fullName ?? field.type}>`
              : (field.resolvedType?.fullName ?? field.type);
          const label = field.repeated ? 'repeated' : 'singular';
          out.set(
            `field ${nested.fullName}.${field.name}`,
            `#${field.id} ${label} ${kind} oneof=${field.partOf?.name ?? '-'}`,
          );
        }
      } else if (nested instanceof protobuf.Enum) {
        for (const [name, value] of Object.entries(nested.values))
          out.set(`enum ${nested.fullName}.${name}`, String(value));
      } else if (nested instanceof protobuf.Service) {
        for (const m of nested.methodsArray) {
          m.resolve();
          out.set(
            `rpc ${nested.fullName}.${m.name}`,
            `${m.requestStream ? 'stream ' : ''}${m.resolvedRequestType?.fullName} -> ${m.responseStream ? 'stream ' : ''}${m.resolvedResponseType?.fullName}`,
          );
        }
      }
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type)
        walk(nested as protobuf.NamespaceBase);
    }
  };
  walk(root);
  return out;
}

const upstreamDir = process.argv[2];
if (!upstreamDir) {
  console.error('usage: tsx scripts/gen-proto.compare.ts <upstream-proto-dir> [our-proto-dir]');
  process.exit(2);
}
const ourDir = resolve(process.argv[3] ?? join(import.meta.dirname, '..', 'proto'));
const theirs = describe(load(resolve(upstreamDir)));
const ours = describe(load(ourDir));

let differences = 0;
for (const [key, value] of theirs) {
  const mine = ours.get(key);
  if (mine === undefined) {
    console.log(`MISSING in ours: ${key} (${value})`);
    differences++;
  } else if (mine !== value) {
    console.log(`DIFFERENT: ${key}: upstream ${value}, ours ${mine}`);
    differences++;
  }
}
for (const key of ours.keys()) {
  // Ours may declare extra well-known types (google.rpc.Code); anything else is a difference.
  if (!theirs.has(key) && !key.startsWith('enum google.rpc.Code.')) {
    console.log(`EXTRA in ours: ${key}`);
    differences++;
  }
}
const counts = (m: Map<string, string>, kind: string) =>
  [...m.keys()].filter((k) => k.startsWith(kind)).length;
console.log(
  `compared ${counts(theirs, 'message')} messages, ${counts(theirs, 'field')} fields, ${counts(theirs, 'enum')} enum values, ${counts(theirs, 'rpc')} rpcs: ${differences} difference(s)`,
);
process.exit(differences === 0 ? 0 : 1);
