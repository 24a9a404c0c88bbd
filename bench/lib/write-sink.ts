// A P4Runtime Write sink for bench/lib/write-path-cpu.ts: a gRPC server in its own process that
// answers every Write with an empty WriteResponse without decoding the request, so that the
// controller's side of the Write path (encoding, grpc-js and HTTP/2 per call, the answer) can be
// timed apart from any device. Run: npx tsx bench/lib/write-sink.ts PORT (prints "listening").
import * as grpc from '@grpc/grpc-js';

const port = Number(process.argv[2]);
const identity = (b: Buffer): Buffer => b;
const service: grpc.ServiceDefinition = {
  write: {
    path: '/p4.v1.P4Runtime/Write',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
const empty = Buffer.alloc(0);
const server = new grpc.Server();
server.addService(service, {
  write: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, empty),
});
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
  console.log('listening');
});
