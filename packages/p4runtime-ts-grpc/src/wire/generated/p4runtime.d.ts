// GENERATED FILE - DO NOT EDIT.
// Produced by scripts/gen-proto.sh (npm run proto:gen) from proto/ with protobufjs-cli:
//   pbjs -t static-module -w esm -r geneve_offload_p4runtime --dependency protobufjs/minimal.js
//   pbts (typings)
// Edit the .proto files and regenerate instead of changing this file.
import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace p4. */
export namespace p4 {

    /** Namespace v1. */
    namespace v1 {

        /** Represents a P4Runtime */
        class P4Runtime extends $protobuf.rpc.Service {

            /**
             * Constructs a new P4Runtime service.
             * @param rpcImpl RPC implementation
             * @param [requestDelimited=false] Whether requests are length-delimited
             * @param [responseDelimited=false] Whether responses are length-delimited
             */
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);

            /**
             * Creates new P4Runtime service using the specified rpc implementation.
             * @param rpcImpl RPC implementation
             * @param [requestDelimited=false] Whether requests are length-delimited
             * @param [responseDelimited=false] Whether responses are length-delimited
             * @returns RPC service. Useful where requests and/or responses are streamed.
             */
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): P4Runtime;

            /** Calls Write. */
            write: p4.v1.P4Runtime.Write;

            /** Calls Read. */
            read: p4.v1.P4Runtime.Read;

            /** Calls SetForwardingPipelineConfig. */
            setForwardingPipelineConfig: p4.v1.P4Runtime.SetForwardingPipelineConfig;

            /** Calls GetForwardingPipelineConfig. */
            getForwardingPipelineConfig: p4.v1.P4Runtime.GetForwardingPipelineConfig;

            /** Calls StreamChannel. */
            streamChannel: p4.v1.P4Runtime.StreamChannel;

            /** Calls Capabilities. */
            capabilities: p4.v1.P4Runtime.Capabilities;
        }

        namespace P4Runtime {

            /**
             * Callback as used by {@link p4.v1.P4Runtime#write}.
             * @param error Error, if any
             * @param [response] WriteResponse
             */
            type WriteCallback = (error: (Error|null), response?: p4.v1.WriteResponse) => void;

            /** Calls Write. */
            type Write = {
              (request: p4.v1.IWriteRequest, callback: p4.v1.P4Runtime.WriteCallback): void;
              (request: p4.v1.IWriteRequest): Promise<p4.v1.WriteResponse>;
              readonly name: "Write";
              readonly path: "/p4.v1.P4Runtime/Write";
              readonly requestType: "WriteRequest";
              readonly responseType: "WriteResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link p4.v1.P4Runtime#read}.
             * @param error Error, if any
             * @param [response] ReadResponse
             */
            type ReadCallback = (error: (Error|null), response?: p4.v1.ReadResponse) => void;

            /** Calls Read. */
            type Read = {
              (request: p4.v1.IReadRequest, callback: p4.v1.P4Runtime.ReadCallback): void;
              (request: p4.v1.IReadRequest): Promise<p4.v1.ReadResponse>;
              readonly name: "Read";
              readonly path: "/p4.v1.P4Runtime/Read";
              readonly requestType: "ReadRequest";
              readonly responseType: "ReadResponse";
              readonly requestStream: undefined;
              readonly responseStream: true;
            };

            /**
             * Callback as used by {@link p4.v1.P4Runtime#setForwardingPipelineConfig}.
             * @param error Error, if any
             * @param [response] SetForwardingPipelineConfigResponse
             */
            type SetForwardingPipelineConfigCallback = (error: (Error|null), response?: p4.v1.SetForwardingPipelineConfigResponse) => void;

            /** Calls SetForwardingPipelineConfig. */
            type SetForwardingPipelineConfig = {
              (request: p4.v1.ISetForwardingPipelineConfigRequest, callback: p4.v1.P4Runtime.SetForwardingPipelineConfigCallback): void;
              (request: p4.v1.ISetForwardingPipelineConfigRequest): Promise<p4.v1.SetForwardingPipelineConfigResponse>;
              readonly name: "SetForwardingPipelineConfig";
              readonly path: "/p4.v1.P4Runtime/SetForwardingPipelineConfig";
              readonly requestType: "SetForwardingPipelineConfigRequest";
              readonly responseType: "SetForwardingPipelineConfigResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link p4.v1.P4Runtime#getForwardingPipelineConfig}.
             * @param error Error, if any
             * @param [response] GetForwardingPipelineConfigResponse
             */
            type GetForwardingPipelineConfigCallback = (error: (Error|null), response?: p4.v1.GetForwardingPipelineConfigResponse) => void;

            /** Calls GetForwardingPipelineConfig. */
            type GetForwardingPipelineConfig = {
              (request: p4.v1.IGetForwardingPipelineConfigRequest, callback: p4.v1.P4Runtime.GetForwardingPipelineConfigCallback): void;
              (request: p4.v1.IGetForwardingPipelineConfigRequest): Promise<p4.v1.GetForwardingPipelineConfigResponse>;
              readonly name: "GetForwardingPipelineConfig";
              readonly path: "/p4.v1.P4Runtime/GetForwardingPipelineConfig";
              readonly requestType: "GetForwardingPipelineConfigRequest";
              readonly responseType: "GetForwardingPipelineConfigResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };

            /**
             * Callback as used by {@link p4.v1.P4Runtime#streamChannel}.
             * @param error Error, if any
             * @param [response] StreamMessageResponse
             */
            type StreamChannelCallback = (error: (Error|null), response?: p4.v1.StreamMessageResponse) => void;

            /** Calls StreamChannel. */
            type StreamChannel = {
              (request: p4.v1.IStreamMessageRequest, callback: p4.v1.P4Runtime.StreamChannelCallback): void;
              (request: p4.v1.IStreamMessageRequest): Promise<p4.v1.StreamMessageResponse>;
              readonly name: "StreamChannel";
              readonly path: "/p4.v1.P4Runtime/StreamChannel";
              readonly requestType: "StreamMessageRequest";
              readonly responseType: "StreamMessageResponse";
              readonly requestStream: true;
              readonly responseStream: true;
            };

            /**
             * Callback as used by {@link p4.v1.P4Runtime#capabilities}.
             * @param error Error, if any
             * @param [response] CapabilitiesResponse
             */
            type CapabilitiesCallback = (error: (Error|null), response?: p4.v1.CapabilitiesResponse) => void;

            /** Calls Capabilities. */
            type Capabilities = {
              (request: p4.v1.ICapabilitiesRequest, callback: p4.v1.P4Runtime.CapabilitiesCallback): void;
              (request: p4.v1.ICapabilitiesRequest): Promise<p4.v1.CapabilitiesResponse>;
              readonly name: "Capabilities";
              readonly path: "/p4.v1.P4Runtime/Capabilities";
              readonly requestType: "CapabilitiesRequest";
              readonly responseType: "CapabilitiesResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
        }

        /**
         * Properties of a WriteRequest.
         * @deprecated Use p4.v1.WriteRequest.$Properties instead.
         */
        interface IWriteRequest extends p4.v1.WriteRequest.$Properties {
        }

        /** Represents a WriteRequest. */
        class WriteRequest {

            /**
             * Constructs a new WriteRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.WriteRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** WriteRequest deviceId. */
            deviceId: (number|Long);

            /** WriteRequest roleId. */
            roleId: (number|Long);

            /** WriteRequest role. */
            role: string;

            /** WriteRequest electionId. */
            electionId?: (p4.v1.Uint128.$Properties|null);

            /** WriteRequest updates. */
            updates: p4.v1.Update.$Properties[];

            /** WriteRequest atomicity. */
            atomicity: p4.v1.WriteRequest.Atomicity;

            /**
             * Creates a new WriteRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns WriteRequest instance
             */
            static create(properties: p4.v1.WriteRequest.$Shape): p4.v1.WriteRequest & p4.v1.WriteRequest.$Shape;
            static create(properties?: p4.v1.WriteRequest.$Properties): p4.v1.WriteRequest;

            /**
             * Encodes the specified WriteRequest message. Does not implicitly {@link p4.v1.WriteRequest.verify|verify} messages.
             * @param message WriteRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.WriteRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified WriteRequest message, length delimited. Does not implicitly {@link p4.v1.WriteRequest.verify|verify} messages.
             * @param message WriteRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.WriteRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a WriteRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.WriteRequest & p4.v1.WriteRequest.$Shape} WriteRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.WriteRequest & p4.v1.WriteRequest.$Shape;

            /**
             * Decodes a WriteRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.WriteRequest & p4.v1.WriteRequest.$Shape} WriteRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.WriteRequest & p4.v1.WriteRequest.$Shape;

            /**
             * Verifies a WriteRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a WriteRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns WriteRequest
             */
            static fromObject(object: { [k: string]: any }): p4.v1.WriteRequest;

            /**
             * Creates a plain object from a WriteRequest message. Also converts values to other types if specified.
             * @param message WriteRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.WriteRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this WriteRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for WriteRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace WriteRequest {

            /** Properties of a WriteRequest. */
            interface $Properties {

                /** WriteRequest deviceId */
                deviceId?: (number|Long|null);

                /** WriteRequest roleId */
                roleId?: (number|Long|null);

                /** WriteRequest role */
                role?: (string|null);

                /** WriteRequest electionId */
                electionId?: (p4.v1.Uint128.$Properties|null);

                /** WriteRequest updates */
                updates?: (p4.v1.Update.$Properties[]|null);

                /** WriteRequest atomicity */
                atomicity?: (p4.v1.WriteRequest.Atomicity|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a WriteRequest. */
            type $Shape = {
              deviceId?: number|Long|null;
              roleId?: number|Long|null;
              role?: string|null;
              electionId?: p4.v1.Uint128.$Shape|null;
              updates?: p4.v1.Update.$Shape[]|null;
              atomicity?: p4.v1.WriteRequest.Atomicity|null;
              $unknowns?: Uint8Array[];
            };

            /** Atomicity enum. */
            enum Atomicity {

                /** CONTINUE_ON_ERROR value */
                CONTINUE_ON_ERROR = 0,

                /** ROLLBACK_ON_ERROR value */
                ROLLBACK_ON_ERROR = 1,

                /** DATAPLANE_ATOMIC value */
                DATAPLANE_ATOMIC = 2
            }
        }

        /**
         * Properties of a WriteResponse.
         * @deprecated Use p4.v1.WriteResponse.$Properties instead.
         */
        interface IWriteResponse extends p4.v1.WriteResponse.$Properties {
        }

        /** Represents a WriteResponse. */
        class WriteResponse {

            /**
             * Constructs a new WriteResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.WriteResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Creates a new WriteResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns WriteResponse instance
             */
            static create(properties: p4.v1.WriteResponse.$Shape): p4.v1.WriteResponse & p4.v1.WriteResponse.$Shape;
            static create(properties?: p4.v1.WriteResponse.$Properties): p4.v1.WriteResponse;

            /**
             * Encodes the specified WriteResponse message. Does not implicitly {@link p4.v1.WriteResponse.verify|verify} messages.
             * @param message WriteResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.WriteResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified WriteResponse message, length delimited. Does not implicitly {@link p4.v1.WriteResponse.verify|verify} messages.
             * @param message WriteResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.WriteResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a WriteResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.WriteResponse & p4.v1.WriteResponse.$Shape} WriteResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.WriteResponse & p4.v1.WriteResponse.$Shape;

            /**
             * Decodes a WriteResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.WriteResponse & p4.v1.WriteResponse.$Shape} WriteResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.WriteResponse & p4.v1.WriteResponse.$Shape;

            /**
             * Verifies a WriteResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a WriteResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns WriteResponse
             */
            static fromObject(object: { [k: string]: any }): p4.v1.WriteResponse;

            /**
             * Creates a plain object from a WriteResponse message. Also converts values to other types if specified.
             * @param message WriteResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.WriteResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this WriteResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for WriteResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace WriteResponse {

            /** Properties of a WriteResponse. */
            interface $Properties {

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a WriteResponse. */
            type $Shape = p4.v1.WriteResponse.$Properties;
        }

        /**
         * Properties of a ReadRequest.
         * @deprecated Use p4.v1.ReadRequest.$Properties instead.
         */
        interface IReadRequest extends p4.v1.ReadRequest.$Properties {
        }

        /** Represents a ReadRequest. */
        class ReadRequest {

            /**
             * Constructs a new ReadRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ReadRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ReadRequest deviceId. */
            deviceId: (number|Long);

            /** ReadRequest role. */
            role: string;

            /** ReadRequest entities. */
            entities: p4.v1.Entity.$Properties[];

            /**
             * Creates a new ReadRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ReadRequest instance
             */
            static create(properties: p4.v1.ReadRequest.$Shape): p4.v1.ReadRequest & p4.v1.ReadRequest.$Shape;
            static create(properties?: p4.v1.ReadRequest.$Properties): p4.v1.ReadRequest;

            /**
             * Encodes the specified ReadRequest message. Does not implicitly {@link p4.v1.ReadRequest.verify|verify} messages.
             * @param message ReadRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ReadRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ReadRequest message, length delimited. Does not implicitly {@link p4.v1.ReadRequest.verify|verify} messages.
             * @param message ReadRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ReadRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ReadRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ReadRequest & p4.v1.ReadRequest.$Shape} ReadRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ReadRequest & p4.v1.ReadRequest.$Shape;

            /**
             * Decodes a ReadRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ReadRequest & p4.v1.ReadRequest.$Shape} ReadRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ReadRequest & p4.v1.ReadRequest.$Shape;

            /**
             * Verifies a ReadRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a ReadRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ReadRequest
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ReadRequest;

            /**
             * Creates a plain object from a ReadRequest message. Also converts values to other types if specified.
             * @param message ReadRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ReadRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ReadRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ReadRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ReadRequest {

            /** Properties of a ReadRequest. */
            interface $Properties {

                /** ReadRequest deviceId */
                deviceId?: (number|Long|null);

                /** ReadRequest role */
                role?: (string|null);

                /** ReadRequest entities */
                entities?: (p4.v1.Entity.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ReadRequest. */
            type $Shape = {
              deviceId?: number|Long|null;
              role?: string|null;
              entities?: p4.v1.Entity.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a ReadResponse.
         * @deprecated Use p4.v1.ReadResponse.$Properties instead.
         */
        interface IReadResponse extends p4.v1.ReadResponse.$Properties {
        }

        /** Represents a ReadResponse. */
        class ReadResponse {

            /**
             * Constructs a new ReadResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ReadResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ReadResponse entities. */
            entities: p4.v1.Entity.$Properties[];

            /**
             * Creates a new ReadResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ReadResponse instance
             */
            static create(properties: p4.v1.ReadResponse.$Shape): p4.v1.ReadResponse & p4.v1.ReadResponse.$Shape;
            static create(properties?: p4.v1.ReadResponse.$Properties): p4.v1.ReadResponse;

            /**
             * Encodes the specified ReadResponse message. Does not implicitly {@link p4.v1.ReadResponse.verify|verify} messages.
             * @param message ReadResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ReadResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ReadResponse message, length delimited. Does not implicitly {@link p4.v1.ReadResponse.verify|verify} messages.
             * @param message ReadResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ReadResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ReadResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ReadResponse & p4.v1.ReadResponse.$Shape} ReadResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ReadResponse & p4.v1.ReadResponse.$Shape;

            /**
             * Decodes a ReadResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ReadResponse & p4.v1.ReadResponse.$Shape} ReadResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ReadResponse & p4.v1.ReadResponse.$Shape;

            /**
             * Verifies a ReadResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a ReadResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ReadResponse
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ReadResponse;

            /**
             * Creates a plain object from a ReadResponse message. Also converts values to other types if specified.
             * @param message ReadResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ReadResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ReadResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ReadResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ReadResponse {

            /** Properties of a ReadResponse. */
            interface $Properties {

                /** ReadResponse entities */
                entities?: (p4.v1.Entity.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ReadResponse. */
            type $Shape = {
              entities?: p4.v1.Entity.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of an Update.
         * @deprecated Use p4.v1.Update.$Properties instead.
         */
        interface IUpdate extends p4.v1.Update.$Properties {
        }

        /** Represents an Update. */
        class Update {

            /**
             * Constructs a new Update.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Update.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Update type. */
            type: p4.v1.Update.Type;

            /** Update entity. */
            entity?: (p4.v1.Entity.$Properties|null);

            /**
             * Creates a new Update instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Update instance
             */
            static create(properties: p4.v1.Update.$Shape): p4.v1.Update & p4.v1.Update.$Shape;
            static create(properties?: p4.v1.Update.$Properties): p4.v1.Update;

            /**
             * Encodes the specified Update message. Does not implicitly {@link p4.v1.Update.verify|verify} messages.
             * @param message Update message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Update.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Update message, length delimited. Does not implicitly {@link p4.v1.Update.verify|verify} messages.
             * @param message Update message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Update.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Update message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Update & p4.v1.Update.$Shape} Update
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Update & p4.v1.Update.$Shape;

            /**
             * Decodes an Update message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Update & p4.v1.Update.$Shape} Update
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Update & p4.v1.Update.$Shape;

            /**
             * Verifies an Update message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Update message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Update
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Update;

            /**
             * Creates a plain object from an Update message. Also converts values to other types if specified.
             * @param message Update
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Update, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Update to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Update
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Update {

            /** Properties of an Update. */
            interface $Properties {

                /** Update type */
                type?: (p4.v1.Update.Type|null);

                /** Update entity */
                entity?: (p4.v1.Entity.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Update. */
            type $Shape = {
              type?: p4.v1.Update.Type|null;
              entity?: p4.v1.Entity.$Shape|null;
              $unknowns?: Uint8Array[];
            };

            /** Type enum. */
            enum Type {

                /** UNSPECIFIED value */
                UNSPECIFIED = 0,

                /** INSERT value */
                INSERT = 1,

                /** MODIFY value */
                MODIFY = 2,

                /** DELETE value */
                DELETE = 3
            }
        }

        /**
         * Properties of an Entity.
         * @deprecated Use p4.v1.Entity.$Properties instead.
         */
        interface IEntity extends p4.v1.Entity.$Properties {
        }

        /** Represents an Entity. */
        class Entity {

            /**
             * Constructs a new Entity.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Entity.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Entity externEntry. */
            externEntry?: (p4.v1.ExternEntry.$Properties|null);

            /** Entity tableEntry. */
            tableEntry?: (p4.v1.TableEntry.$Properties|null);

            /** Entity actionProfileMember. */
            actionProfileMember?: (p4.v1.ActionProfileMember.$Properties|null);

            /** Entity actionProfileGroup. */
            actionProfileGroup?: (p4.v1.ActionProfileGroup.$Properties|null);

            /** Entity meterEntry. */
            meterEntry?: (p4.v1.MeterEntry.$Properties|null);

            /** Entity directMeterEntry. */
            directMeterEntry?: (p4.v1.DirectMeterEntry.$Properties|null);

            /** Entity counterEntry. */
            counterEntry?: (p4.v1.CounterEntry.$Properties|null);

            /** Entity directCounterEntry. */
            directCounterEntry?: (p4.v1.DirectCounterEntry.$Properties|null);

            /** Entity packetReplicationEngineEntry. */
            packetReplicationEngineEntry?: (p4.v1.PacketReplicationEngineEntry.$Properties|null);

            /** Entity valueSetEntry. */
            valueSetEntry?: (p4.v1.ValueSetEntry.$Properties|null);

            /** Entity registerEntry. */
            registerEntry?: (p4.v1.RegisterEntry.$Properties|null);

            /** Entity digestEntry. */
            digestEntry?: (p4.v1.DigestEntry.$Properties|null);

            /** Entity entity. */
            entity?: ("externEntry"|"tableEntry"|"actionProfileMember"|"actionProfileGroup"|"meterEntry"|"directMeterEntry"|"counterEntry"|"directCounterEntry"|"packetReplicationEngineEntry"|"valueSetEntry"|"registerEntry"|"digestEntry");

            /**
             * Creates a new Entity instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Entity instance
             */
            static create(properties: p4.v1.Entity.$Shape): p4.v1.Entity & p4.v1.Entity.$Shape;
            static create(properties?: p4.v1.Entity.$Properties): p4.v1.Entity;

            /**
             * Encodes the specified Entity message. Does not implicitly {@link p4.v1.Entity.verify|verify} messages.
             * @param message Entity message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Entity.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Entity message, length delimited. Does not implicitly {@link p4.v1.Entity.verify|verify} messages.
             * @param message Entity message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Entity.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Entity message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Entity & p4.v1.Entity.$Shape} Entity
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Entity & p4.v1.Entity.$Shape;

            /**
             * Decodes an Entity message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Entity & p4.v1.Entity.$Shape} Entity
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Entity & p4.v1.Entity.$Shape;

            /**
             * Verifies an Entity message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Entity message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Entity
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Entity;

            /**
             * Creates a plain object from an Entity message. Also converts values to other types if specified.
             * @param message Entity
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Entity, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Entity to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Entity
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Entity {

            /** Properties of an Entity. */
            interface $Properties {

                /** Entity externEntry */
                externEntry?: (p4.v1.ExternEntry.$Properties|null);

                /** Entity tableEntry */
                tableEntry?: (p4.v1.TableEntry.$Properties|null);

                /** Entity actionProfileMember */
                actionProfileMember?: (p4.v1.ActionProfileMember.$Properties|null);

                /** Entity actionProfileGroup */
                actionProfileGroup?: (p4.v1.ActionProfileGroup.$Properties|null);

                /** Entity meterEntry */
                meterEntry?: (p4.v1.MeterEntry.$Properties|null);

                /** Entity directMeterEntry */
                directMeterEntry?: (p4.v1.DirectMeterEntry.$Properties|null);

                /** Entity counterEntry */
                counterEntry?: (p4.v1.CounterEntry.$Properties|null);

                /** Entity directCounterEntry */
                directCounterEntry?: (p4.v1.DirectCounterEntry.$Properties|null);

                /** Entity packetReplicationEngineEntry */
                packetReplicationEngineEntry?: (p4.v1.PacketReplicationEngineEntry.$Properties|null);

                /** Entity valueSetEntry */
                valueSetEntry?: (p4.v1.ValueSetEntry.$Properties|null);

                /** Entity registerEntry */
                registerEntry?: (p4.v1.RegisterEntry.$Properties|null);

                /** Entity digestEntry */
                digestEntry?: (p4.v1.DigestEntry.$Properties|null);

                /** Entity entity */
                entity?: ("externEntry"|"tableEntry"|"actionProfileMember"|"actionProfileGroup"|"meterEntry"|"directMeterEntry"|"counterEntry"|"directCounterEntry"|"packetReplicationEngineEntry"|"valueSetEntry"|"registerEntry"|"digestEntry");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of an Entity. */
            type $Shape = {
              externEntry?: p4.v1.ExternEntry.$Shape|null;
              tableEntry?: p4.v1.TableEntry.$Shape|null;
              actionProfileMember?: p4.v1.ActionProfileMember.$Shape|null;
              actionProfileGroup?: p4.v1.ActionProfileGroup.$Shape|null;
              meterEntry?: p4.v1.MeterEntry.$Shape|null;
              directMeterEntry?: p4.v1.DirectMeterEntry.$Shape|null;
              counterEntry?: p4.v1.CounterEntry.$Shape|null;
              directCounterEntry?: p4.v1.DirectCounterEntry.$Shape|null;
              packetReplicationEngineEntry?: p4.v1.PacketReplicationEngineEntry.$Shape|null;
              valueSetEntry?: p4.v1.ValueSetEntry.$Shape|null;
              registerEntry?: p4.v1.RegisterEntry.$Shape|null;
              digestEntry?: p4.v1.DigestEntry.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ entity?: undefined; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "externEntry"; externEntry: p4.v1.ExternEntry.$Shape; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "tableEntry"; externEntry?: null; tableEntry: p4.v1.TableEntry.$Shape; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "actionProfileMember"; externEntry?: null; tableEntry?: null; actionProfileMember: p4.v1.ActionProfileMember.$Shape; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "actionProfileGroup"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup: p4.v1.ActionProfileGroup.$Shape; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "meterEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry: p4.v1.MeterEntry.$Shape; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "directMeterEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry: p4.v1.DirectMeterEntry.$Shape; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "counterEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry: p4.v1.CounterEntry.$Shape; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "directCounterEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry: p4.v1.DirectCounterEntry.$Shape; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "packetReplicationEngineEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry: p4.v1.PacketReplicationEngineEntry.$Shape; valueSetEntry?: null; registerEntry?: null; digestEntry?: null }|{ entity?: "valueSetEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry: p4.v1.ValueSetEntry.$Shape; registerEntry?: null; digestEntry?: null }|{ entity?: "registerEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry: p4.v1.RegisterEntry.$Shape; digestEntry?: null }|{ entity?: "digestEntry"; externEntry?: null; tableEntry?: null; actionProfileMember?: null; actionProfileGroup?: null; meterEntry?: null; directMeterEntry?: null; counterEntry?: null; directCounterEntry?: null; packetReplicationEngineEntry?: null; valueSetEntry?: null; registerEntry?: null; digestEntry: p4.v1.DigestEntry.$Shape })
            );
        }

        /**
         * Properties of an ExternEntry.
         * @deprecated Use p4.v1.ExternEntry.$Properties instead.
         */
        interface IExternEntry extends p4.v1.ExternEntry.$Properties {
        }

        /** Represents an ExternEntry. */
        class ExternEntry {

            /**
             * Constructs a new ExternEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ExternEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ExternEntry externTypeId. */
            externTypeId: number;

            /** ExternEntry externId. */
            externId: number;

            /** ExternEntry entry. */
            entry?: (google.protobuf.Any.$Properties|null);

            /**
             * Creates a new ExternEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ExternEntry instance
             */
            static create(properties: p4.v1.ExternEntry.$Shape): p4.v1.ExternEntry & p4.v1.ExternEntry.$Shape;
            static create(properties?: p4.v1.ExternEntry.$Properties): p4.v1.ExternEntry;

            /**
             * Encodes the specified ExternEntry message. Does not implicitly {@link p4.v1.ExternEntry.verify|verify} messages.
             * @param message ExternEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ExternEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ExternEntry message, length delimited. Does not implicitly {@link p4.v1.ExternEntry.verify|verify} messages.
             * @param message ExternEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ExternEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ExternEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ExternEntry & p4.v1.ExternEntry.$Shape} ExternEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ExternEntry & p4.v1.ExternEntry.$Shape;

            /**
             * Decodes an ExternEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ExternEntry & p4.v1.ExternEntry.$Shape} ExternEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ExternEntry & p4.v1.ExternEntry.$Shape;

            /**
             * Verifies an ExternEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an ExternEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ExternEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ExternEntry;

            /**
             * Creates a plain object from an ExternEntry message. Also converts values to other types if specified.
             * @param message ExternEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ExternEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ExternEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ExternEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ExternEntry {

            /** Properties of an ExternEntry. */
            interface $Properties {

                /** ExternEntry externTypeId */
                externTypeId?: (number|null);

                /** ExternEntry externId */
                externId?: (number|null);

                /** ExternEntry entry */
                entry?: (google.protobuf.Any.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ExternEntry. */
            type $Shape = p4.v1.ExternEntry.$Properties;
        }

        /**
         * Properties of a TableEntry.
         * @deprecated Use p4.v1.TableEntry.$Properties instead.
         */
        interface ITableEntry extends p4.v1.TableEntry.$Properties {
        }

        /** Represents a TableEntry. */
        class TableEntry {

            /**
             * Constructs a new TableEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.TableEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** TableEntry tableId. */
            tableId: number;

            /** TableEntry match. */
            match: p4.v1.FieldMatch.$Properties[];

            /** TableEntry action. */
            action?: (p4.v1.TableAction.$Properties|null);

            /** TableEntry priority. */
            priority: number;

            /** TableEntry controllerMetadata. */
            controllerMetadata: (number|Long);

            /** TableEntry meterConfig. */
            meterConfig?: (p4.v1.MeterConfig.$Properties|null);

            /** TableEntry counterData. */
            counterData?: (p4.v1.CounterData.$Properties|null);

            /** TableEntry meterCounterData. */
            meterCounterData?: (p4.v1.MeterCounterData.$Properties|null);

            /** TableEntry isDefaultAction. */
            isDefaultAction: boolean;

            /** TableEntry idleTimeoutNs. */
            idleTimeoutNs: (number|Long);

            /** TableEntry timeSinceLastHit. */
            timeSinceLastHit?: (p4.v1.TableEntry.IdleTimeout.$Properties|null);

            /** TableEntry metadata. */
            metadata: Uint8Array;

            /** TableEntry isConst. */
            isConst: boolean;

            /**
             * Creates a new TableEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns TableEntry instance
             */
            static create(properties: p4.v1.TableEntry.$Shape): p4.v1.TableEntry & p4.v1.TableEntry.$Shape;
            static create(properties?: p4.v1.TableEntry.$Properties): p4.v1.TableEntry;

            /**
             * Encodes the specified TableEntry message. Does not implicitly {@link p4.v1.TableEntry.verify|verify} messages.
             * @param message TableEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.TableEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified TableEntry message, length delimited. Does not implicitly {@link p4.v1.TableEntry.verify|verify} messages.
             * @param message TableEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.TableEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a TableEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.TableEntry & p4.v1.TableEntry.$Shape} TableEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.TableEntry & p4.v1.TableEntry.$Shape;

            /**
             * Decodes a TableEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.TableEntry & p4.v1.TableEntry.$Shape} TableEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.TableEntry & p4.v1.TableEntry.$Shape;

            /**
             * Verifies a TableEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a TableEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns TableEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.TableEntry;

            /**
             * Creates a plain object from a TableEntry message. Also converts values to other types if specified.
             * @param message TableEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.TableEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this TableEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for TableEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace TableEntry {

            /** Properties of a TableEntry. */
            interface $Properties {

                /** TableEntry tableId */
                tableId?: (number|null);

                /** TableEntry match */
                match?: (p4.v1.FieldMatch.$Properties[]|null);

                /** TableEntry action */
                action?: (p4.v1.TableAction.$Properties|null);

                /** TableEntry priority */
                priority?: (number|null);

                /** TableEntry controllerMetadata */
                controllerMetadata?: (number|Long|null);

                /** TableEntry meterConfig */
                meterConfig?: (p4.v1.MeterConfig.$Properties|null);

                /** TableEntry counterData */
                counterData?: (p4.v1.CounterData.$Properties|null);

                /** TableEntry meterCounterData */
                meterCounterData?: (p4.v1.MeterCounterData.$Properties|null);

                /** TableEntry isDefaultAction */
                isDefaultAction?: (boolean|null);

                /** TableEntry idleTimeoutNs */
                idleTimeoutNs?: (number|Long|null);

                /** TableEntry timeSinceLastHit */
                timeSinceLastHit?: (p4.v1.TableEntry.IdleTimeout.$Properties|null);

                /** TableEntry metadata */
                metadata?: (Uint8Array|null);

                /** TableEntry isConst */
                isConst?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a TableEntry. */
            type $Shape = {
              tableId?: number|null;
              match?: p4.v1.FieldMatch.$Shape[]|null;
              action?: p4.v1.TableAction.$Shape|null;
              priority?: number|null;
              controllerMetadata?: number|Long|null;
              meterConfig?: p4.v1.MeterConfig.$Shape|null;
              counterData?: p4.v1.CounterData.$Shape|null;
              meterCounterData?: p4.v1.MeterCounterData.$Shape|null;
              isDefaultAction?: boolean|null;
              idleTimeoutNs?: number|Long|null;
              timeSinceLastHit?: p4.v1.TableEntry.IdleTimeout.$Shape|null;
              metadata?: Uint8Array|null;
              isConst?: boolean|null;
              $unknowns?: Uint8Array[];
            };

            /**
             * Properties of an IdleTimeout.
             * @deprecated Use p4.v1.TableEntry.IdleTimeout.$Properties instead.
             */
            interface IIdleTimeout extends p4.v1.TableEntry.IdleTimeout.$Properties {
            }

            /** Represents an IdleTimeout. */
            class IdleTimeout {

                /**
                 * Constructs a new IdleTimeout.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.TableEntry.IdleTimeout.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** IdleTimeout elapsedNs. */
                elapsedNs: (number|Long);

                /**
                 * Creates a new IdleTimeout instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns IdleTimeout instance
                 */
                static create(properties: p4.v1.TableEntry.IdleTimeout.$Shape): p4.v1.TableEntry.IdleTimeout & p4.v1.TableEntry.IdleTimeout.$Shape;
                static create(properties?: p4.v1.TableEntry.IdleTimeout.$Properties): p4.v1.TableEntry.IdleTimeout;

                /**
                 * Encodes the specified IdleTimeout message. Does not implicitly {@link p4.v1.TableEntry.IdleTimeout.verify|verify} messages.
                 * @param message IdleTimeout message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.TableEntry.IdleTimeout.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified IdleTimeout message, length delimited. Does not implicitly {@link p4.v1.TableEntry.IdleTimeout.verify|verify} messages.
                 * @param message IdleTimeout message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.TableEntry.IdleTimeout.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an IdleTimeout message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.TableEntry.IdleTimeout & p4.v1.TableEntry.IdleTimeout.$Shape} IdleTimeout
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.TableEntry.IdleTimeout & p4.v1.TableEntry.IdleTimeout.$Shape;

                /**
                 * Decodes an IdleTimeout message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.TableEntry.IdleTimeout & p4.v1.TableEntry.IdleTimeout.$Shape} IdleTimeout
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.TableEntry.IdleTimeout & p4.v1.TableEntry.IdleTimeout.$Shape;

                /**
                 * Verifies an IdleTimeout message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an IdleTimeout message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns IdleTimeout
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.TableEntry.IdleTimeout;

                /**
                 * Creates a plain object from an IdleTimeout message. Also converts values to other types if specified.
                 * @param message IdleTimeout
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.TableEntry.IdleTimeout, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this IdleTimeout to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for IdleTimeout
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace IdleTimeout {

                /** Properties of an IdleTimeout. */
                interface $Properties {

                    /** IdleTimeout elapsedNs */
                    elapsedNs?: (number|Long|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an IdleTimeout. */
                type $Shape = p4.v1.TableEntry.IdleTimeout.$Properties;
            }
        }

        /**
         * Properties of a FieldMatch.
         * @deprecated Use p4.v1.FieldMatch.$Properties instead.
         */
        interface IFieldMatch extends p4.v1.FieldMatch.$Properties {
        }

        /** Represents a FieldMatch. */
        class FieldMatch {

            /**
             * Constructs a new FieldMatch.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.FieldMatch.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** FieldMatch fieldId. */
            fieldId: number;

            /** FieldMatch exact. */
            exact?: (p4.v1.FieldMatch.Exact.$Properties|null);

            /** FieldMatch ternary. */
            ternary?: (p4.v1.FieldMatch.Ternary.$Properties|null);

            /** FieldMatch lpm. */
            lpm?: (p4.v1.FieldMatch.LPM.$Properties|null);

            /** FieldMatch range. */
            range?: (p4.v1.FieldMatch.Range.$Properties|null);

            /** FieldMatch optional. */
            optional?: (p4.v1.FieldMatch.Optional.$Properties|null);

            /** FieldMatch other. */
            other?: (google.protobuf.Any.$Properties|null);

            /** FieldMatch fieldMatchType. */
            fieldMatchType?: ("exact"|"ternary"|"lpm"|"range"|"optional"|"other");

            /**
             * Creates a new FieldMatch instance using the specified properties.
             * @param [properties] Properties to set
             * @returns FieldMatch instance
             */
            static create(properties: p4.v1.FieldMatch.$Shape): p4.v1.FieldMatch & p4.v1.FieldMatch.$Shape;
            static create(properties?: p4.v1.FieldMatch.$Properties): p4.v1.FieldMatch;

            /**
             * Encodes the specified FieldMatch message. Does not implicitly {@link p4.v1.FieldMatch.verify|verify} messages.
             * @param message FieldMatch message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.FieldMatch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified FieldMatch message, length delimited. Does not implicitly {@link p4.v1.FieldMatch.verify|verify} messages.
             * @param message FieldMatch message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.FieldMatch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a FieldMatch message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.FieldMatch & p4.v1.FieldMatch.$Shape} FieldMatch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.FieldMatch & p4.v1.FieldMatch.$Shape;

            /**
             * Decodes a FieldMatch message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.FieldMatch & p4.v1.FieldMatch.$Shape} FieldMatch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.FieldMatch & p4.v1.FieldMatch.$Shape;

            /**
             * Verifies a FieldMatch message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a FieldMatch message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns FieldMatch
             */
            static fromObject(object: { [k: string]: any }): p4.v1.FieldMatch;

            /**
             * Creates a plain object from a FieldMatch message. Also converts values to other types if specified.
             * @param message FieldMatch
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.FieldMatch, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this FieldMatch to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for FieldMatch
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace FieldMatch {

            /** Properties of a FieldMatch. */
            interface $Properties {

                /** FieldMatch fieldId */
                fieldId?: (number|null);

                /** FieldMatch exact */
                exact?: (p4.v1.FieldMatch.Exact.$Properties|null);

                /** FieldMatch ternary */
                ternary?: (p4.v1.FieldMatch.Ternary.$Properties|null);

                /** FieldMatch lpm */
                lpm?: (p4.v1.FieldMatch.LPM.$Properties|null);

                /** FieldMatch range */
                range?: (p4.v1.FieldMatch.Range.$Properties|null);

                /** FieldMatch optional */
                optional?: (p4.v1.FieldMatch.Optional.$Properties|null);

                /** FieldMatch other */
                other?: (google.protobuf.Any.$Properties|null);

                /** FieldMatch fieldMatchType */
                fieldMatchType?: ("exact"|"ternary"|"lpm"|"range"|"optional"|"other");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a FieldMatch. */
            type $Shape = {
              fieldId?: number|null;
              exact?: p4.v1.FieldMatch.Exact.$Shape|null;
              ternary?: p4.v1.FieldMatch.Ternary.$Shape|null;
              lpm?: p4.v1.FieldMatch.LPM.$Shape|null;
              range?: p4.v1.FieldMatch.Range.$Shape|null;
              optional?: p4.v1.FieldMatch.Optional.$Shape|null;
              other?: google.protobuf.Any.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ fieldMatchType?: undefined; exact?: null; ternary?: null; lpm?: null; range?: null; optional?: null; other?: null }|{ fieldMatchType?: "exact"; exact: p4.v1.FieldMatch.Exact.$Shape; ternary?: null; lpm?: null; range?: null; optional?: null; other?: null }|{ fieldMatchType?: "ternary"; exact?: null; ternary: p4.v1.FieldMatch.Ternary.$Shape; lpm?: null; range?: null; optional?: null; other?: null }|{ fieldMatchType?: "lpm"; exact?: null; ternary?: null; lpm: p4.v1.FieldMatch.LPM.$Shape; range?: null; optional?: null; other?: null }|{ fieldMatchType?: "range"; exact?: null; ternary?: null; lpm?: null; range: p4.v1.FieldMatch.Range.$Shape; optional?: null; other?: null }|{ fieldMatchType?: "optional"; exact?: null; ternary?: null; lpm?: null; range?: null; optional: p4.v1.FieldMatch.Optional.$Shape; other?: null }|{ fieldMatchType?: "other"; exact?: null; ternary?: null; lpm?: null; range?: null; optional?: null; other: google.protobuf.Any.$Shape })
            );

            /**
             * Properties of an Exact.
             * @deprecated Use p4.v1.FieldMatch.Exact.$Properties instead.
             */
            interface IExact extends p4.v1.FieldMatch.Exact.$Properties {
            }

            /** Represents an Exact. */
            class Exact {

                /**
                 * Constructs a new Exact.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.FieldMatch.Exact.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Exact value. */
                value: Uint8Array;

                /**
                 * Creates a new Exact instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Exact instance
                 */
                static create(properties: p4.v1.FieldMatch.Exact.$Shape): p4.v1.FieldMatch.Exact & p4.v1.FieldMatch.Exact.$Shape;
                static create(properties?: p4.v1.FieldMatch.Exact.$Properties): p4.v1.FieldMatch.Exact;

                /**
                 * Encodes the specified Exact message. Does not implicitly {@link p4.v1.FieldMatch.Exact.verify|verify} messages.
                 * @param message Exact message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.FieldMatch.Exact.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Exact message, length delimited. Does not implicitly {@link p4.v1.FieldMatch.Exact.verify|verify} messages.
                 * @param message Exact message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.FieldMatch.Exact.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an Exact message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.FieldMatch.Exact & p4.v1.FieldMatch.Exact.$Shape} Exact
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.FieldMatch.Exact & p4.v1.FieldMatch.Exact.$Shape;

                /**
                 * Decodes an Exact message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.FieldMatch.Exact & p4.v1.FieldMatch.Exact.$Shape} Exact
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.FieldMatch.Exact & p4.v1.FieldMatch.Exact.$Shape;

                /**
                 * Verifies an Exact message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an Exact message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Exact
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.FieldMatch.Exact;

                /**
                 * Creates a plain object from an Exact message. Also converts values to other types if specified.
                 * @param message Exact
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.FieldMatch.Exact, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Exact to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Exact
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Exact {

                /** Properties of an Exact. */
                interface $Properties {

                    /** Exact value */
                    value?: (Uint8Array|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an Exact. */
                type $Shape = p4.v1.FieldMatch.Exact.$Properties;
            }

            /**
             * Properties of a Ternary.
             * @deprecated Use p4.v1.FieldMatch.Ternary.$Properties instead.
             */
            interface ITernary extends p4.v1.FieldMatch.Ternary.$Properties {
            }

            /** Represents a Ternary. */
            class Ternary {

                /**
                 * Constructs a new Ternary.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.FieldMatch.Ternary.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Ternary value. */
                value: Uint8Array;

                /** Ternary mask. */
                mask: Uint8Array;

                /**
                 * Creates a new Ternary instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Ternary instance
                 */
                static create(properties: p4.v1.FieldMatch.Ternary.$Shape): p4.v1.FieldMatch.Ternary & p4.v1.FieldMatch.Ternary.$Shape;
                static create(properties?: p4.v1.FieldMatch.Ternary.$Properties): p4.v1.FieldMatch.Ternary;

                /**
                 * Encodes the specified Ternary message. Does not implicitly {@link p4.v1.FieldMatch.Ternary.verify|verify} messages.
                 * @param message Ternary message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.FieldMatch.Ternary.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Ternary message, length delimited. Does not implicitly {@link p4.v1.FieldMatch.Ternary.verify|verify} messages.
                 * @param message Ternary message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.FieldMatch.Ternary.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Ternary message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.FieldMatch.Ternary & p4.v1.FieldMatch.Ternary.$Shape} Ternary
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.FieldMatch.Ternary & p4.v1.FieldMatch.Ternary.$Shape;

                /**
                 * Decodes a Ternary message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.FieldMatch.Ternary & p4.v1.FieldMatch.Ternary.$Shape} Ternary
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.FieldMatch.Ternary & p4.v1.FieldMatch.Ternary.$Shape;

                /**
                 * Verifies a Ternary message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Ternary message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Ternary
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.FieldMatch.Ternary;

                /**
                 * Creates a plain object from a Ternary message. Also converts values to other types if specified.
                 * @param message Ternary
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.FieldMatch.Ternary, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Ternary to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Ternary
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Ternary {

                /** Properties of a Ternary. */
                interface $Properties {

                    /** Ternary value */
                    value?: (Uint8Array|null);

                    /** Ternary mask */
                    mask?: (Uint8Array|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Ternary. */
                type $Shape = p4.v1.FieldMatch.Ternary.$Properties;
            }

            /**
             * Properties of a LPM.
             * @deprecated Use p4.v1.FieldMatch.LPM.$Properties instead.
             */
            interface ILPM extends p4.v1.FieldMatch.LPM.$Properties {
            }

            /** Represents a LPM. */
            class LPM {

                /**
                 * Constructs a new LPM.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.FieldMatch.LPM.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** LPM value. */
                value: Uint8Array;

                /** LPM prefixLen. */
                prefixLen: number;

                /**
                 * Creates a new LPM instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns LPM instance
                 */
                static create(properties: p4.v1.FieldMatch.LPM.$Shape): p4.v1.FieldMatch.LPM & p4.v1.FieldMatch.LPM.$Shape;
                static create(properties?: p4.v1.FieldMatch.LPM.$Properties): p4.v1.FieldMatch.LPM;

                /**
                 * Encodes the specified LPM message. Does not implicitly {@link p4.v1.FieldMatch.LPM.verify|verify} messages.
                 * @param message LPM message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.FieldMatch.LPM.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified LPM message, length delimited. Does not implicitly {@link p4.v1.FieldMatch.LPM.verify|verify} messages.
                 * @param message LPM message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.FieldMatch.LPM.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a LPM message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.FieldMatch.LPM & p4.v1.FieldMatch.LPM.$Shape} LPM
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.FieldMatch.LPM & p4.v1.FieldMatch.LPM.$Shape;

                /**
                 * Decodes a LPM message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.FieldMatch.LPM & p4.v1.FieldMatch.LPM.$Shape} LPM
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.FieldMatch.LPM & p4.v1.FieldMatch.LPM.$Shape;

                /**
                 * Verifies a LPM message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a LPM message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns LPM
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.FieldMatch.LPM;

                /**
                 * Creates a plain object from a LPM message. Also converts values to other types if specified.
                 * @param message LPM
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.FieldMatch.LPM, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this LPM to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for LPM
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace LPM {

                /** Properties of a LPM. */
                interface $Properties {

                    /** LPM value */
                    value?: (Uint8Array|null);

                    /** LPM prefixLen */
                    prefixLen?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a LPM. */
                type $Shape = p4.v1.FieldMatch.LPM.$Properties;
            }

            /**
             * Properties of a Range.
             * @deprecated Use p4.v1.FieldMatch.Range.$Properties instead.
             */
            interface IRange extends p4.v1.FieldMatch.Range.$Properties {
            }

            /** Represents a Range. */
            class Range {

                /**
                 * Constructs a new Range.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.FieldMatch.Range.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Range low. */
                low: Uint8Array;

                /** Range high. */
                high: Uint8Array;

                /**
                 * Creates a new Range instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Range instance
                 */
                static create(properties: p4.v1.FieldMatch.Range.$Shape): p4.v1.FieldMatch.Range & p4.v1.FieldMatch.Range.$Shape;
                static create(properties?: p4.v1.FieldMatch.Range.$Properties): p4.v1.FieldMatch.Range;

                /**
                 * Encodes the specified Range message. Does not implicitly {@link p4.v1.FieldMatch.Range.verify|verify} messages.
                 * @param message Range message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.FieldMatch.Range.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Range message, length delimited. Does not implicitly {@link p4.v1.FieldMatch.Range.verify|verify} messages.
                 * @param message Range message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.FieldMatch.Range.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Range message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.FieldMatch.Range & p4.v1.FieldMatch.Range.$Shape} Range
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.FieldMatch.Range & p4.v1.FieldMatch.Range.$Shape;

                /**
                 * Decodes a Range message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.FieldMatch.Range & p4.v1.FieldMatch.Range.$Shape} Range
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.FieldMatch.Range & p4.v1.FieldMatch.Range.$Shape;

                /**
                 * Verifies a Range message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Range message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Range
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.FieldMatch.Range;

                /**
                 * Creates a plain object from a Range message. Also converts values to other types if specified.
                 * @param message Range
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.FieldMatch.Range, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Range to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Range
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Range {

                /** Properties of a Range. */
                interface $Properties {

                    /** Range low */
                    low?: (Uint8Array|null);

                    /** Range high */
                    high?: (Uint8Array|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Range. */
                type $Shape = p4.v1.FieldMatch.Range.$Properties;
            }

            /**
             * Properties of an Optional.
             * @deprecated Use p4.v1.FieldMatch.Optional.$Properties instead.
             */
            interface IOptional extends p4.v1.FieldMatch.Optional.$Properties {
            }

            /** Represents an Optional. */
            class Optional {

                /**
                 * Constructs a new Optional.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.FieldMatch.Optional.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Optional value. */
                value: Uint8Array;

                /**
                 * Creates a new Optional instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Optional instance
                 */
                static create(properties: p4.v1.FieldMatch.Optional.$Shape): p4.v1.FieldMatch.Optional & p4.v1.FieldMatch.Optional.$Shape;
                static create(properties?: p4.v1.FieldMatch.Optional.$Properties): p4.v1.FieldMatch.Optional;

                /**
                 * Encodes the specified Optional message. Does not implicitly {@link p4.v1.FieldMatch.Optional.verify|verify} messages.
                 * @param message Optional message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.FieldMatch.Optional.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Optional message, length delimited. Does not implicitly {@link p4.v1.FieldMatch.Optional.verify|verify} messages.
                 * @param message Optional message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.FieldMatch.Optional.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an Optional message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.FieldMatch.Optional & p4.v1.FieldMatch.Optional.$Shape} Optional
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.FieldMatch.Optional & p4.v1.FieldMatch.Optional.$Shape;

                /**
                 * Decodes an Optional message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.FieldMatch.Optional & p4.v1.FieldMatch.Optional.$Shape} Optional
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.FieldMatch.Optional & p4.v1.FieldMatch.Optional.$Shape;

                /**
                 * Verifies an Optional message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an Optional message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Optional
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.FieldMatch.Optional;

                /**
                 * Creates a plain object from an Optional message. Also converts values to other types if specified.
                 * @param message Optional
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.FieldMatch.Optional, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Optional to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Optional
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Optional {

                /** Properties of an Optional. */
                interface $Properties {

                    /** Optional value */
                    value?: (Uint8Array|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an Optional. */
                type $Shape = p4.v1.FieldMatch.Optional.$Properties;
            }
        }

        /**
         * Properties of a TableAction.
         * @deprecated Use p4.v1.TableAction.$Properties instead.
         */
        interface ITableAction extends p4.v1.TableAction.$Properties {
        }

        /** Represents a TableAction. */
        class TableAction {

            /**
             * Constructs a new TableAction.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.TableAction.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** TableAction action. */
            action?: (p4.v1.Action.$Properties|null);

            /** TableAction actionProfileMemberId. */
            actionProfileMemberId?: (number|null);

            /** TableAction actionProfileGroupId. */
            actionProfileGroupId?: (number|null);

            /** TableAction actionProfileActionSet. */
            actionProfileActionSet?: (p4.v1.ActionProfileActionSet.$Properties|null);

            /** TableAction type. */
            type?: ("action"|"actionProfileMemberId"|"actionProfileGroupId"|"actionProfileActionSet");

            /**
             * Creates a new TableAction instance using the specified properties.
             * @param [properties] Properties to set
             * @returns TableAction instance
             */
            static create(properties: p4.v1.TableAction.$Shape): p4.v1.TableAction & p4.v1.TableAction.$Shape;
            static create(properties?: p4.v1.TableAction.$Properties): p4.v1.TableAction;

            /**
             * Encodes the specified TableAction message. Does not implicitly {@link p4.v1.TableAction.verify|verify} messages.
             * @param message TableAction message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.TableAction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified TableAction message, length delimited. Does not implicitly {@link p4.v1.TableAction.verify|verify} messages.
             * @param message TableAction message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.TableAction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a TableAction message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.TableAction & p4.v1.TableAction.$Shape} TableAction
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.TableAction & p4.v1.TableAction.$Shape;

            /**
             * Decodes a TableAction message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.TableAction & p4.v1.TableAction.$Shape} TableAction
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.TableAction & p4.v1.TableAction.$Shape;

            /**
             * Verifies a TableAction message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a TableAction message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns TableAction
             */
            static fromObject(object: { [k: string]: any }): p4.v1.TableAction;

            /**
             * Creates a plain object from a TableAction message. Also converts values to other types if specified.
             * @param message TableAction
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.TableAction, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this TableAction to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for TableAction
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace TableAction {

            /** Properties of a TableAction. */
            interface $Properties {

                /** TableAction action */
                action?: (p4.v1.Action.$Properties|null);

                /** TableAction actionProfileMemberId */
                actionProfileMemberId?: (number|null);

                /** TableAction actionProfileGroupId */
                actionProfileGroupId?: (number|null);

                /** TableAction actionProfileActionSet */
                actionProfileActionSet?: (p4.v1.ActionProfileActionSet.$Properties|null);

                /** TableAction type */
                type?: ("action"|"actionProfileMemberId"|"actionProfileGroupId"|"actionProfileActionSet");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a TableAction. */
            type $Shape = {
              action?: p4.v1.Action.$Shape|null;
              actionProfileMemberId?: number|null;
              actionProfileGroupId?: number|null;
              actionProfileActionSet?: p4.v1.ActionProfileActionSet.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ type?: undefined; action?: null; actionProfileMemberId?: null; actionProfileGroupId?: null; actionProfileActionSet?: null }|{ type?: "action"; action: p4.v1.Action.$Shape; actionProfileMemberId?: null; actionProfileGroupId?: null; actionProfileActionSet?: null }|{ type?: "actionProfileMemberId"; action?: null; actionProfileMemberId: number; actionProfileGroupId?: null; actionProfileActionSet?: null }|{ type?: "actionProfileGroupId"; action?: null; actionProfileMemberId?: null; actionProfileGroupId: number; actionProfileActionSet?: null }|{ type?: "actionProfileActionSet"; action?: null; actionProfileMemberId?: null; actionProfileGroupId?: null; actionProfileActionSet: p4.v1.ActionProfileActionSet.$Shape })
            );
        }

        /**
         * Properties of an Action.
         * @deprecated Use p4.v1.Action.$Properties instead.
         */
        interface IAction extends p4.v1.Action.$Properties {
        }

        /** Represents an Action. */
        class Action {

            /**
             * Constructs a new Action.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Action.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Action actionId. */
            actionId: number;

            /** Action params. */
            params: p4.v1.Action.Param.$Properties[];

            /**
             * Creates a new Action instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Action instance
             */
            static create(properties: p4.v1.Action.$Shape): p4.v1.Action & p4.v1.Action.$Shape;
            static create(properties?: p4.v1.Action.$Properties): p4.v1.Action;

            /**
             * Encodes the specified Action message. Does not implicitly {@link p4.v1.Action.verify|verify} messages.
             * @param message Action message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Action.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Action message, length delimited. Does not implicitly {@link p4.v1.Action.verify|verify} messages.
             * @param message Action message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Action.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Action message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Action & p4.v1.Action.$Shape} Action
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Action & p4.v1.Action.$Shape;

            /**
             * Decodes an Action message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Action & p4.v1.Action.$Shape} Action
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Action & p4.v1.Action.$Shape;

            /**
             * Verifies an Action message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Action message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Action
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Action;

            /**
             * Creates a plain object from an Action message. Also converts values to other types if specified.
             * @param message Action
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Action, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Action to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Action
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Action {

            /** Properties of an Action. */
            interface $Properties {

                /** Action actionId */
                actionId?: (number|null);

                /** Action params */
                params?: (p4.v1.Action.Param.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Action. */
            type $Shape = p4.v1.Action.$Properties;

            /**
             * Properties of a Param.
             * @deprecated Use p4.v1.Action.Param.$Properties instead.
             */
            interface IParam extends p4.v1.Action.Param.$Properties {
            }

            /** Represents a Param. */
            class Param {

                /**
                 * Constructs a new Param.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.Action.Param.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Param paramId. */
                paramId: number;

                /** Param value. */
                value: Uint8Array;

                /**
                 * Creates a new Param instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Param instance
                 */
                static create(properties: p4.v1.Action.Param.$Shape): p4.v1.Action.Param & p4.v1.Action.Param.$Shape;
                static create(properties?: p4.v1.Action.Param.$Properties): p4.v1.Action.Param;

                /**
                 * Encodes the specified Param message. Does not implicitly {@link p4.v1.Action.Param.verify|verify} messages.
                 * @param message Param message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.Action.Param.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Param message, length delimited. Does not implicitly {@link p4.v1.Action.Param.verify|verify} messages.
                 * @param message Param message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.Action.Param.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Param message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.Action.Param & p4.v1.Action.Param.$Shape} Param
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Action.Param & p4.v1.Action.Param.$Shape;

                /**
                 * Decodes a Param message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.Action.Param & p4.v1.Action.Param.$Shape} Param
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Action.Param & p4.v1.Action.Param.$Shape;

                /**
                 * Verifies a Param message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Param message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Param
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.Action.Param;

                /**
                 * Creates a plain object from a Param message. Also converts values to other types if specified.
                 * @param message Param
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.Action.Param, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Param to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Param
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Param {

                /** Properties of a Param. */
                interface $Properties {

                    /** Param paramId */
                    paramId?: (number|null);

                    /** Param value */
                    value?: (Uint8Array|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Param. */
                type $Shape = p4.v1.Action.Param.$Properties;
            }
        }

        /**
         * Properties of an ActionProfileActionSet.
         * @deprecated Use p4.v1.ActionProfileActionSet.$Properties instead.
         */
        interface IActionProfileActionSet extends p4.v1.ActionProfileActionSet.$Properties {
        }

        /** Represents an ActionProfileActionSet. */
        class ActionProfileActionSet {

            /**
             * Constructs a new ActionProfileActionSet.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ActionProfileActionSet.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ActionProfileActionSet groupAction. */
            groupAction?: (p4.v1.Action.$Properties|null);

            /** ActionProfileActionSet actionProfileActions. */
            actionProfileActions: p4.v1.ActionProfileAction.$Properties[];

            /** ActionProfileActionSet actionSelectionMode. */
            actionSelectionMode: p4.v1.ActionProfileActionSet.ActionSelectionMode;

            /** ActionProfileActionSet sizeSemantics. */
            sizeSemantics: p4.v1.ActionProfileActionSet.SizeSemantics;

            /**
             * Creates a new ActionProfileActionSet instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ActionProfileActionSet instance
             */
            static create(properties: p4.v1.ActionProfileActionSet.$Shape): p4.v1.ActionProfileActionSet & p4.v1.ActionProfileActionSet.$Shape;
            static create(properties?: p4.v1.ActionProfileActionSet.$Properties): p4.v1.ActionProfileActionSet;

            /**
             * Encodes the specified ActionProfileActionSet message. Does not implicitly {@link p4.v1.ActionProfileActionSet.verify|verify} messages.
             * @param message ActionProfileActionSet message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ActionProfileActionSet.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ActionProfileActionSet message, length delimited. Does not implicitly {@link p4.v1.ActionProfileActionSet.verify|verify} messages.
             * @param message ActionProfileActionSet message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ActionProfileActionSet.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ActionProfileActionSet message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ActionProfileActionSet & p4.v1.ActionProfileActionSet.$Shape} ActionProfileActionSet
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ActionProfileActionSet & p4.v1.ActionProfileActionSet.$Shape;

            /**
             * Decodes an ActionProfileActionSet message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ActionProfileActionSet & p4.v1.ActionProfileActionSet.$Shape} ActionProfileActionSet
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ActionProfileActionSet & p4.v1.ActionProfileActionSet.$Shape;

            /**
             * Verifies an ActionProfileActionSet message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an ActionProfileActionSet message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ActionProfileActionSet
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ActionProfileActionSet;

            /**
             * Creates a plain object from an ActionProfileActionSet message. Also converts values to other types if specified.
             * @param message ActionProfileActionSet
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ActionProfileActionSet, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ActionProfileActionSet to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ActionProfileActionSet
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ActionProfileActionSet {

            /** Properties of an ActionProfileActionSet. */
            interface $Properties {

                /** ActionProfileActionSet groupAction */
                groupAction?: (p4.v1.Action.$Properties|null);

                /** ActionProfileActionSet actionProfileActions */
                actionProfileActions?: (p4.v1.ActionProfileAction.$Properties[]|null);

                /** ActionProfileActionSet actionSelectionMode */
                actionSelectionMode?: (p4.v1.ActionProfileActionSet.ActionSelectionMode|null);

                /** ActionProfileActionSet sizeSemantics */
                sizeSemantics?: (p4.v1.ActionProfileActionSet.SizeSemantics|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ActionProfileActionSet. */
            type $Shape = {
              groupAction?: p4.v1.Action.$Shape|null;
              actionProfileActions?: p4.v1.ActionProfileAction.$Shape[]|null;
              actionSelectionMode?: p4.v1.ActionProfileActionSet.ActionSelectionMode|null;
              sizeSemantics?: p4.v1.ActionProfileActionSet.SizeSemantics|null;
              $unknowns?: Uint8Array[];
            };

            /** ActionSelectionMode enum. */
            enum ActionSelectionMode {

                /** DEFAULT_MODE_DETERMINED_BY_ACTION_SELECTOR value */
                DEFAULT_MODE_DETERMINED_BY_ACTION_SELECTOR = 0,

                /** HASH value */
                HASH = 1,

                /** RANDOM value */
                RANDOM = 2
            }

            /** SizeSemantics enum. */
            enum SizeSemantics {

                /** DEFAULT_SIZE_DETERMINED_BY_ACTION_SELECTOR value */
                DEFAULT_SIZE_DETERMINED_BY_ACTION_SELECTOR = 0,

                /** SUM_OF_WEIGHTS value */
                SUM_OF_WEIGHTS = 1,

                /** SUM_OF_MEMBERS value */
                SUM_OF_MEMBERS = 2
            }
        }

        /**
         * Properties of an ActionProfileAction.
         * @deprecated Use p4.v1.ActionProfileAction.$Properties instead.
         */
        interface IActionProfileAction extends p4.v1.ActionProfileAction.$Properties {
        }

        /** Represents an ActionProfileAction. */
        class ActionProfileAction {

            /**
             * Constructs a new ActionProfileAction.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ActionProfileAction.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ActionProfileAction action. */
            action?: (p4.v1.Action.$Properties|null);

            /** ActionProfileAction weight. */
            weight: number;

            /** ActionProfileAction watch. */
            watch?: (number|null);

            /** ActionProfileAction watchPort. */
            watchPort?: (Uint8Array|null);

            /** ActionProfileAction watchKind. */
            watchKind?: ("watch"|"watchPort");

            /**
             * Creates a new ActionProfileAction instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ActionProfileAction instance
             */
            static create(properties: p4.v1.ActionProfileAction.$Shape): p4.v1.ActionProfileAction & p4.v1.ActionProfileAction.$Shape;
            static create(properties?: p4.v1.ActionProfileAction.$Properties): p4.v1.ActionProfileAction;

            /**
             * Encodes the specified ActionProfileAction message. Does not implicitly {@link p4.v1.ActionProfileAction.verify|verify} messages.
             * @param message ActionProfileAction message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ActionProfileAction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ActionProfileAction message, length delimited. Does not implicitly {@link p4.v1.ActionProfileAction.verify|verify} messages.
             * @param message ActionProfileAction message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ActionProfileAction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ActionProfileAction message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ActionProfileAction & p4.v1.ActionProfileAction.$Shape} ActionProfileAction
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ActionProfileAction & p4.v1.ActionProfileAction.$Shape;

            /**
             * Decodes an ActionProfileAction message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ActionProfileAction & p4.v1.ActionProfileAction.$Shape} ActionProfileAction
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ActionProfileAction & p4.v1.ActionProfileAction.$Shape;

            /**
             * Verifies an ActionProfileAction message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an ActionProfileAction message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ActionProfileAction
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ActionProfileAction;

            /**
             * Creates a plain object from an ActionProfileAction message. Also converts values to other types if specified.
             * @param message ActionProfileAction
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ActionProfileAction, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ActionProfileAction to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ActionProfileAction
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ActionProfileAction {

            /** Properties of an ActionProfileAction. */
            interface $Properties {

                /** ActionProfileAction action */
                action?: (p4.v1.Action.$Properties|null);

                /** ActionProfileAction weight */
                weight?: (number|null);

                /** ActionProfileAction watch */
                watch?: (number|null);

                /** ActionProfileAction watchPort */
                watchPort?: (Uint8Array|null);

                /** ActionProfileAction watchKind */
                watchKind?: ("watch"|"watchPort");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of an ActionProfileAction. */
            type $Shape = {
              action?: p4.v1.Action.$Shape|null;
              weight?: number|null;
              watch?: number|null;
              watchPort?: Uint8Array|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ watchKind?: undefined; watch?: null; watchPort?: null }|{ watchKind?: "watch"; watch: number; watchPort?: null }|{ watchKind?: "watchPort"; watch?: null; watchPort: Uint8Array })
            );
        }

        /**
         * Properties of an ActionProfileMember.
         * @deprecated Use p4.v1.ActionProfileMember.$Properties instead.
         */
        interface IActionProfileMember extends p4.v1.ActionProfileMember.$Properties {
        }

        /** Represents an ActionProfileMember. */
        class ActionProfileMember {

            /**
             * Constructs a new ActionProfileMember.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ActionProfileMember.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ActionProfileMember actionProfileId. */
            actionProfileId: number;

            /** ActionProfileMember memberId. */
            memberId: number;

            /** ActionProfileMember action. */
            action?: (p4.v1.Action.$Properties|null);

            /**
             * Creates a new ActionProfileMember instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ActionProfileMember instance
             */
            static create(properties: p4.v1.ActionProfileMember.$Shape): p4.v1.ActionProfileMember & p4.v1.ActionProfileMember.$Shape;
            static create(properties?: p4.v1.ActionProfileMember.$Properties): p4.v1.ActionProfileMember;

            /**
             * Encodes the specified ActionProfileMember message. Does not implicitly {@link p4.v1.ActionProfileMember.verify|verify} messages.
             * @param message ActionProfileMember message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ActionProfileMember.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ActionProfileMember message, length delimited. Does not implicitly {@link p4.v1.ActionProfileMember.verify|verify} messages.
             * @param message ActionProfileMember message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ActionProfileMember.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ActionProfileMember message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ActionProfileMember & p4.v1.ActionProfileMember.$Shape} ActionProfileMember
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ActionProfileMember & p4.v1.ActionProfileMember.$Shape;

            /**
             * Decodes an ActionProfileMember message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ActionProfileMember & p4.v1.ActionProfileMember.$Shape} ActionProfileMember
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ActionProfileMember & p4.v1.ActionProfileMember.$Shape;

            /**
             * Verifies an ActionProfileMember message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an ActionProfileMember message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ActionProfileMember
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ActionProfileMember;

            /**
             * Creates a plain object from an ActionProfileMember message. Also converts values to other types if specified.
             * @param message ActionProfileMember
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ActionProfileMember, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ActionProfileMember to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ActionProfileMember
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ActionProfileMember {

            /** Properties of an ActionProfileMember. */
            interface $Properties {

                /** ActionProfileMember actionProfileId */
                actionProfileId?: (number|null);

                /** ActionProfileMember memberId */
                memberId?: (number|null);

                /** ActionProfileMember action */
                action?: (p4.v1.Action.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ActionProfileMember. */
            type $Shape = p4.v1.ActionProfileMember.$Properties;
        }

        /**
         * Properties of an ActionProfileGroup.
         * @deprecated Use p4.v1.ActionProfileGroup.$Properties instead.
         */
        interface IActionProfileGroup extends p4.v1.ActionProfileGroup.$Properties {
        }

        /** Represents an ActionProfileGroup. */
        class ActionProfileGroup {

            /**
             * Constructs a new ActionProfileGroup.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ActionProfileGroup.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ActionProfileGroup actionProfileId. */
            actionProfileId: number;

            /** ActionProfileGroup groupId. */
            groupId: number;

            /** ActionProfileGroup members. */
            members: p4.v1.ActionProfileGroup.Member.$Properties[];

            /** ActionProfileGroup maxSize. */
            maxSize: number;

            /**
             * Creates a new ActionProfileGroup instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ActionProfileGroup instance
             */
            static create(properties: p4.v1.ActionProfileGroup.$Shape): p4.v1.ActionProfileGroup & p4.v1.ActionProfileGroup.$Shape;
            static create(properties?: p4.v1.ActionProfileGroup.$Properties): p4.v1.ActionProfileGroup;

            /**
             * Encodes the specified ActionProfileGroup message. Does not implicitly {@link p4.v1.ActionProfileGroup.verify|verify} messages.
             * @param message ActionProfileGroup message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ActionProfileGroup.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ActionProfileGroup message, length delimited. Does not implicitly {@link p4.v1.ActionProfileGroup.verify|verify} messages.
             * @param message ActionProfileGroup message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ActionProfileGroup.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an ActionProfileGroup message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ActionProfileGroup & p4.v1.ActionProfileGroup.$Shape} ActionProfileGroup
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ActionProfileGroup & p4.v1.ActionProfileGroup.$Shape;

            /**
             * Decodes an ActionProfileGroup message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ActionProfileGroup & p4.v1.ActionProfileGroup.$Shape} ActionProfileGroup
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ActionProfileGroup & p4.v1.ActionProfileGroup.$Shape;

            /**
             * Verifies an ActionProfileGroup message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an ActionProfileGroup message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ActionProfileGroup
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ActionProfileGroup;

            /**
             * Creates a plain object from an ActionProfileGroup message. Also converts values to other types if specified.
             * @param message ActionProfileGroup
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ActionProfileGroup, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ActionProfileGroup to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ActionProfileGroup
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ActionProfileGroup {

            /** Properties of an ActionProfileGroup. */
            interface $Properties {

                /** ActionProfileGroup actionProfileId */
                actionProfileId?: (number|null);

                /** ActionProfileGroup groupId */
                groupId?: (number|null);

                /** ActionProfileGroup members */
                members?: (p4.v1.ActionProfileGroup.Member.$Properties[]|null);

                /** ActionProfileGroup maxSize */
                maxSize?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an ActionProfileGroup. */
            type $Shape = {
              actionProfileId?: number|null;
              groupId?: number|null;
              members?: p4.v1.ActionProfileGroup.Member.$Shape[]|null;
              maxSize?: number|null;
              $unknowns?: Uint8Array[];
            };

            /**
             * Properties of a Member.
             * @deprecated Use p4.v1.ActionProfileGroup.Member.$Properties instead.
             */
            interface IMember extends p4.v1.ActionProfileGroup.Member.$Properties {
            }

            /** Represents a Member. */
            class Member {

                /**
                 * Constructs a new Member.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.ActionProfileGroup.Member.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Member memberId. */
                memberId: number;

                /** Member weight. */
                weight: number;

                /** Member watch. */
                watch?: (number|null);

                /** Member watchPort. */
                watchPort?: (Uint8Array|null);

                /** Member watchKind. */
                watchKind?: ("watch"|"watchPort");

                /**
                 * Creates a new Member instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Member instance
                 */
                static create(properties: p4.v1.ActionProfileGroup.Member.$Shape): p4.v1.ActionProfileGroup.Member & p4.v1.ActionProfileGroup.Member.$Shape;
                static create(properties?: p4.v1.ActionProfileGroup.Member.$Properties): p4.v1.ActionProfileGroup.Member;

                /**
                 * Encodes the specified Member message. Does not implicitly {@link p4.v1.ActionProfileGroup.Member.verify|verify} messages.
                 * @param message Member message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.ActionProfileGroup.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Member message, length delimited. Does not implicitly {@link p4.v1.ActionProfileGroup.Member.verify|verify} messages.
                 * @param message Member message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.ActionProfileGroup.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Member message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.ActionProfileGroup.Member & p4.v1.ActionProfileGroup.Member.$Shape} Member
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ActionProfileGroup.Member & p4.v1.ActionProfileGroup.Member.$Shape;

                /**
                 * Decodes a Member message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.ActionProfileGroup.Member & p4.v1.ActionProfileGroup.Member.$Shape} Member
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ActionProfileGroup.Member & p4.v1.ActionProfileGroup.Member.$Shape;

                /**
                 * Verifies a Member message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Member message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Member
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.ActionProfileGroup.Member;

                /**
                 * Creates a plain object from a Member message. Also converts values to other types if specified.
                 * @param message Member
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.ActionProfileGroup.Member, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Member to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Member
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Member {

                /** Properties of a Member. */
                interface $Properties {

                    /** Member memberId */
                    memberId?: (number|null);

                    /** Member weight */
                    weight?: (number|null);

                    /** Member watch */
                    watch?: (number|null);

                    /** Member watchPort */
                    watchPort?: (Uint8Array|null);

                    /** Member watchKind */
                    watchKind?: ("watch"|"watchPort");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a Member. */
                type $Shape = {
                  memberId?: number|null;
                  weight?: number|null;
                  watch?: number|null;
                  watchPort?: Uint8Array|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ watchKind?: undefined; watch?: null; watchPort?: null }|{ watchKind?: "watch"; watch: number; watchPort?: null }|{ watchKind?: "watchPort"; watch?: null; watchPort: Uint8Array })
                );
            }
        }

        /**
         * Properties of an Index.
         * @deprecated Use p4.v1.Index.$Properties instead.
         */
        interface IIndex extends p4.v1.Index.$Properties {
        }

        /** Represents an Index. */
        class Index {

            /**
             * Constructs a new Index.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Index.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Index index. */
            index: (number|Long);

            /**
             * Creates a new Index instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Index instance
             */
            static create(properties: p4.v1.Index.$Shape): p4.v1.Index & p4.v1.Index.$Shape;
            static create(properties?: p4.v1.Index.$Properties): p4.v1.Index;

            /**
             * Encodes the specified Index message. Does not implicitly {@link p4.v1.Index.verify|verify} messages.
             * @param message Index message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Index.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Index message, length delimited. Does not implicitly {@link p4.v1.Index.verify|verify} messages.
             * @param message Index message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Index.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Index message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Index & p4.v1.Index.$Shape} Index
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Index & p4.v1.Index.$Shape;

            /**
             * Decodes an Index message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Index & p4.v1.Index.$Shape} Index
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Index & p4.v1.Index.$Shape;

            /**
             * Verifies an Index message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Index message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Index
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Index;

            /**
             * Creates a plain object from an Index message. Also converts values to other types if specified.
             * @param message Index
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Index, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Index to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Index
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Index {

            /** Properties of an Index. */
            interface $Properties {

                /** Index index */
                index?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Index. */
            type $Shape = p4.v1.Index.$Properties;
        }

        /**
         * Properties of a MeterEntry.
         * @deprecated Use p4.v1.MeterEntry.$Properties instead.
         */
        interface IMeterEntry extends p4.v1.MeterEntry.$Properties {
        }

        /** Represents a MeterEntry. */
        class MeterEntry {

            /**
             * Constructs a new MeterEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.MeterEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MeterEntry meterId. */
            meterId: number;

            /** MeterEntry index. */
            index?: (p4.v1.Index.$Properties|null);

            /** MeterEntry config. */
            config?: (p4.v1.MeterConfig.$Properties|null);

            /** MeterEntry counterData. */
            counterData?: (p4.v1.MeterCounterData.$Properties|null);

            /**
             * Creates a new MeterEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MeterEntry instance
             */
            static create(properties: p4.v1.MeterEntry.$Shape): p4.v1.MeterEntry & p4.v1.MeterEntry.$Shape;
            static create(properties?: p4.v1.MeterEntry.$Properties): p4.v1.MeterEntry;

            /**
             * Encodes the specified MeterEntry message. Does not implicitly {@link p4.v1.MeterEntry.verify|verify} messages.
             * @param message MeterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.MeterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MeterEntry message, length delimited. Does not implicitly {@link p4.v1.MeterEntry.verify|verify} messages.
             * @param message MeterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.MeterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MeterEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.MeterEntry & p4.v1.MeterEntry.$Shape} MeterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.MeterEntry & p4.v1.MeterEntry.$Shape;

            /**
             * Decodes a MeterEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.MeterEntry & p4.v1.MeterEntry.$Shape} MeterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.MeterEntry & p4.v1.MeterEntry.$Shape;

            /**
             * Verifies a MeterEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a MeterEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns MeterEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.MeterEntry;

            /**
             * Creates a plain object from a MeterEntry message. Also converts values to other types if specified.
             * @param message MeterEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.MeterEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MeterEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for MeterEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace MeterEntry {

            /** Properties of a MeterEntry. */
            interface $Properties {

                /** MeterEntry meterId */
                meterId?: (number|null);

                /** MeterEntry index */
                index?: (p4.v1.Index.$Properties|null);

                /** MeterEntry config */
                config?: (p4.v1.MeterConfig.$Properties|null);

                /** MeterEntry counterData */
                counterData?: (p4.v1.MeterCounterData.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MeterEntry. */
            type $Shape = p4.v1.MeterEntry.$Properties;
        }

        /**
         * Properties of a DirectMeterEntry.
         * @deprecated Use p4.v1.DirectMeterEntry.$Properties instead.
         */
        interface IDirectMeterEntry extends p4.v1.DirectMeterEntry.$Properties {
        }

        /** Represents a DirectMeterEntry. */
        class DirectMeterEntry {

            /**
             * Constructs a new DirectMeterEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.DirectMeterEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DirectMeterEntry tableEntry. */
            tableEntry?: (p4.v1.TableEntry.$Properties|null);

            /** DirectMeterEntry config. */
            config?: (p4.v1.MeterConfig.$Properties|null);

            /** DirectMeterEntry counterData. */
            counterData?: (p4.v1.MeterCounterData.$Properties|null);

            /**
             * Creates a new DirectMeterEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DirectMeterEntry instance
             */
            static create(properties: p4.v1.DirectMeterEntry.$Shape): p4.v1.DirectMeterEntry & p4.v1.DirectMeterEntry.$Shape;
            static create(properties?: p4.v1.DirectMeterEntry.$Properties): p4.v1.DirectMeterEntry;

            /**
             * Encodes the specified DirectMeterEntry message. Does not implicitly {@link p4.v1.DirectMeterEntry.verify|verify} messages.
             * @param message DirectMeterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.DirectMeterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified DirectMeterEntry message, length delimited. Does not implicitly {@link p4.v1.DirectMeterEntry.verify|verify} messages.
             * @param message DirectMeterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.DirectMeterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DirectMeterEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.DirectMeterEntry & p4.v1.DirectMeterEntry.$Shape} DirectMeterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DirectMeterEntry & p4.v1.DirectMeterEntry.$Shape;

            /**
             * Decodes a DirectMeterEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.DirectMeterEntry & p4.v1.DirectMeterEntry.$Shape} DirectMeterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DirectMeterEntry & p4.v1.DirectMeterEntry.$Shape;

            /**
             * Verifies a DirectMeterEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a DirectMeterEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns DirectMeterEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.DirectMeterEntry;

            /**
             * Creates a plain object from a DirectMeterEntry message. Also converts values to other types if specified.
             * @param message DirectMeterEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.DirectMeterEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this DirectMeterEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for DirectMeterEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DirectMeterEntry {

            /** Properties of a DirectMeterEntry. */
            interface $Properties {

                /** DirectMeterEntry tableEntry */
                tableEntry?: (p4.v1.TableEntry.$Properties|null);

                /** DirectMeterEntry config */
                config?: (p4.v1.MeterConfig.$Properties|null);

                /** DirectMeterEntry counterData */
                counterData?: (p4.v1.MeterCounterData.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DirectMeterEntry. */
            type $Shape = {
              tableEntry?: p4.v1.TableEntry.$Shape|null;
              config?: p4.v1.MeterConfig.$Shape|null;
              counterData?: p4.v1.MeterCounterData.$Shape|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a MeterConfig.
         * @deprecated Use p4.v1.MeterConfig.$Properties instead.
         */
        interface IMeterConfig extends p4.v1.MeterConfig.$Properties {
        }

        /** Represents a MeterConfig. */
        class MeterConfig {

            /**
             * Constructs a new MeterConfig.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.MeterConfig.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MeterConfig cir. */
            cir: (number|Long);

            /** MeterConfig cburst. */
            cburst: (number|Long);

            /** MeterConfig pir. */
            pir: (number|Long);

            /** MeterConfig pburst. */
            pburst: (number|Long);

            /** MeterConfig eburst. */
            eburst: (number|Long);

            /**
             * Creates a new MeterConfig instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MeterConfig instance
             */
            static create(properties: p4.v1.MeterConfig.$Shape): p4.v1.MeterConfig & p4.v1.MeterConfig.$Shape;
            static create(properties?: p4.v1.MeterConfig.$Properties): p4.v1.MeterConfig;

            /**
             * Encodes the specified MeterConfig message. Does not implicitly {@link p4.v1.MeterConfig.verify|verify} messages.
             * @param message MeterConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.MeterConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MeterConfig message, length delimited. Does not implicitly {@link p4.v1.MeterConfig.verify|verify} messages.
             * @param message MeterConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.MeterConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MeterConfig message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.MeterConfig & p4.v1.MeterConfig.$Shape} MeterConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.MeterConfig & p4.v1.MeterConfig.$Shape;

            /**
             * Decodes a MeterConfig message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.MeterConfig & p4.v1.MeterConfig.$Shape} MeterConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.MeterConfig & p4.v1.MeterConfig.$Shape;

            /**
             * Verifies a MeterConfig message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a MeterConfig message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns MeterConfig
             */
            static fromObject(object: { [k: string]: any }): p4.v1.MeterConfig;

            /**
             * Creates a plain object from a MeterConfig message. Also converts values to other types if specified.
             * @param message MeterConfig
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.MeterConfig, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MeterConfig to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for MeterConfig
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace MeterConfig {

            /** Properties of a MeterConfig. */
            interface $Properties {

                /** MeterConfig cir */
                cir?: (number|Long|null);

                /** MeterConfig cburst */
                cburst?: (number|Long|null);

                /** MeterConfig pir */
                pir?: (number|Long|null);

                /** MeterConfig pburst */
                pburst?: (number|Long|null);

                /** MeterConfig eburst */
                eburst?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MeterConfig. */
            type $Shape = p4.v1.MeterConfig.$Properties;
        }

        /**
         * Properties of a CounterEntry.
         * @deprecated Use p4.v1.CounterEntry.$Properties instead.
         */
        interface ICounterEntry extends p4.v1.CounterEntry.$Properties {
        }

        /** Represents a CounterEntry. */
        class CounterEntry {

            /**
             * Constructs a new CounterEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.CounterEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CounterEntry counterId. */
            counterId: number;

            /** CounterEntry index. */
            index?: (p4.v1.Index.$Properties|null);

            /** CounterEntry data. */
            data?: (p4.v1.CounterData.$Properties|null);

            /**
             * Creates a new CounterEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CounterEntry instance
             */
            static create(properties: p4.v1.CounterEntry.$Shape): p4.v1.CounterEntry & p4.v1.CounterEntry.$Shape;
            static create(properties?: p4.v1.CounterEntry.$Properties): p4.v1.CounterEntry;

            /**
             * Encodes the specified CounterEntry message. Does not implicitly {@link p4.v1.CounterEntry.verify|verify} messages.
             * @param message CounterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.CounterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified CounterEntry message, length delimited. Does not implicitly {@link p4.v1.CounterEntry.verify|verify} messages.
             * @param message CounterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.CounterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CounterEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.CounterEntry & p4.v1.CounterEntry.$Shape} CounterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.CounterEntry & p4.v1.CounterEntry.$Shape;

            /**
             * Decodes a CounterEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.CounterEntry & p4.v1.CounterEntry.$Shape} CounterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.CounterEntry & p4.v1.CounterEntry.$Shape;

            /**
             * Verifies a CounterEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a CounterEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns CounterEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.CounterEntry;

            /**
             * Creates a plain object from a CounterEntry message. Also converts values to other types if specified.
             * @param message CounterEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.CounterEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this CounterEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for CounterEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace CounterEntry {

            /** Properties of a CounterEntry. */
            interface $Properties {

                /** CounterEntry counterId */
                counterId?: (number|null);

                /** CounterEntry index */
                index?: (p4.v1.Index.$Properties|null);

                /** CounterEntry data */
                data?: (p4.v1.CounterData.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CounterEntry. */
            type $Shape = p4.v1.CounterEntry.$Properties;
        }

        /**
         * Properties of a DirectCounterEntry.
         * @deprecated Use p4.v1.DirectCounterEntry.$Properties instead.
         */
        interface IDirectCounterEntry extends p4.v1.DirectCounterEntry.$Properties {
        }

        /** Represents a DirectCounterEntry. */
        class DirectCounterEntry {

            /**
             * Constructs a new DirectCounterEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.DirectCounterEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DirectCounterEntry tableEntry. */
            tableEntry?: (p4.v1.TableEntry.$Properties|null);

            /** DirectCounterEntry data. */
            data?: (p4.v1.CounterData.$Properties|null);

            /**
             * Creates a new DirectCounterEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DirectCounterEntry instance
             */
            static create(properties: p4.v1.DirectCounterEntry.$Shape): p4.v1.DirectCounterEntry & p4.v1.DirectCounterEntry.$Shape;
            static create(properties?: p4.v1.DirectCounterEntry.$Properties): p4.v1.DirectCounterEntry;

            /**
             * Encodes the specified DirectCounterEntry message. Does not implicitly {@link p4.v1.DirectCounterEntry.verify|verify} messages.
             * @param message DirectCounterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.DirectCounterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified DirectCounterEntry message, length delimited. Does not implicitly {@link p4.v1.DirectCounterEntry.verify|verify} messages.
             * @param message DirectCounterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.DirectCounterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DirectCounterEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.DirectCounterEntry & p4.v1.DirectCounterEntry.$Shape} DirectCounterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DirectCounterEntry & p4.v1.DirectCounterEntry.$Shape;

            /**
             * Decodes a DirectCounterEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.DirectCounterEntry & p4.v1.DirectCounterEntry.$Shape} DirectCounterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DirectCounterEntry & p4.v1.DirectCounterEntry.$Shape;

            /**
             * Verifies a DirectCounterEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a DirectCounterEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns DirectCounterEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.DirectCounterEntry;

            /**
             * Creates a plain object from a DirectCounterEntry message. Also converts values to other types if specified.
             * @param message DirectCounterEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.DirectCounterEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this DirectCounterEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for DirectCounterEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DirectCounterEntry {

            /** Properties of a DirectCounterEntry. */
            interface $Properties {

                /** DirectCounterEntry tableEntry */
                tableEntry?: (p4.v1.TableEntry.$Properties|null);

                /** DirectCounterEntry data */
                data?: (p4.v1.CounterData.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DirectCounterEntry. */
            type $Shape = {
              tableEntry?: p4.v1.TableEntry.$Shape|null;
              data?: p4.v1.CounterData.$Shape|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a CounterData.
         * @deprecated Use p4.v1.CounterData.$Properties instead.
         */
        interface ICounterData extends p4.v1.CounterData.$Properties {
        }

        /** Represents a CounterData. */
        class CounterData {

            /**
             * Constructs a new CounterData.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.CounterData.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CounterData byteCount. */
            byteCount: (number|Long);

            /** CounterData packetCount. */
            packetCount: (number|Long);

            /**
             * Creates a new CounterData instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CounterData instance
             */
            static create(properties: p4.v1.CounterData.$Shape): p4.v1.CounterData & p4.v1.CounterData.$Shape;
            static create(properties?: p4.v1.CounterData.$Properties): p4.v1.CounterData;

            /**
             * Encodes the specified CounterData message. Does not implicitly {@link p4.v1.CounterData.verify|verify} messages.
             * @param message CounterData message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.CounterData.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified CounterData message, length delimited. Does not implicitly {@link p4.v1.CounterData.verify|verify} messages.
             * @param message CounterData message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.CounterData.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CounterData message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.CounterData & p4.v1.CounterData.$Shape} CounterData
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.CounterData & p4.v1.CounterData.$Shape;

            /**
             * Decodes a CounterData message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.CounterData & p4.v1.CounterData.$Shape} CounterData
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.CounterData & p4.v1.CounterData.$Shape;

            /**
             * Verifies a CounterData message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a CounterData message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns CounterData
             */
            static fromObject(object: { [k: string]: any }): p4.v1.CounterData;

            /**
             * Creates a plain object from a CounterData message. Also converts values to other types if specified.
             * @param message CounterData
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.CounterData, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this CounterData to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for CounterData
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace CounterData {

            /** Properties of a CounterData. */
            interface $Properties {

                /** CounterData byteCount */
                byteCount?: (number|Long|null);

                /** CounterData packetCount */
                packetCount?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CounterData. */
            type $Shape = p4.v1.CounterData.$Properties;
        }

        /**
         * Properties of a MeterCounterData.
         * @deprecated Use p4.v1.MeterCounterData.$Properties instead.
         */
        interface IMeterCounterData extends p4.v1.MeterCounterData.$Properties {
        }

        /** Represents a MeterCounterData. */
        class MeterCounterData {

            /**
             * Constructs a new MeterCounterData.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.MeterCounterData.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MeterCounterData green. */
            green?: (p4.v1.CounterData.$Properties|null);

            /** MeterCounterData yellow. */
            yellow?: (p4.v1.CounterData.$Properties|null);

            /** MeterCounterData red. */
            red?: (p4.v1.CounterData.$Properties|null);

            /**
             * Creates a new MeterCounterData instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MeterCounterData instance
             */
            static create(properties: p4.v1.MeterCounterData.$Shape): p4.v1.MeterCounterData & p4.v1.MeterCounterData.$Shape;
            static create(properties?: p4.v1.MeterCounterData.$Properties): p4.v1.MeterCounterData;

            /**
             * Encodes the specified MeterCounterData message. Does not implicitly {@link p4.v1.MeterCounterData.verify|verify} messages.
             * @param message MeterCounterData message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.MeterCounterData.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MeterCounterData message, length delimited. Does not implicitly {@link p4.v1.MeterCounterData.verify|verify} messages.
             * @param message MeterCounterData message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.MeterCounterData.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MeterCounterData message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.MeterCounterData & p4.v1.MeterCounterData.$Shape} MeterCounterData
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.MeterCounterData & p4.v1.MeterCounterData.$Shape;

            /**
             * Decodes a MeterCounterData message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.MeterCounterData & p4.v1.MeterCounterData.$Shape} MeterCounterData
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.MeterCounterData & p4.v1.MeterCounterData.$Shape;

            /**
             * Verifies a MeterCounterData message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a MeterCounterData message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns MeterCounterData
             */
            static fromObject(object: { [k: string]: any }): p4.v1.MeterCounterData;

            /**
             * Creates a plain object from a MeterCounterData message. Also converts values to other types if specified.
             * @param message MeterCounterData
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.MeterCounterData, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MeterCounterData to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for MeterCounterData
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace MeterCounterData {

            /** Properties of a MeterCounterData. */
            interface $Properties {

                /** MeterCounterData green */
                green?: (p4.v1.CounterData.$Properties|null);

                /** MeterCounterData yellow */
                yellow?: (p4.v1.CounterData.$Properties|null);

                /** MeterCounterData red */
                red?: (p4.v1.CounterData.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MeterCounterData. */
            type $Shape = p4.v1.MeterCounterData.$Properties;
        }

        /**
         * Properties of a PacketReplicationEngineEntry.
         * @deprecated Use p4.v1.PacketReplicationEngineEntry.$Properties instead.
         */
        interface IPacketReplicationEngineEntry extends p4.v1.PacketReplicationEngineEntry.$Properties {
        }

        /** Represents a PacketReplicationEngineEntry. */
        class PacketReplicationEngineEntry {

            /**
             * Constructs a new PacketReplicationEngineEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.PacketReplicationEngineEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketReplicationEngineEntry multicastGroupEntry. */
            multicastGroupEntry?: (p4.v1.MulticastGroupEntry.$Properties|null);

            /** PacketReplicationEngineEntry cloneSessionEntry. */
            cloneSessionEntry?: (p4.v1.CloneSessionEntry.$Properties|null);

            /** PacketReplicationEngineEntry type. */
            type?: ("multicastGroupEntry"|"cloneSessionEntry");

            /**
             * Creates a new PacketReplicationEngineEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketReplicationEngineEntry instance
             */
            static create(properties: p4.v1.PacketReplicationEngineEntry.$Shape): p4.v1.PacketReplicationEngineEntry & p4.v1.PacketReplicationEngineEntry.$Shape;
            static create(properties?: p4.v1.PacketReplicationEngineEntry.$Properties): p4.v1.PacketReplicationEngineEntry;

            /**
             * Encodes the specified PacketReplicationEngineEntry message. Does not implicitly {@link p4.v1.PacketReplicationEngineEntry.verify|verify} messages.
             * @param message PacketReplicationEngineEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.PacketReplicationEngineEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketReplicationEngineEntry message, length delimited. Does not implicitly {@link p4.v1.PacketReplicationEngineEntry.verify|verify} messages.
             * @param message PacketReplicationEngineEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.PacketReplicationEngineEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketReplicationEngineEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.PacketReplicationEngineEntry & p4.v1.PacketReplicationEngineEntry.$Shape} PacketReplicationEngineEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.PacketReplicationEngineEntry & p4.v1.PacketReplicationEngineEntry.$Shape;

            /**
             * Decodes a PacketReplicationEngineEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.PacketReplicationEngineEntry & p4.v1.PacketReplicationEngineEntry.$Shape} PacketReplicationEngineEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.PacketReplicationEngineEntry & p4.v1.PacketReplicationEngineEntry.$Shape;

            /**
             * Verifies a PacketReplicationEngineEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketReplicationEngineEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketReplicationEngineEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.PacketReplicationEngineEntry;

            /**
             * Creates a plain object from a PacketReplicationEngineEntry message. Also converts values to other types if specified.
             * @param message PacketReplicationEngineEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.PacketReplicationEngineEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketReplicationEngineEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketReplicationEngineEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketReplicationEngineEntry {

            /** Properties of a PacketReplicationEngineEntry. */
            interface $Properties {

                /** PacketReplicationEngineEntry multicastGroupEntry */
                multicastGroupEntry?: (p4.v1.MulticastGroupEntry.$Properties|null);

                /** PacketReplicationEngineEntry cloneSessionEntry */
                cloneSessionEntry?: (p4.v1.CloneSessionEntry.$Properties|null);

                /** PacketReplicationEngineEntry type */
                type?: ("multicastGroupEntry"|"cloneSessionEntry");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a PacketReplicationEngineEntry. */
            type $Shape = {
              multicastGroupEntry?: p4.v1.MulticastGroupEntry.$Shape|null;
              cloneSessionEntry?: p4.v1.CloneSessionEntry.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ type?: undefined; multicastGroupEntry?: null; cloneSessionEntry?: null }|{ type?: "multicastGroupEntry"; multicastGroupEntry: p4.v1.MulticastGroupEntry.$Shape; cloneSessionEntry?: null }|{ type?: "cloneSessionEntry"; multicastGroupEntry?: null; cloneSessionEntry: p4.v1.CloneSessionEntry.$Shape })
            );
        }

        /**
         * Properties of a BackupReplica.
         * @deprecated Use p4.v1.BackupReplica.$Properties instead.
         */
        interface IBackupReplica extends p4.v1.BackupReplica.$Properties {
        }

        /** Represents a BackupReplica. */
        class BackupReplica {

            /**
             * Constructs a new BackupReplica.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.BackupReplica.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** BackupReplica port. */
            port: Uint8Array;

            /** BackupReplica instance. */
            instance: number;

            /**
             * Creates a new BackupReplica instance using the specified properties.
             * @param [properties] Properties to set
             * @returns BackupReplica instance
             */
            static create(properties: p4.v1.BackupReplica.$Shape): p4.v1.BackupReplica & p4.v1.BackupReplica.$Shape;
            static create(properties?: p4.v1.BackupReplica.$Properties): p4.v1.BackupReplica;

            /**
             * Encodes the specified BackupReplica message. Does not implicitly {@link p4.v1.BackupReplica.verify|verify} messages.
             * @param message BackupReplica message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.BackupReplica.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified BackupReplica message, length delimited. Does not implicitly {@link p4.v1.BackupReplica.verify|verify} messages.
             * @param message BackupReplica message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.BackupReplica.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a BackupReplica message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.BackupReplica & p4.v1.BackupReplica.$Shape} BackupReplica
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.BackupReplica & p4.v1.BackupReplica.$Shape;

            /**
             * Decodes a BackupReplica message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.BackupReplica & p4.v1.BackupReplica.$Shape} BackupReplica
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.BackupReplica & p4.v1.BackupReplica.$Shape;

            /**
             * Verifies a BackupReplica message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a BackupReplica message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns BackupReplica
             */
            static fromObject(object: { [k: string]: any }): p4.v1.BackupReplica;

            /**
             * Creates a plain object from a BackupReplica message. Also converts values to other types if specified.
             * @param message BackupReplica
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.BackupReplica, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this BackupReplica to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for BackupReplica
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace BackupReplica {

            /** Properties of a BackupReplica. */
            interface $Properties {

                /** BackupReplica port */
                port?: (Uint8Array|null);

                /** BackupReplica instance */
                instance?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a BackupReplica. */
            type $Shape = p4.v1.BackupReplica.$Properties;
        }

        /**
         * Properties of a Replica.
         * @deprecated Use p4.v1.Replica.$Properties instead.
         */
        interface IReplica extends p4.v1.Replica.$Properties {
        }

        /** Represents a Replica. */
        class Replica {

            /**
             * Constructs a new Replica.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Replica.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Replica egressPort. */
            egressPort?: (number|null);

            /** Replica port. */
            port?: (Uint8Array|null);

            /** Replica instance. */
            instance: number;

            /** Replica backupReplicas. */
            backupReplicas: p4.v1.BackupReplica.$Properties[];

            /** Replica portKind. */
            portKind?: ("egressPort"|"port");

            /**
             * Creates a new Replica instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Replica instance
             */
            static create(properties: p4.v1.Replica.$Shape): p4.v1.Replica & p4.v1.Replica.$Shape;
            static create(properties?: p4.v1.Replica.$Properties): p4.v1.Replica;

            /**
             * Encodes the specified Replica message. Does not implicitly {@link p4.v1.Replica.verify|verify} messages.
             * @param message Replica message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Replica.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Replica message, length delimited. Does not implicitly {@link p4.v1.Replica.verify|verify} messages.
             * @param message Replica message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Replica.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Replica message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Replica & p4.v1.Replica.$Shape} Replica
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Replica & p4.v1.Replica.$Shape;

            /**
             * Decodes a Replica message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Replica & p4.v1.Replica.$Shape} Replica
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Replica & p4.v1.Replica.$Shape;

            /**
             * Verifies a Replica message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Replica message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Replica
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Replica;

            /**
             * Creates a plain object from a Replica message. Also converts values to other types if specified.
             * @param message Replica
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Replica, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Replica to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Replica
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Replica {

            /** Properties of a Replica. */
            interface $Properties {

                /** Replica egressPort */
                egressPort?: (number|null);

                /** Replica port */
                port?: (Uint8Array|null);

                /** Replica instance */
                instance?: (number|null);

                /** Replica backupReplicas */
                backupReplicas?: (p4.v1.BackupReplica.$Properties[]|null);

                /** Replica portKind */
                portKind?: ("egressPort"|"port");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a Replica. */
            type $Shape = {
              egressPort?: number|null;
              port?: Uint8Array|null;
              instance?: number|null;
              backupReplicas?: p4.v1.BackupReplica.$Shape[]|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ portKind?: undefined; egressPort?: null; port?: null }|{ portKind?: "egressPort"; egressPort: number; port?: null }|{ portKind?: "port"; egressPort?: null; port: Uint8Array })
            );
        }

        /**
         * Properties of a MulticastGroupEntry.
         * @deprecated Use p4.v1.MulticastGroupEntry.$Properties instead.
         */
        interface IMulticastGroupEntry extends p4.v1.MulticastGroupEntry.$Properties {
        }

        /** Represents a MulticastGroupEntry. */
        class MulticastGroupEntry {

            /**
             * Constructs a new MulticastGroupEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.MulticastGroupEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MulticastGroupEntry multicastGroupId. */
            multicastGroupId: number;

            /** MulticastGroupEntry replicas. */
            replicas: p4.v1.Replica.$Properties[];

            /** MulticastGroupEntry metadata. */
            metadata: Uint8Array;

            /**
             * Creates a new MulticastGroupEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MulticastGroupEntry instance
             */
            static create(properties: p4.v1.MulticastGroupEntry.$Shape): p4.v1.MulticastGroupEntry & p4.v1.MulticastGroupEntry.$Shape;
            static create(properties?: p4.v1.MulticastGroupEntry.$Properties): p4.v1.MulticastGroupEntry;

            /**
             * Encodes the specified MulticastGroupEntry message. Does not implicitly {@link p4.v1.MulticastGroupEntry.verify|verify} messages.
             * @param message MulticastGroupEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.MulticastGroupEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MulticastGroupEntry message, length delimited. Does not implicitly {@link p4.v1.MulticastGroupEntry.verify|verify} messages.
             * @param message MulticastGroupEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.MulticastGroupEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MulticastGroupEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.MulticastGroupEntry & p4.v1.MulticastGroupEntry.$Shape} MulticastGroupEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.MulticastGroupEntry & p4.v1.MulticastGroupEntry.$Shape;

            /**
             * Decodes a MulticastGroupEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.MulticastGroupEntry & p4.v1.MulticastGroupEntry.$Shape} MulticastGroupEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.MulticastGroupEntry & p4.v1.MulticastGroupEntry.$Shape;

            /**
             * Verifies a MulticastGroupEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a MulticastGroupEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns MulticastGroupEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.MulticastGroupEntry;

            /**
             * Creates a plain object from a MulticastGroupEntry message. Also converts values to other types if specified.
             * @param message MulticastGroupEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.MulticastGroupEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MulticastGroupEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for MulticastGroupEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace MulticastGroupEntry {

            /** Properties of a MulticastGroupEntry. */
            interface $Properties {

                /** MulticastGroupEntry multicastGroupId */
                multicastGroupId?: (number|null);

                /** MulticastGroupEntry replicas */
                replicas?: (p4.v1.Replica.$Properties[]|null);

                /** MulticastGroupEntry metadata */
                metadata?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MulticastGroupEntry. */
            type $Shape = {
              multicastGroupId?: number|null;
              replicas?: p4.v1.Replica.$Shape[]|null;
              metadata?: Uint8Array|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a CloneSessionEntry.
         * @deprecated Use p4.v1.CloneSessionEntry.$Properties instead.
         */
        interface ICloneSessionEntry extends p4.v1.CloneSessionEntry.$Properties {
        }

        /** Represents a CloneSessionEntry. */
        class CloneSessionEntry {

            /**
             * Constructs a new CloneSessionEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.CloneSessionEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CloneSessionEntry sessionId. */
            sessionId: number;

            /** CloneSessionEntry replicas. */
            replicas: p4.v1.Replica.$Properties[];

            /** CloneSessionEntry classOfService. */
            classOfService: number;

            /** CloneSessionEntry packetLengthBytes. */
            packetLengthBytes: number;

            /**
             * Creates a new CloneSessionEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CloneSessionEntry instance
             */
            static create(properties: p4.v1.CloneSessionEntry.$Shape): p4.v1.CloneSessionEntry & p4.v1.CloneSessionEntry.$Shape;
            static create(properties?: p4.v1.CloneSessionEntry.$Properties): p4.v1.CloneSessionEntry;

            /**
             * Encodes the specified CloneSessionEntry message. Does not implicitly {@link p4.v1.CloneSessionEntry.verify|verify} messages.
             * @param message CloneSessionEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.CloneSessionEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified CloneSessionEntry message, length delimited. Does not implicitly {@link p4.v1.CloneSessionEntry.verify|verify} messages.
             * @param message CloneSessionEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.CloneSessionEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CloneSessionEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.CloneSessionEntry & p4.v1.CloneSessionEntry.$Shape} CloneSessionEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.CloneSessionEntry & p4.v1.CloneSessionEntry.$Shape;

            /**
             * Decodes a CloneSessionEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.CloneSessionEntry & p4.v1.CloneSessionEntry.$Shape} CloneSessionEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.CloneSessionEntry & p4.v1.CloneSessionEntry.$Shape;

            /**
             * Verifies a CloneSessionEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a CloneSessionEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns CloneSessionEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.CloneSessionEntry;

            /**
             * Creates a plain object from a CloneSessionEntry message. Also converts values to other types if specified.
             * @param message CloneSessionEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.CloneSessionEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this CloneSessionEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for CloneSessionEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace CloneSessionEntry {

            /** Properties of a CloneSessionEntry. */
            interface $Properties {

                /** CloneSessionEntry sessionId */
                sessionId?: (number|null);

                /** CloneSessionEntry replicas */
                replicas?: (p4.v1.Replica.$Properties[]|null);

                /** CloneSessionEntry classOfService */
                classOfService?: (number|null);

                /** CloneSessionEntry packetLengthBytes */
                packetLengthBytes?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CloneSessionEntry. */
            type $Shape = {
              sessionId?: number|null;
              replicas?: p4.v1.Replica.$Shape[]|null;
              classOfService?: number|null;
              packetLengthBytes?: number|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a ValueSetMember.
         * @deprecated Use p4.v1.ValueSetMember.$Properties instead.
         */
        interface IValueSetMember extends p4.v1.ValueSetMember.$Properties {
        }

        /** Represents a ValueSetMember. */
        class ValueSetMember {

            /**
             * Constructs a new ValueSetMember.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ValueSetMember.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ValueSetMember match. */
            match: p4.v1.FieldMatch.$Properties[];

            /**
             * Creates a new ValueSetMember instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ValueSetMember instance
             */
            static create(properties: p4.v1.ValueSetMember.$Shape): p4.v1.ValueSetMember & p4.v1.ValueSetMember.$Shape;
            static create(properties?: p4.v1.ValueSetMember.$Properties): p4.v1.ValueSetMember;

            /**
             * Encodes the specified ValueSetMember message. Does not implicitly {@link p4.v1.ValueSetMember.verify|verify} messages.
             * @param message ValueSetMember message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ValueSetMember.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ValueSetMember message, length delimited. Does not implicitly {@link p4.v1.ValueSetMember.verify|verify} messages.
             * @param message ValueSetMember message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ValueSetMember.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ValueSetMember message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ValueSetMember & p4.v1.ValueSetMember.$Shape} ValueSetMember
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ValueSetMember & p4.v1.ValueSetMember.$Shape;

            /**
             * Decodes a ValueSetMember message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ValueSetMember & p4.v1.ValueSetMember.$Shape} ValueSetMember
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ValueSetMember & p4.v1.ValueSetMember.$Shape;

            /**
             * Verifies a ValueSetMember message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a ValueSetMember message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ValueSetMember
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ValueSetMember;

            /**
             * Creates a plain object from a ValueSetMember message. Also converts values to other types if specified.
             * @param message ValueSetMember
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ValueSetMember, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ValueSetMember to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ValueSetMember
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ValueSetMember {

            /** Properties of a ValueSetMember. */
            interface $Properties {

                /** ValueSetMember match */
                match?: (p4.v1.FieldMatch.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ValueSetMember. */
            type $Shape = {
              match?: p4.v1.FieldMatch.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a ValueSetEntry.
         * @deprecated Use p4.v1.ValueSetEntry.$Properties instead.
         */
        interface IValueSetEntry extends p4.v1.ValueSetEntry.$Properties {
        }

        /** Represents a ValueSetEntry. */
        class ValueSetEntry {

            /**
             * Constructs a new ValueSetEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ValueSetEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ValueSetEntry valueSetId. */
            valueSetId: number;

            /** ValueSetEntry members. */
            members: p4.v1.ValueSetMember.$Properties[];

            /**
             * Creates a new ValueSetEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ValueSetEntry instance
             */
            static create(properties: p4.v1.ValueSetEntry.$Shape): p4.v1.ValueSetEntry & p4.v1.ValueSetEntry.$Shape;
            static create(properties?: p4.v1.ValueSetEntry.$Properties): p4.v1.ValueSetEntry;

            /**
             * Encodes the specified ValueSetEntry message. Does not implicitly {@link p4.v1.ValueSetEntry.verify|verify} messages.
             * @param message ValueSetEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ValueSetEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ValueSetEntry message, length delimited. Does not implicitly {@link p4.v1.ValueSetEntry.verify|verify} messages.
             * @param message ValueSetEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ValueSetEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ValueSetEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ValueSetEntry & p4.v1.ValueSetEntry.$Shape} ValueSetEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ValueSetEntry & p4.v1.ValueSetEntry.$Shape;

            /**
             * Decodes a ValueSetEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ValueSetEntry & p4.v1.ValueSetEntry.$Shape} ValueSetEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ValueSetEntry & p4.v1.ValueSetEntry.$Shape;

            /**
             * Verifies a ValueSetEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a ValueSetEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ValueSetEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ValueSetEntry;

            /**
             * Creates a plain object from a ValueSetEntry message. Also converts values to other types if specified.
             * @param message ValueSetEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ValueSetEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ValueSetEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ValueSetEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ValueSetEntry {

            /** Properties of a ValueSetEntry. */
            interface $Properties {

                /** ValueSetEntry valueSetId */
                valueSetId?: (number|null);

                /** ValueSetEntry members */
                members?: (p4.v1.ValueSetMember.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ValueSetEntry. */
            type $Shape = {
              valueSetId?: number|null;
              members?: p4.v1.ValueSetMember.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a RegisterEntry.
         * @deprecated Use p4.v1.RegisterEntry.$Properties instead.
         */
        interface IRegisterEntry extends p4.v1.RegisterEntry.$Properties {
        }

        /** Represents a RegisterEntry. */
        class RegisterEntry {

            /**
             * Constructs a new RegisterEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.RegisterEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** RegisterEntry registerId. */
            registerId: number;

            /** RegisterEntry index. */
            index?: (p4.v1.Index.$Properties|null);

            /** RegisterEntry data. */
            data?: (p4.v1.P4Data.$Properties|null);

            /**
             * Creates a new RegisterEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns RegisterEntry instance
             */
            static create(properties: p4.v1.RegisterEntry.$Shape): p4.v1.RegisterEntry & p4.v1.RegisterEntry.$Shape;
            static create(properties?: p4.v1.RegisterEntry.$Properties): p4.v1.RegisterEntry;

            /**
             * Encodes the specified RegisterEntry message. Does not implicitly {@link p4.v1.RegisterEntry.verify|verify} messages.
             * @param message RegisterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.RegisterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified RegisterEntry message, length delimited. Does not implicitly {@link p4.v1.RegisterEntry.verify|verify} messages.
             * @param message RegisterEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.RegisterEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a RegisterEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.RegisterEntry & p4.v1.RegisterEntry.$Shape} RegisterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.RegisterEntry & p4.v1.RegisterEntry.$Shape;

            /**
             * Decodes a RegisterEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.RegisterEntry & p4.v1.RegisterEntry.$Shape} RegisterEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.RegisterEntry & p4.v1.RegisterEntry.$Shape;

            /**
             * Verifies a RegisterEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a RegisterEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns RegisterEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.RegisterEntry;

            /**
             * Creates a plain object from a RegisterEntry message. Also converts values to other types if specified.
             * @param message RegisterEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.RegisterEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this RegisterEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for RegisterEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace RegisterEntry {

            /** Properties of a RegisterEntry. */
            interface $Properties {

                /** RegisterEntry registerId */
                registerId?: (number|null);

                /** RegisterEntry index */
                index?: (p4.v1.Index.$Properties|null);

                /** RegisterEntry data */
                data?: (p4.v1.P4Data.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a RegisterEntry. */
            type $Shape = {
              registerId?: number|null;
              index?: p4.v1.Index.$Shape|null;
              data?: p4.v1.P4Data.$Shape|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a DigestEntry.
         * @deprecated Use p4.v1.DigestEntry.$Properties instead.
         */
        interface IDigestEntry extends p4.v1.DigestEntry.$Properties {
        }

        /** Represents a DigestEntry. */
        class DigestEntry {

            /**
             * Constructs a new DigestEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.DigestEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DigestEntry digestId. */
            digestId: number;

            /** DigestEntry config. */
            config?: (p4.v1.DigestEntry.Config.$Properties|null);

            /**
             * Creates a new DigestEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DigestEntry instance
             */
            static create(properties: p4.v1.DigestEntry.$Shape): p4.v1.DigestEntry & p4.v1.DigestEntry.$Shape;
            static create(properties?: p4.v1.DigestEntry.$Properties): p4.v1.DigestEntry;

            /**
             * Encodes the specified DigestEntry message. Does not implicitly {@link p4.v1.DigestEntry.verify|verify} messages.
             * @param message DigestEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.DigestEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified DigestEntry message, length delimited. Does not implicitly {@link p4.v1.DigestEntry.verify|verify} messages.
             * @param message DigestEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.DigestEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DigestEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.DigestEntry & p4.v1.DigestEntry.$Shape} DigestEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DigestEntry & p4.v1.DigestEntry.$Shape;

            /**
             * Decodes a DigestEntry message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.DigestEntry & p4.v1.DigestEntry.$Shape} DigestEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DigestEntry & p4.v1.DigestEntry.$Shape;

            /**
             * Verifies a DigestEntry message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a DigestEntry message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns DigestEntry
             */
            static fromObject(object: { [k: string]: any }): p4.v1.DigestEntry;

            /**
             * Creates a plain object from a DigestEntry message. Also converts values to other types if specified.
             * @param message DigestEntry
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.DigestEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this DigestEntry to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for DigestEntry
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DigestEntry {

            /** Properties of a DigestEntry. */
            interface $Properties {

                /** DigestEntry digestId */
                digestId?: (number|null);

                /** DigestEntry config */
                config?: (p4.v1.DigestEntry.Config.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DigestEntry. */
            type $Shape = p4.v1.DigestEntry.$Properties;

            /**
             * Properties of a Config.
             * @deprecated Use p4.v1.DigestEntry.Config.$Properties instead.
             */
            interface IConfig extends p4.v1.DigestEntry.Config.$Properties {
            }

            /** Represents a Config. */
            class Config {

                /**
                 * Constructs a new Config.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.DigestEntry.Config.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Config maxTimeoutNs. */
                maxTimeoutNs: (number|Long);

                /** Config maxListSize. */
                maxListSize: number;

                /** Config ackTimeoutNs. */
                ackTimeoutNs: (number|Long);

                /**
                 * Creates a new Config instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Config instance
                 */
                static create(properties: p4.v1.DigestEntry.Config.$Shape): p4.v1.DigestEntry.Config & p4.v1.DigestEntry.Config.$Shape;
                static create(properties?: p4.v1.DigestEntry.Config.$Properties): p4.v1.DigestEntry.Config;

                /**
                 * Encodes the specified Config message. Does not implicitly {@link p4.v1.DigestEntry.Config.verify|verify} messages.
                 * @param message Config message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.DigestEntry.Config.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Config message, length delimited. Does not implicitly {@link p4.v1.DigestEntry.Config.verify|verify} messages.
                 * @param message Config message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.DigestEntry.Config.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Config message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.DigestEntry.Config & p4.v1.DigestEntry.Config.$Shape} Config
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DigestEntry.Config & p4.v1.DigestEntry.Config.$Shape;

                /**
                 * Decodes a Config message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.DigestEntry.Config & p4.v1.DigestEntry.Config.$Shape} Config
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DigestEntry.Config & p4.v1.DigestEntry.Config.$Shape;

                /**
                 * Verifies a Config message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Config message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Config
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.DigestEntry.Config;

                /**
                 * Creates a plain object from a Config message. Also converts values to other types if specified.
                 * @param message Config
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.DigestEntry.Config, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Config to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Config
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Config {

                /** Properties of a Config. */
                interface $Properties {

                    /** Config maxTimeoutNs */
                    maxTimeoutNs?: (number|Long|null);

                    /** Config maxListSize */
                    maxListSize?: (number|null);

                    /** Config ackTimeoutNs */
                    ackTimeoutNs?: (number|Long|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Config. */
                type $Shape = p4.v1.DigestEntry.Config.$Properties;
            }
        }

        /**
         * Properties of a StreamMessageRequest.
         * @deprecated Use p4.v1.StreamMessageRequest.$Properties instead.
         */
        interface IStreamMessageRequest extends p4.v1.StreamMessageRequest.$Properties {
        }

        /** Represents a StreamMessageRequest. */
        class StreamMessageRequest {

            /**
             * Constructs a new StreamMessageRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.StreamMessageRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamMessageRequest arbitration. */
            arbitration?: (p4.v1.MasterArbitrationUpdate.$Properties|null);

            /** StreamMessageRequest packet. */
            packet?: (p4.v1.PacketOut.$Properties|null);

            /** StreamMessageRequest digestAck. */
            digestAck?: (p4.v1.DigestListAck.$Properties|null);

            /** StreamMessageRequest other. */
            other?: (google.protobuf.Any.$Properties|null);

            /** StreamMessageRequest update. */
            update?: ("arbitration"|"packet"|"digestAck"|"other");

            /**
             * Creates a new StreamMessageRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamMessageRequest instance
             */
            static create(properties: p4.v1.StreamMessageRequest.$Shape): p4.v1.StreamMessageRequest & p4.v1.StreamMessageRequest.$Shape;
            static create(properties?: p4.v1.StreamMessageRequest.$Properties): p4.v1.StreamMessageRequest;

            /**
             * Encodes the specified StreamMessageRequest message. Does not implicitly {@link p4.v1.StreamMessageRequest.verify|verify} messages.
             * @param message StreamMessageRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.StreamMessageRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified StreamMessageRequest message, length delimited. Does not implicitly {@link p4.v1.StreamMessageRequest.verify|verify} messages.
             * @param message StreamMessageRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.StreamMessageRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamMessageRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.StreamMessageRequest & p4.v1.StreamMessageRequest.$Shape} StreamMessageRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.StreamMessageRequest & p4.v1.StreamMessageRequest.$Shape;

            /**
             * Decodes a StreamMessageRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.StreamMessageRequest & p4.v1.StreamMessageRequest.$Shape} StreamMessageRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.StreamMessageRequest & p4.v1.StreamMessageRequest.$Shape;

            /**
             * Verifies a StreamMessageRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a StreamMessageRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns StreamMessageRequest
             */
            static fromObject(object: { [k: string]: any }): p4.v1.StreamMessageRequest;

            /**
             * Creates a plain object from a StreamMessageRequest message. Also converts values to other types if specified.
             * @param message StreamMessageRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.StreamMessageRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this StreamMessageRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for StreamMessageRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace StreamMessageRequest {

            /** Properties of a StreamMessageRequest. */
            interface $Properties {

                /** StreamMessageRequest arbitration */
                arbitration?: (p4.v1.MasterArbitrationUpdate.$Properties|null);

                /** StreamMessageRequest packet */
                packet?: (p4.v1.PacketOut.$Properties|null);

                /** StreamMessageRequest digestAck */
                digestAck?: (p4.v1.DigestListAck.$Properties|null);

                /** StreamMessageRequest other */
                other?: (google.protobuf.Any.$Properties|null);

                /** StreamMessageRequest update */
                update?: ("arbitration"|"packet"|"digestAck"|"other");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a StreamMessageRequest. */
            type $Shape = {
              arbitration?: p4.v1.MasterArbitrationUpdate.$Shape|null;
              packet?: p4.v1.PacketOut.$Shape|null;
              digestAck?: p4.v1.DigestListAck.$Shape|null;
              other?: google.protobuf.Any.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ update?: undefined; arbitration?: null; packet?: null; digestAck?: null; other?: null }|{ update?: "arbitration"; arbitration: p4.v1.MasterArbitrationUpdate.$Shape; packet?: null; digestAck?: null; other?: null }|{ update?: "packet"; arbitration?: null; packet: p4.v1.PacketOut.$Shape; digestAck?: null; other?: null }|{ update?: "digestAck"; arbitration?: null; packet?: null; digestAck: p4.v1.DigestListAck.$Shape; other?: null }|{ update?: "other"; arbitration?: null; packet?: null; digestAck?: null; other: google.protobuf.Any.$Shape })
            );
        }

        /**
         * Properties of a PacketOut.
         * @deprecated Use p4.v1.PacketOut.$Properties instead.
         */
        interface IPacketOut extends p4.v1.PacketOut.$Properties {
        }

        /** Represents a PacketOut. */
        class PacketOut {

            /**
             * Constructs a new PacketOut.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.PacketOut.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketOut payload. */
            payload: Uint8Array;

            /** PacketOut metadata. */
            metadata: p4.v1.PacketMetadata.$Properties[];

            /**
             * Creates a new PacketOut instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketOut instance
             */
            static create(properties: p4.v1.PacketOut.$Shape): p4.v1.PacketOut & p4.v1.PacketOut.$Shape;
            static create(properties?: p4.v1.PacketOut.$Properties): p4.v1.PacketOut;

            /**
             * Encodes the specified PacketOut message. Does not implicitly {@link p4.v1.PacketOut.verify|verify} messages.
             * @param message PacketOut message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.PacketOut.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketOut message, length delimited. Does not implicitly {@link p4.v1.PacketOut.verify|verify} messages.
             * @param message PacketOut message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.PacketOut.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketOut message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.PacketOut & p4.v1.PacketOut.$Shape} PacketOut
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.PacketOut & p4.v1.PacketOut.$Shape;

            /**
             * Decodes a PacketOut message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.PacketOut & p4.v1.PacketOut.$Shape} PacketOut
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.PacketOut & p4.v1.PacketOut.$Shape;

            /**
             * Verifies a PacketOut message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketOut message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketOut
             */
            static fromObject(object: { [k: string]: any }): p4.v1.PacketOut;

            /**
             * Creates a plain object from a PacketOut message. Also converts values to other types if specified.
             * @param message PacketOut
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.PacketOut, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketOut to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketOut
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketOut {

            /** Properties of a PacketOut. */
            interface $Properties {

                /** PacketOut payload */
                payload?: (Uint8Array|null);

                /** PacketOut metadata */
                metadata?: (p4.v1.PacketMetadata.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PacketOut. */
            type $Shape = p4.v1.PacketOut.$Properties;
        }

        /**
         * Properties of a DigestListAck.
         * @deprecated Use p4.v1.DigestListAck.$Properties instead.
         */
        interface IDigestListAck extends p4.v1.DigestListAck.$Properties {
        }

        /** Represents a DigestListAck. */
        class DigestListAck {

            /**
             * Constructs a new DigestListAck.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.DigestListAck.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DigestListAck digestId. */
            digestId: number;

            /** DigestListAck listId. */
            listId: (number|Long);

            /**
             * Creates a new DigestListAck instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DigestListAck instance
             */
            static create(properties: p4.v1.DigestListAck.$Shape): p4.v1.DigestListAck & p4.v1.DigestListAck.$Shape;
            static create(properties?: p4.v1.DigestListAck.$Properties): p4.v1.DigestListAck;

            /**
             * Encodes the specified DigestListAck message. Does not implicitly {@link p4.v1.DigestListAck.verify|verify} messages.
             * @param message DigestListAck message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.DigestListAck.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified DigestListAck message, length delimited. Does not implicitly {@link p4.v1.DigestListAck.verify|verify} messages.
             * @param message DigestListAck message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.DigestListAck.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DigestListAck message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.DigestListAck & p4.v1.DigestListAck.$Shape} DigestListAck
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DigestListAck & p4.v1.DigestListAck.$Shape;

            /**
             * Decodes a DigestListAck message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.DigestListAck & p4.v1.DigestListAck.$Shape} DigestListAck
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DigestListAck & p4.v1.DigestListAck.$Shape;

            /**
             * Verifies a DigestListAck message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a DigestListAck message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns DigestListAck
             */
            static fromObject(object: { [k: string]: any }): p4.v1.DigestListAck;

            /**
             * Creates a plain object from a DigestListAck message. Also converts values to other types if specified.
             * @param message DigestListAck
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.DigestListAck, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this DigestListAck to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for DigestListAck
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DigestListAck {

            /** Properties of a DigestListAck. */
            interface $Properties {

                /** DigestListAck digestId */
                digestId?: (number|null);

                /** DigestListAck listId */
                listId?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DigestListAck. */
            type $Shape = p4.v1.DigestListAck.$Properties;
        }

        /**
         * Properties of a StreamMessageResponse.
         * @deprecated Use p4.v1.StreamMessageResponse.$Properties instead.
         */
        interface IStreamMessageResponse extends p4.v1.StreamMessageResponse.$Properties {
        }

        /** Represents a StreamMessageResponse. */
        class StreamMessageResponse {

            /**
             * Constructs a new StreamMessageResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.StreamMessageResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamMessageResponse arbitration. */
            arbitration?: (p4.v1.MasterArbitrationUpdate.$Properties|null);

            /** StreamMessageResponse packet. */
            packet?: (p4.v1.PacketIn.$Properties|null);

            /** StreamMessageResponse digest. */
            digest?: (p4.v1.DigestList.$Properties|null);

            /** StreamMessageResponse idleTimeoutNotification. */
            idleTimeoutNotification?: (p4.v1.IdleTimeoutNotification.$Properties|null);

            /** StreamMessageResponse other. */
            other?: (google.protobuf.Any.$Properties|null);

            /** StreamMessageResponse error. */
            error?: (p4.v1.StreamError.$Properties|null);

            /** StreamMessageResponse update. */
            update?: ("arbitration"|"packet"|"digest"|"idleTimeoutNotification"|"other"|"error");

            /**
             * Creates a new StreamMessageResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamMessageResponse instance
             */
            static create(properties: p4.v1.StreamMessageResponse.$Shape): p4.v1.StreamMessageResponse & p4.v1.StreamMessageResponse.$Shape;
            static create(properties?: p4.v1.StreamMessageResponse.$Properties): p4.v1.StreamMessageResponse;

            /**
             * Encodes the specified StreamMessageResponse message. Does not implicitly {@link p4.v1.StreamMessageResponse.verify|verify} messages.
             * @param message StreamMessageResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.StreamMessageResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified StreamMessageResponse message, length delimited. Does not implicitly {@link p4.v1.StreamMessageResponse.verify|verify} messages.
             * @param message StreamMessageResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.StreamMessageResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamMessageResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.StreamMessageResponse & p4.v1.StreamMessageResponse.$Shape} StreamMessageResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.StreamMessageResponse & p4.v1.StreamMessageResponse.$Shape;

            /**
             * Decodes a StreamMessageResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.StreamMessageResponse & p4.v1.StreamMessageResponse.$Shape} StreamMessageResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.StreamMessageResponse & p4.v1.StreamMessageResponse.$Shape;

            /**
             * Verifies a StreamMessageResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a StreamMessageResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns StreamMessageResponse
             */
            static fromObject(object: { [k: string]: any }): p4.v1.StreamMessageResponse;

            /**
             * Creates a plain object from a StreamMessageResponse message. Also converts values to other types if specified.
             * @param message StreamMessageResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.StreamMessageResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this StreamMessageResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for StreamMessageResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace StreamMessageResponse {

            /** Properties of a StreamMessageResponse. */
            interface $Properties {

                /** StreamMessageResponse arbitration */
                arbitration?: (p4.v1.MasterArbitrationUpdate.$Properties|null);

                /** StreamMessageResponse packet */
                packet?: (p4.v1.PacketIn.$Properties|null);

                /** StreamMessageResponse digest */
                digest?: (p4.v1.DigestList.$Properties|null);

                /** StreamMessageResponse idleTimeoutNotification */
                idleTimeoutNotification?: (p4.v1.IdleTimeoutNotification.$Properties|null);

                /** StreamMessageResponse other */
                other?: (google.protobuf.Any.$Properties|null);

                /** StreamMessageResponse error */
                error?: (p4.v1.StreamError.$Properties|null);

                /** StreamMessageResponse update */
                update?: ("arbitration"|"packet"|"digest"|"idleTimeoutNotification"|"other"|"error");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a StreamMessageResponse. */
            type $Shape = {
              arbitration?: p4.v1.MasterArbitrationUpdate.$Shape|null;
              packet?: p4.v1.PacketIn.$Shape|null;
              digest?: p4.v1.DigestList.$Shape|null;
              idleTimeoutNotification?: p4.v1.IdleTimeoutNotification.$Shape|null;
              other?: google.protobuf.Any.$Shape|null;
              error?: p4.v1.StreamError.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ update?: undefined; arbitration?: null; packet?: null; digest?: null; idleTimeoutNotification?: null; other?: null; error?: null }|{ update?: "arbitration"; arbitration: p4.v1.MasterArbitrationUpdate.$Shape; packet?: null; digest?: null; idleTimeoutNotification?: null; other?: null; error?: null }|{ update?: "packet"; arbitration?: null; packet: p4.v1.PacketIn.$Shape; digest?: null; idleTimeoutNotification?: null; other?: null; error?: null }|{ update?: "digest"; arbitration?: null; packet?: null; digest: p4.v1.DigestList.$Shape; idleTimeoutNotification?: null; other?: null; error?: null }|{ update?: "idleTimeoutNotification"; arbitration?: null; packet?: null; digest?: null; idleTimeoutNotification: p4.v1.IdleTimeoutNotification.$Shape; other?: null; error?: null }|{ update?: "other"; arbitration?: null; packet?: null; digest?: null; idleTimeoutNotification?: null; other: google.protobuf.Any.$Shape; error?: null }|{ update?: "error"; arbitration?: null; packet?: null; digest?: null; idleTimeoutNotification?: null; other?: null; error: p4.v1.StreamError.$Shape })
            );
        }

        /**
         * Properties of a PacketIn.
         * @deprecated Use p4.v1.PacketIn.$Properties instead.
         */
        interface IPacketIn extends p4.v1.PacketIn.$Properties {
        }

        /** Represents a PacketIn. */
        class PacketIn {

            /**
             * Constructs a new PacketIn.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.PacketIn.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketIn payload. */
            payload: Uint8Array;

            /** PacketIn metadata. */
            metadata: p4.v1.PacketMetadata.$Properties[];

            /**
             * Creates a new PacketIn instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketIn instance
             */
            static create(properties: p4.v1.PacketIn.$Shape): p4.v1.PacketIn & p4.v1.PacketIn.$Shape;
            static create(properties?: p4.v1.PacketIn.$Properties): p4.v1.PacketIn;

            /**
             * Encodes the specified PacketIn message. Does not implicitly {@link p4.v1.PacketIn.verify|verify} messages.
             * @param message PacketIn message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.PacketIn.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketIn message, length delimited. Does not implicitly {@link p4.v1.PacketIn.verify|verify} messages.
             * @param message PacketIn message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.PacketIn.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketIn message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.PacketIn & p4.v1.PacketIn.$Shape} PacketIn
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.PacketIn & p4.v1.PacketIn.$Shape;

            /**
             * Decodes a PacketIn message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.PacketIn & p4.v1.PacketIn.$Shape} PacketIn
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.PacketIn & p4.v1.PacketIn.$Shape;

            /**
             * Verifies a PacketIn message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketIn message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketIn
             */
            static fromObject(object: { [k: string]: any }): p4.v1.PacketIn;

            /**
             * Creates a plain object from a PacketIn message. Also converts values to other types if specified.
             * @param message PacketIn
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.PacketIn, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketIn to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketIn
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketIn {

            /** Properties of a PacketIn. */
            interface $Properties {

                /** PacketIn payload */
                payload?: (Uint8Array|null);

                /** PacketIn metadata */
                metadata?: (p4.v1.PacketMetadata.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PacketIn. */
            type $Shape = p4.v1.PacketIn.$Properties;
        }

        /**
         * Properties of a DigestList.
         * @deprecated Use p4.v1.DigestList.$Properties instead.
         */
        interface IDigestList extends p4.v1.DigestList.$Properties {
        }

        /** Represents a DigestList. */
        class DigestList {

            /**
             * Constructs a new DigestList.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.DigestList.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DigestList digestId. */
            digestId: number;

            /** DigestList listId. */
            listId: (number|Long);

            /** DigestList data. */
            data: p4.v1.P4Data.$Properties[];

            /** DigestList timestamp. */
            timestamp: (number|Long);

            /**
             * Creates a new DigestList instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DigestList instance
             */
            static create(properties: p4.v1.DigestList.$Shape): p4.v1.DigestList & p4.v1.DigestList.$Shape;
            static create(properties?: p4.v1.DigestList.$Properties): p4.v1.DigestList;

            /**
             * Encodes the specified DigestList message. Does not implicitly {@link p4.v1.DigestList.verify|verify} messages.
             * @param message DigestList message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.DigestList.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified DigestList message, length delimited. Does not implicitly {@link p4.v1.DigestList.verify|verify} messages.
             * @param message DigestList message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.DigestList.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DigestList message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.DigestList & p4.v1.DigestList.$Shape} DigestList
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DigestList & p4.v1.DigestList.$Shape;

            /**
             * Decodes a DigestList message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.DigestList & p4.v1.DigestList.$Shape} DigestList
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DigestList & p4.v1.DigestList.$Shape;

            /**
             * Verifies a DigestList message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a DigestList message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns DigestList
             */
            static fromObject(object: { [k: string]: any }): p4.v1.DigestList;

            /**
             * Creates a plain object from a DigestList message. Also converts values to other types if specified.
             * @param message DigestList
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.DigestList, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this DigestList to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for DigestList
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DigestList {

            /** Properties of a DigestList. */
            interface $Properties {

                /** DigestList digestId */
                digestId?: (number|null);

                /** DigestList listId */
                listId?: (number|Long|null);

                /** DigestList data */
                data?: (p4.v1.P4Data.$Properties[]|null);

                /** DigestList timestamp */
                timestamp?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DigestList. */
            type $Shape = {
              digestId?: number|null;
              listId?: number|Long|null;
              data?: p4.v1.P4Data.$Shape[]|null;
              timestamp?: number|Long|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a PacketMetadata.
         * @deprecated Use p4.v1.PacketMetadata.$Properties instead.
         */
        interface IPacketMetadata extends p4.v1.PacketMetadata.$Properties {
        }

        /** Represents a PacketMetadata. */
        class PacketMetadata {

            /**
             * Constructs a new PacketMetadata.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.PacketMetadata.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketMetadata metadataId. */
            metadataId: number;

            /** PacketMetadata value. */
            value: Uint8Array;

            /**
             * Creates a new PacketMetadata instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketMetadata instance
             */
            static create(properties: p4.v1.PacketMetadata.$Shape): p4.v1.PacketMetadata & p4.v1.PacketMetadata.$Shape;
            static create(properties?: p4.v1.PacketMetadata.$Properties): p4.v1.PacketMetadata;

            /**
             * Encodes the specified PacketMetadata message. Does not implicitly {@link p4.v1.PacketMetadata.verify|verify} messages.
             * @param message PacketMetadata message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.PacketMetadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketMetadata message, length delimited. Does not implicitly {@link p4.v1.PacketMetadata.verify|verify} messages.
             * @param message PacketMetadata message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.PacketMetadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketMetadata message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.PacketMetadata & p4.v1.PacketMetadata.$Shape} PacketMetadata
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.PacketMetadata & p4.v1.PacketMetadata.$Shape;

            /**
             * Decodes a PacketMetadata message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.PacketMetadata & p4.v1.PacketMetadata.$Shape} PacketMetadata
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.PacketMetadata & p4.v1.PacketMetadata.$Shape;

            /**
             * Verifies a PacketMetadata message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketMetadata message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketMetadata
             */
            static fromObject(object: { [k: string]: any }): p4.v1.PacketMetadata;

            /**
             * Creates a plain object from a PacketMetadata message. Also converts values to other types if specified.
             * @param message PacketMetadata
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.PacketMetadata, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketMetadata to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketMetadata
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketMetadata {

            /** Properties of a PacketMetadata. */
            interface $Properties {

                /** PacketMetadata metadataId */
                metadataId?: (number|null);

                /** PacketMetadata value */
                value?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PacketMetadata. */
            type $Shape = p4.v1.PacketMetadata.$Properties;
        }

        /**
         * Properties of a MasterArbitrationUpdate.
         * @deprecated Use p4.v1.MasterArbitrationUpdate.$Properties instead.
         */
        interface IMasterArbitrationUpdate extends p4.v1.MasterArbitrationUpdate.$Properties {
        }

        /** Represents a MasterArbitrationUpdate. */
        class MasterArbitrationUpdate {

            /**
             * Constructs a new MasterArbitrationUpdate.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.MasterArbitrationUpdate.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** MasterArbitrationUpdate deviceId. */
            deviceId: (number|Long);

            /** MasterArbitrationUpdate role. */
            role?: (p4.v1.Role.$Properties|null);

            /** MasterArbitrationUpdate electionId. */
            electionId?: (p4.v1.Uint128.$Properties|null);

            /** MasterArbitrationUpdate status. */
            status?: (google.rpc.Status.$Properties|null);

            /**
             * Creates a new MasterArbitrationUpdate instance using the specified properties.
             * @param [properties] Properties to set
             * @returns MasterArbitrationUpdate instance
             */
            static create(properties: p4.v1.MasterArbitrationUpdate.$Shape): p4.v1.MasterArbitrationUpdate & p4.v1.MasterArbitrationUpdate.$Shape;
            static create(properties?: p4.v1.MasterArbitrationUpdate.$Properties): p4.v1.MasterArbitrationUpdate;

            /**
             * Encodes the specified MasterArbitrationUpdate message. Does not implicitly {@link p4.v1.MasterArbitrationUpdate.verify|verify} messages.
             * @param message MasterArbitrationUpdate message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.MasterArbitrationUpdate.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified MasterArbitrationUpdate message, length delimited. Does not implicitly {@link p4.v1.MasterArbitrationUpdate.verify|verify} messages.
             * @param message MasterArbitrationUpdate message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.MasterArbitrationUpdate.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a MasterArbitrationUpdate message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.MasterArbitrationUpdate & p4.v1.MasterArbitrationUpdate.$Shape} MasterArbitrationUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.MasterArbitrationUpdate & p4.v1.MasterArbitrationUpdate.$Shape;

            /**
             * Decodes a MasterArbitrationUpdate message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.MasterArbitrationUpdate & p4.v1.MasterArbitrationUpdate.$Shape} MasterArbitrationUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.MasterArbitrationUpdate & p4.v1.MasterArbitrationUpdate.$Shape;

            /**
             * Verifies a MasterArbitrationUpdate message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a MasterArbitrationUpdate message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns MasterArbitrationUpdate
             */
            static fromObject(object: { [k: string]: any }): p4.v1.MasterArbitrationUpdate;

            /**
             * Creates a plain object from a MasterArbitrationUpdate message. Also converts values to other types if specified.
             * @param message MasterArbitrationUpdate
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.MasterArbitrationUpdate, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this MasterArbitrationUpdate to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for MasterArbitrationUpdate
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace MasterArbitrationUpdate {

            /** Properties of a MasterArbitrationUpdate. */
            interface $Properties {

                /** MasterArbitrationUpdate deviceId */
                deviceId?: (number|Long|null);

                /** MasterArbitrationUpdate role */
                role?: (p4.v1.Role.$Properties|null);

                /** MasterArbitrationUpdate electionId */
                electionId?: (p4.v1.Uint128.$Properties|null);

                /** MasterArbitrationUpdate status */
                status?: (google.rpc.Status.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a MasterArbitrationUpdate. */
            type $Shape = p4.v1.MasterArbitrationUpdate.$Properties;
        }

        /**
         * Properties of a Role.
         * @deprecated Use p4.v1.Role.$Properties instead.
         */
        interface IRole extends p4.v1.Role.$Properties {
        }

        /** Represents a Role. */
        class Role {

            /**
             * Constructs a new Role.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Role.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Role id. */
            id: (number|Long);

            /** Role name. */
            name: string;

            /** Role config. */
            config?: (google.protobuf.Any.$Properties|null);

            /**
             * Creates a new Role instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Role instance
             */
            static create(properties: p4.v1.Role.$Shape): p4.v1.Role & p4.v1.Role.$Shape;
            static create(properties?: p4.v1.Role.$Properties): p4.v1.Role;

            /**
             * Encodes the specified Role message. Does not implicitly {@link p4.v1.Role.verify|verify} messages.
             * @param message Role message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Role.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Role message, length delimited. Does not implicitly {@link p4.v1.Role.verify|verify} messages.
             * @param message Role message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Role.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Role message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Role & p4.v1.Role.$Shape} Role
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Role & p4.v1.Role.$Shape;

            /**
             * Decodes a Role message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Role & p4.v1.Role.$Shape} Role
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Role & p4.v1.Role.$Shape;

            /**
             * Verifies a Role message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Role message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Role
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Role;

            /**
             * Creates a plain object from a Role message. Also converts values to other types if specified.
             * @param message Role
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Role, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Role to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Role
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Role {

            /** Properties of a Role. */
            interface $Properties {

                /** Role id */
                id?: (number|Long|null);

                /** Role name */
                name?: (string|null);

                /** Role config */
                config?: (google.protobuf.Any.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Role. */
            type $Shape = p4.v1.Role.$Properties;
        }

        /**
         * Properties of an IdleTimeoutNotification.
         * @deprecated Use p4.v1.IdleTimeoutNotification.$Properties instead.
         */
        interface IIdleTimeoutNotification extends p4.v1.IdleTimeoutNotification.$Properties {
        }

        /** Represents an IdleTimeoutNotification. */
        class IdleTimeoutNotification {

            /**
             * Constructs a new IdleTimeoutNotification.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.IdleTimeoutNotification.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** IdleTimeoutNotification tableEntry. */
            tableEntry: p4.v1.TableEntry.$Properties[];

            /** IdleTimeoutNotification timestamp. */
            timestamp: (number|Long);

            /**
             * Creates a new IdleTimeoutNotification instance using the specified properties.
             * @param [properties] Properties to set
             * @returns IdleTimeoutNotification instance
             */
            static create(properties: p4.v1.IdleTimeoutNotification.$Shape): p4.v1.IdleTimeoutNotification & p4.v1.IdleTimeoutNotification.$Shape;
            static create(properties?: p4.v1.IdleTimeoutNotification.$Properties): p4.v1.IdleTimeoutNotification;

            /**
             * Encodes the specified IdleTimeoutNotification message. Does not implicitly {@link p4.v1.IdleTimeoutNotification.verify|verify} messages.
             * @param message IdleTimeoutNotification message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.IdleTimeoutNotification.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified IdleTimeoutNotification message, length delimited. Does not implicitly {@link p4.v1.IdleTimeoutNotification.verify|verify} messages.
             * @param message IdleTimeoutNotification message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.IdleTimeoutNotification.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an IdleTimeoutNotification message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.IdleTimeoutNotification & p4.v1.IdleTimeoutNotification.$Shape} IdleTimeoutNotification
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.IdleTimeoutNotification & p4.v1.IdleTimeoutNotification.$Shape;

            /**
             * Decodes an IdleTimeoutNotification message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.IdleTimeoutNotification & p4.v1.IdleTimeoutNotification.$Shape} IdleTimeoutNotification
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.IdleTimeoutNotification & p4.v1.IdleTimeoutNotification.$Shape;

            /**
             * Verifies an IdleTimeoutNotification message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an IdleTimeoutNotification message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns IdleTimeoutNotification
             */
            static fromObject(object: { [k: string]: any }): p4.v1.IdleTimeoutNotification;

            /**
             * Creates a plain object from an IdleTimeoutNotification message. Also converts values to other types if specified.
             * @param message IdleTimeoutNotification
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.IdleTimeoutNotification, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this IdleTimeoutNotification to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for IdleTimeoutNotification
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace IdleTimeoutNotification {

            /** Properties of an IdleTimeoutNotification. */
            interface $Properties {

                /** IdleTimeoutNotification tableEntry */
                tableEntry?: (p4.v1.TableEntry.$Properties[]|null);

                /** IdleTimeoutNotification timestamp */
                timestamp?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an IdleTimeoutNotification. */
            type $Shape = {
              tableEntry?: p4.v1.TableEntry.$Shape[]|null;
              timestamp?: number|Long|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a StreamError.
         * @deprecated Use p4.v1.StreamError.$Properties instead.
         */
        interface IStreamError extends p4.v1.StreamError.$Properties {
        }

        /** Represents a StreamError. */
        class StreamError {

            /**
             * Constructs a new StreamError.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.StreamError.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamError canonicalCode. */
            canonicalCode: number;

            /** StreamError message. */
            message: string;

            /** StreamError space. */
            space: string;

            /** StreamError code. */
            code: number;

            /** StreamError packetOut. */
            packetOut?: (p4.v1.PacketOutError.$Properties|null);

            /** StreamError digestListAck. */
            digestListAck?: (p4.v1.DigestListAckError.$Properties|null);

            /** StreamError other. */
            other?: (p4.v1.StreamOtherError.$Properties|null);

            /** StreamError details. */
            details?: ("packetOut"|"digestListAck"|"other");

            /**
             * Creates a new StreamError instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamError instance
             */
            static create(properties: p4.v1.StreamError.$Shape): p4.v1.StreamError & p4.v1.StreamError.$Shape;
            static create(properties?: p4.v1.StreamError.$Properties): p4.v1.StreamError;

            /**
             * Encodes the specified StreamError message. Does not implicitly {@link p4.v1.StreamError.verify|verify} messages.
             * @param message StreamError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.StreamError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified StreamError message, length delimited. Does not implicitly {@link p4.v1.StreamError.verify|verify} messages.
             * @param message StreamError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.StreamError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamError message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.StreamError & p4.v1.StreamError.$Shape} StreamError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.StreamError & p4.v1.StreamError.$Shape;

            /**
             * Decodes a StreamError message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.StreamError & p4.v1.StreamError.$Shape} StreamError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.StreamError & p4.v1.StreamError.$Shape;

            /**
             * Verifies a StreamError message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a StreamError message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns StreamError
             */
            static fromObject(object: { [k: string]: any }): p4.v1.StreamError;

            /**
             * Creates a plain object from a StreamError message. Also converts values to other types if specified.
             * @param message StreamError
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.StreamError, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this StreamError to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for StreamError
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace StreamError {

            /** Properties of a StreamError. */
            interface $Properties {

                /** StreamError canonicalCode */
                canonicalCode?: (number|null);

                /** StreamError message */
                message?: (string|null);

                /** StreamError space */
                space?: (string|null);

                /** StreamError code */
                code?: (number|null);

                /** StreamError packetOut */
                packetOut?: (p4.v1.PacketOutError.$Properties|null);

                /** StreamError digestListAck */
                digestListAck?: (p4.v1.DigestListAckError.$Properties|null);

                /** StreamError other */
                other?: (p4.v1.StreamOtherError.$Properties|null);

                /** StreamError details */
                details?: ("packetOut"|"digestListAck"|"other");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a StreamError. */
            type $Shape = {
              canonicalCode?: number|null;
              message?: string|null;
              space?: string|null;
              code?: number|null;
              packetOut?: p4.v1.PacketOutError.$Shape|null;
              digestListAck?: p4.v1.DigestListAckError.$Shape|null;
              other?: p4.v1.StreamOtherError.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ details?: undefined; packetOut?: null; digestListAck?: null; other?: null }|{ details?: "packetOut"; packetOut: p4.v1.PacketOutError.$Shape; digestListAck?: null; other?: null }|{ details?: "digestListAck"; packetOut?: null; digestListAck: p4.v1.DigestListAckError.$Shape; other?: null }|{ details?: "other"; packetOut?: null; digestListAck?: null; other: p4.v1.StreamOtherError.$Shape })
            );
        }

        /**
         * Properties of a PacketOutError.
         * @deprecated Use p4.v1.PacketOutError.$Properties instead.
         */
        interface IPacketOutError extends p4.v1.PacketOutError.$Properties {
        }

        /** Represents a PacketOutError. */
        class PacketOutError {

            /**
             * Constructs a new PacketOutError.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.PacketOutError.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketOutError packetOut. */
            packetOut?: (p4.v1.PacketOut.$Properties|null);

            /**
             * Creates a new PacketOutError instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketOutError instance
             */
            static create(properties: p4.v1.PacketOutError.$Shape): p4.v1.PacketOutError & p4.v1.PacketOutError.$Shape;
            static create(properties?: p4.v1.PacketOutError.$Properties): p4.v1.PacketOutError;

            /**
             * Encodes the specified PacketOutError message. Does not implicitly {@link p4.v1.PacketOutError.verify|verify} messages.
             * @param message PacketOutError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.PacketOutError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketOutError message, length delimited. Does not implicitly {@link p4.v1.PacketOutError.verify|verify} messages.
             * @param message PacketOutError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.PacketOutError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketOutError message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.PacketOutError & p4.v1.PacketOutError.$Shape} PacketOutError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.PacketOutError & p4.v1.PacketOutError.$Shape;

            /**
             * Decodes a PacketOutError message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.PacketOutError & p4.v1.PacketOutError.$Shape} PacketOutError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.PacketOutError & p4.v1.PacketOutError.$Shape;

            /**
             * Verifies a PacketOutError message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketOutError message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketOutError
             */
            static fromObject(object: { [k: string]: any }): p4.v1.PacketOutError;

            /**
             * Creates a plain object from a PacketOutError message. Also converts values to other types if specified.
             * @param message PacketOutError
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.PacketOutError, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketOutError to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketOutError
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketOutError {

            /** Properties of a PacketOutError. */
            interface $Properties {

                /** PacketOutError packetOut */
                packetOut?: (p4.v1.PacketOut.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PacketOutError. */
            type $Shape = p4.v1.PacketOutError.$Properties;
        }

        /**
         * Properties of a DigestListAckError.
         * @deprecated Use p4.v1.DigestListAckError.$Properties instead.
         */
        interface IDigestListAckError extends p4.v1.DigestListAckError.$Properties {
        }

        /** Represents a DigestListAckError. */
        class DigestListAckError {

            /**
             * Constructs a new DigestListAckError.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.DigestListAckError.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** DigestListAckError digestListAck. */
            digestListAck?: (p4.v1.DigestListAck.$Properties|null);

            /**
             * Creates a new DigestListAckError instance using the specified properties.
             * @param [properties] Properties to set
             * @returns DigestListAckError instance
             */
            static create(properties: p4.v1.DigestListAckError.$Shape): p4.v1.DigestListAckError & p4.v1.DigestListAckError.$Shape;
            static create(properties?: p4.v1.DigestListAckError.$Properties): p4.v1.DigestListAckError;

            /**
             * Encodes the specified DigestListAckError message. Does not implicitly {@link p4.v1.DigestListAckError.verify|verify} messages.
             * @param message DigestListAckError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.DigestListAckError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified DigestListAckError message, length delimited. Does not implicitly {@link p4.v1.DigestListAckError.verify|verify} messages.
             * @param message DigestListAckError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.DigestListAckError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a DigestListAckError message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.DigestListAckError & p4.v1.DigestListAckError.$Shape} DigestListAckError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.DigestListAckError & p4.v1.DigestListAckError.$Shape;

            /**
             * Decodes a DigestListAckError message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.DigestListAckError & p4.v1.DigestListAckError.$Shape} DigestListAckError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.DigestListAckError & p4.v1.DigestListAckError.$Shape;

            /**
             * Verifies a DigestListAckError message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a DigestListAckError message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns DigestListAckError
             */
            static fromObject(object: { [k: string]: any }): p4.v1.DigestListAckError;

            /**
             * Creates a plain object from a DigestListAckError message. Also converts values to other types if specified.
             * @param message DigestListAckError
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.DigestListAckError, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this DigestListAckError to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for DigestListAckError
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace DigestListAckError {

            /** Properties of a DigestListAckError. */
            interface $Properties {

                /** DigestListAckError digestListAck */
                digestListAck?: (p4.v1.DigestListAck.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a DigestListAckError. */
            type $Shape = p4.v1.DigestListAckError.$Properties;
        }

        /**
         * Properties of a StreamOtherError.
         * @deprecated Use p4.v1.StreamOtherError.$Properties instead.
         */
        interface IStreamOtherError extends p4.v1.StreamOtherError.$Properties {
        }

        /** Represents a StreamOtherError. */
        class StreamOtherError {

            /**
             * Constructs a new StreamOtherError.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.StreamOtherError.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamOtherError other. */
            other?: (google.protobuf.Any.$Properties|null);

            /**
             * Creates a new StreamOtherError instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamOtherError instance
             */
            static create(properties: p4.v1.StreamOtherError.$Shape): p4.v1.StreamOtherError & p4.v1.StreamOtherError.$Shape;
            static create(properties?: p4.v1.StreamOtherError.$Properties): p4.v1.StreamOtherError;

            /**
             * Encodes the specified StreamOtherError message. Does not implicitly {@link p4.v1.StreamOtherError.verify|verify} messages.
             * @param message StreamOtherError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.StreamOtherError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified StreamOtherError message, length delimited. Does not implicitly {@link p4.v1.StreamOtherError.verify|verify} messages.
             * @param message StreamOtherError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.StreamOtherError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamOtherError message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.StreamOtherError & p4.v1.StreamOtherError.$Shape} StreamOtherError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.StreamOtherError & p4.v1.StreamOtherError.$Shape;

            /**
             * Decodes a StreamOtherError message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.StreamOtherError & p4.v1.StreamOtherError.$Shape} StreamOtherError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.StreamOtherError & p4.v1.StreamOtherError.$Shape;

            /**
             * Verifies a StreamOtherError message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a StreamOtherError message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns StreamOtherError
             */
            static fromObject(object: { [k: string]: any }): p4.v1.StreamOtherError;

            /**
             * Creates a plain object from a StreamOtherError message. Also converts values to other types if specified.
             * @param message StreamOtherError
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.StreamOtherError, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this StreamOtherError to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for StreamOtherError
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace StreamOtherError {

            /** Properties of a StreamOtherError. */
            interface $Properties {

                /** StreamOtherError other */
                other?: (google.protobuf.Any.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StreamOtherError. */
            type $Shape = p4.v1.StreamOtherError.$Properties;
        }

        /**
         * Properties of an Uint128.
         * @deprecated Use p4.v1.Uint128.$Properties instead.
         */
        interface IUint128 extends p4.v1.Uint128.$Properties {
        }

        /** Represents an Uint128. */
        class Uint128 {

            /**
             * Constructs a new Uint128.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Uint128.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Uint128 high. */
            high: (number|Long);

            /** Uint128 low. */
            low: (number|Long);

            /**
             * Creates a new Uint128 instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Uint128 instance
             */
            static create(properties: p4.v1.Uint128.$Shape): p4.v1.Uint128 & p4.v1.Uint128.$Shape;
            static create(properties?: p4.v1.Uint128.$Properties): p4.v1.Uint128;

            /**
             * Encodes the specified Uint128 message. Does not implicitly {@link p4.v1.Uint128.verify|verify} messages.
             * @param message Uint128 message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Uint128.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Uint128 message, length delimited. Does not implicitly {@link p4.v1.Uint128.verify|verify} messages.
             * @param message Uint128 message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Uint128.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Uint128 message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Uint128 & p4.v1.Uint128.$Shape} Uint128
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Uint128 & p4.v1.Uint128.$Shape;

            /**
             * Decodes an Uint128 message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Uint128 & p4.v1.Uint128.$Shape} Uint128
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Uint128 & p4.v1.Uint128.$Shape;

            /**
             * Verifies an Uint128 message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Uint128 message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Uint128
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Uint128;

            /**
             * Creates a plain object from an Uint128 message. Also converts values to other types if specified.
             * @param message Uint128
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Uint128, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Uint128 to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Uint128
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Uint128 {

            /** Properties of an Uint128. */
            interface $Properties {

                /** Uint128 high */
                high?: (number|Long|null);

                /** Uint128 low */
                low?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Uint128. */
            type $Shape = p4.v1.Uint128.$Properties;
        }

        /**
         * Properties of a SetForwardingPipelineConfigRequest.
         * @deprecated Use p4.v1.SetForwardingPipelineConfigRequest.$Properties instead.
         */
        interface ISetForwardingPipelineConfigRequest extends p4.v1.SetForwardingPipelineConfigRequest.$Properties {
        }

        /** Represents a SetForwardingPipelineConfigRequest. */
        class SetForwardingPipelineConfigRequest {

            /**
             * Constructs a new SetForwardingPipelineConfigRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.SetForwardingPipelineConfigRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SetForwardingPipelineConfigRequest deviceId. */
            deviceId: (number|Long);

            /** SetForwardingPipelineConfigRequest roleId. */
            roleId: (number|Long);

            /** SetForwardingPipelineConfigRequest role. */
            role: string;

            /** SetForwardingPipelineConfigRequest electionId. */
            electionId?: (p4.v1.Uint128.$Properties|null);

            /** SetForwardingPipelineConfigRequest action. */
            action: p4.v1.SetForwardingPipelineConfigRequest.Action;

            /** SetForwardingPipelineConfigRequest config. */
            config?: (p4.v1.ForwardingPipelineConfig.$Properties|null);

            /**
             * Creates a new SetForwardingPipelineConfigRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SetForwardingPipelineConfigRequest instance
             */
            static create(properties: p4.v1.SetForwardingPipelineConfigRequest.$Shape): p4.v1.SetForwardingPipelineConfigRequest & p4.v1.SetForwardingPipelineConfigRequest.$Shape;
            static create(properties?: p4.v1.SetForwardingPipelineConfigRequest.$Properties): p4.v1.SetForwardingPipelineConfigRequest;

            /**
             * Encodes the specified SetForwardingPipelineConfigRequest message. Does not implicitly {@link p4.v1.SetForwardingPipelineConfigRequest.verify|verify} messages.
             * @param message SetForwardingPipelineConfigRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.SetForwardingPipelineConfigRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified SetForwardingPipelineConfigRequest message, length delimited. Does not implicitly {@link p4.v1.SetForwardingPipelineConfigRequest.verify|verify} messages.
             * @param message SetForwardingPipelineConfigRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.SetForwardingPipelineConfigRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SetForwardingPipelineConfigRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.SetForwardingPipelineConfigRequest & p4.v1.SetForwardingPipelineConfigRequest.$Shape} SetForwardingPipelineConfigRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.SetForwardingPipelineConfigRequest & p4.v1.SetForwardingPipelineConfigRequest.$Shape;

            /**
             * Decodes a SetForwardingPipelineConfigRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.SetForwardingPipelineConfigRequest & p4.v1.SetForwardingPipelineConfigRequest.$Shape} SetForwardingPipelineConfigRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.SetForwardingPipelineConfigRequest & p4.v1.SetForwardingPipelineConfigRequest.$Shape;

            /**
             * Verifies a SetForwardingPipelineConfigRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a SetForwardingPipelineConfigRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns SetForwardingPipelineConfigRequest
             */
            static fromObject(object: { [k: string]: any }): p4.v1.SetForwardingPipelineConfigRequest;

            /**
             * Creates a plain object from a SetForwardingPipelineConfigRequest message. Also converts values to other types if specified.
             * @param message SetForwardingPipelineConfigRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.SetForwardingPipelineConfigRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this SetForwardingPipelineConfigRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for SetForwardingPipelineConfigRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace SetForwardingPipelineConfigRequest {

            /** Properties of a SetForwardingPipelineConfigRequest. */
            interface $Properties {

                /** SetForwardingPipelineConfigRequest deviceId */
                deviceId?: (number|Long|null);

                /** SetForwardingPipelineConfigRequest roleId */
                roleId?: (number|Long|null);

                /** SetForwardingPipelineConfigRequest role */
                role?: (string|null);

                /** SetForwardingPipelineConfigRequest electionId */
                electionId?: (p4.v1.Uint128.$Properties|null);

                /** SetForwardingPipelineConfigRequest action */
                action?: (p4.v1.SetForwardingPipelineConfigRequest.Action|null);

                /** SetForwardingPipelineConfigRequest config */
                config?: (p4.v1.ForwardingPipelineConfig.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SetForwardingPipelineConfigRequest. */
            type $Shape = {
              deviceId?: number|Long|null;
              roleId?: number|Long|null;
              role?: string|null;
              electionId?: p4.v1.Uint128.$Shape|null;
              action?: p4.v1.SetForwardingPipelineConfigRequest.Action|null;
              config?: p4.v1.ForwardingPipelineConfig.$Shape|null;
              $unknowns?: Uint8Array[];
            };

            /** Action enum. */
            enum Action {

                /** UNSPECIFIED value */
                UNSPECIFIED = 0,

                /** VERIFY value */
                VERIFY = 1,

                /** VERIFY_AND_SAVE value */
                VERIFY_AND_SAVE = 2,

                /** VERIFY_AND_COMMIT value */
                VERIFY_AND_COMMIT = 3,

                /** COMMIT value */
                COMMIT = 4,

                /** RECONCILE_AND_COMMIT value */
                RECONCILE_AND_COMMIT = 5
            }
        }

        /**
         * Properties of a SetForwardingPipelineConfigResponse.
         * @deprecated Use p4.v1.SetForwardingPipelineConfigResponse.$Properties instead.
         */
        interface ISetForwardingPipelineConfigResponse extends p4.v1.SetForwardingPipelineConfigResponse.$Properties {
        }

        /** Represents a SetForwardingPipelineConfigResponse. */
        class SetForwardingPipelineConfigResponse {

            /**
             * Constructs a new SetForwardingPipelineConfigResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.SetForwardingPipelineConfigResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Creates a new SetForwardingPipelineConfigResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SetForwardingPipelineConfigResponse instance
             */
            static create(properties: p4.v1.SetForwardingPipelineConfigResponse.$Shape): p4.v1.SetForwardingPipelineConfigResponse & p4.v1.SetForwardingPipelineConfigResponse.$Shape;
            static create(properties?: p4.v1.SetForwardingPipelineConfigResponse.$Properties): p4.v1.SetForwardingPipelineConfigResponse;

            /**
             * Encodes the specified SetForwardingPipelineConfigResponse message. Does not implicitly {@link p4.v1.SetForwardingPipelineConfigResponse.verify|verify} messages.
             * @param message SetForwardingPipelineConfigResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.SetForwardingPipelineConfigResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified SetForwardingPipelineConfigResponse message, length delimited. Does not implicitly {@link p4.v1.SetForwardingPipelineConfigResponse.verify|verify} messages.
             * @param message SetForwardingPipelineConfigResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.SetForwardingPipelineConfigResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SetForwardingPipelineConfigResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.SetForwardingPipelineConfigResponse & p4.v1.SetForwardingPipelineConfigResponse.$Shape} SetForwardingPipelineConfigResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.SetForwardingPipelineConfigResponse & p4.v1.SetForwardingPipelineConfigResponse.$Shape;

            /**
             * Decodes a SetForwardingPipelineConfigResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.SetForwardingPipelineConfigResponse & p4.v1.SetForwardingPipelineConfigResponse.$Shape} SetForwardingPipelineConfigResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.SetForwardingPipelineConfigResponse & p4.v1.SetForwardingPipelineConfigResponse.$Shape;

            /**
             * Verifies a SetForwardingPipelineConfigResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a SetForwardingPipelineConfigResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns SetForwardingPipelineConfigResponse
             */
            static fromObject(object: { [k: string]: any }): p4.v1.SetForwardingPipelineConfigResponse;

            /**
             * Creates a plain object from a SetForwardingPipelineConfigResponse message. Also converts values to other types if specified.
             * @param message SetForwardingPipelineConfigResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.SetForwardingPipelineConfigResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this SetForwardingPipelineConfigResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for SetForwardingPipelineConfigResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace SetForwardingPipelineConfigResponse {

            /** Properties of a SetForwardingPipelineConfigResponse. */
            interface $Properties {

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SetForwardingPipelineConfigResponse. */
            type $Shape = p4.v1.SetForwardingPipelineConfigResponse.$Properties;
        }

        /**
         * Properties of a ForwardingPipelineConfig.
         * @deprecated Use p4.v1.ForwardingPipelineConfig.$Properties instead.
         */
        interface IForwardingPipelineConfig extends p4.v1.ForwardingPipelineConfig.$Properties {
        }

        /** Represents a ForwardingPipelineConfig. */
        class ForwardingPipelineConfig {

            /**
             * Constructs a new ForwardingPipelineConfig.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.ForwardingPipelineConfig.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ForwardingPipelineConfig p4info. */
            p4info?: (p4.config.v1.P4Info.$Properties|null);

            /** ForwardingPipelineConfig p4DeviceConfig. */
            p4DeviceConfig: Uint8Array;

            /** ForwardingPipelineConfig cookie. */
            cookie?: (p4.v1.ForwardingPipelineConfig.Cookie.$Properties|null);

            /**
             * Creates a new ForwardingPipelineConfig instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ForwardingPipelineConfig instance
             */
            static create(properties: p4.v1.ForwardingPipelineConfig.$Shape): p4.v1.ForwardingPipelineConfig & p4.v1.ForwardingPipelineConfig.$Shape;
            static create(properties?: p4.v1.ForwardingPipelineConfig.$Properties): p4.v1.ForwardingPipelineConfig;

            /**
             * Encodes the specified ForwardingPipelineConfig message. Does not implicitly {@link p4.v1.ForwardingPipelineConfig.verify|verify} messages.
             * @param message ForwardingPipelineConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.ForwardingPipelineConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified ForwardingPipelineConfig message, length delimited. Does not implicitly {@link p4.v1.ForwardingPipelineConfig.verify|verify} messages.
             * @param message ForwardingPipelineConfig message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.ForwardingPipelineConfig.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ForwardingPipelineConfig message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.ForwardingPipelineConfig & p4.v1.ForwardingPipelineConfig.$Shape} ForwardingPipelineConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ForwardingPipelineConfig & p4.v1.ForwardingPipelineConfig.$Shape;

            /**
             * Decodes a ForwardingPipelineConfig message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.ForwardingPipelineConfig & p4.v1.ForwardingPipelineConfig.$Shape} ForwardingPipelineConfig
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ForwardingPipelineConfig & p4.v1.ForwardingPipelineConfig.$Shape;

            /**
             * Verifies a ForwardingPipelineConfig message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a ForwardingPipelineConfig message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns ForwardingPipelineConfig
             */
            static fromObject(object: { [k: string]: any }): p4.v1.ForwardingPipelineConfig;

            /**
             * Creates a plain object from a ForwardingPipelineConfig message. Also converts values to other types if specified.
             * @param message ForwardingPipelineConfig
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.ForwardingPipelineConfig, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this ForwardingPipelineConfig to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for ForwardingPipelineConfig
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ForwardingPipelineConfig {

            /** Properties of a ForwardingPipelineConfig. */
            interface $Properties {

                /** ForwardingPipelineConfig p4info */
                p4info?: (p4.config.v1.P4Info.$Properties|null);

                /** ForwardingPipelineConfig p4DeviceConfig */
                p4DeviceConfig?: (Uint8Array|null);

                /** ForwardingPipelineConfig cookie */
                cookie?: (p4.v1.ForwardingPipelineConfig.Cookie.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ForwardingPipelineConfig. */
            type $Shape = {
              p4info?: p4.config.v1.P4Info.$Shape|null;
              p4DeviceConfig?: Uint8Array|null;
              cookie?: p4.v1.ForwardingPipelineConfig.Cookie.$Shape|null;
              $unknowns?: Uint8Array[];
            };

            /**
             * Properties of a Cookie.
             * @deprecated Use p4.v1.ForwardingPipelineConfig.Cookie.$Properties instead.
             */
            interface ICookie extends p4.v1.ForwardingPipelineConfig.Cookie.$Properties {
            }

            /** Represents a Cookie. */
            class Cookie {

                /**
                 * Constructs a new Cookie.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.v1.ForwardingPipelineConfig.Cookie.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Cookie cookie. */
                cookie: (number|Long);

                /**
                 * Creates a new Cookie instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Cookie instance
                 */
                static create(properties: p4.v1.ForwardingPipelineConfig.Cookie.$Shape): p4.v1.ForwardingPipelineConfig.Cookie & p4.v1.ForwardingPipelineConfig.Cookie.$Shape;
                static create(properties?: p4.v1.ForwardingPipelineConfig.Cookie.$Properties): p4.v1.ForwardingPipelineConfig.Cookie;

                /**
                 * Encodes the specified Cookie message. Does not implicitly {@link p4.v1.ForwardingPipelineConfig.Cookie.verify|verify} messages.
                 * @param message Cookie message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.v1.ForwardingPipelineConfig.Cookie.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Cookie message, length delimited. Does not implicitly {@link p4.v1.ForwardingPipelineConfig.Cookie.verify|verify} messages.
                 * @param message Cookie message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.v1.ForwardingPipelineConfig.Cookie.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Cookie message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.v1.ForwardingPipelineConfig.Cookie & p4.v1.ForwardingPipelineConfig.Cookie.$Shape} Cookie
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.ForwardingPipelineConfig.Cookie & p4.v1.ForwardingPipelineConfig.Cookie.$Shape;

                /**
                 * Decodes a Cookie message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.v1.ForwardingPipelineConfig.Cookie & p4.v1.ForwardingPipelineConfig.Cookie.$Shape} Cookie
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.ForwardingPipelineConfig.Cookie & p4.v1.ForwardingPipelineConfig.Cookie.$Shape;

                /**
                 * Verifies a Cookie message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Cookie message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Cookie
                 */
                static fromObject(object: { [k: string]: any }): p4.v1.ForwardingPipelineConfig.Cookie;

                /**
                 * Creates a plain object from a Cookie message. Also converts values to other types if specified.
                 * @param message Cookie
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.v1.ForwardingPipelineConfig.Cookie, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Cookie to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Cookie
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Cookie {

                /** Properties of a Cookie. */
                interface $Properties {

                    /** Cookie cookie */
                    cookie?: (number|Long|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Cookie. */
                type $Shape = p4.v1.ForwardingPipelineConfig.Cookie.$Properties;
            }
        }

        /**
         * Properties of a GetForwardingPipelineConfigRequest.
         * @deprecated Use p4.v1.GetForwardingPipelineConfigRequest.$Properties instead.
         */
        interface IGetForwardingPipelineConfigRequest extends p4.v1.GetForwardingPipelineConfigRequest.$Properties {
        }

        /** Represents a GetForwardingPipelineConfigRequest. */
        class GetForwardingPipelineConfigRequest {

            /**
             * Constructs a new GetForwardingPipelineConfigRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.GetForwardingPipelineConfigRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** GetForwardingPipelineConfigRequest deviceId. */
            deviceId: (number|Long);

            /** GetForwardingPipelineConfigRequest responseType. */
            responseType: p4.v1.GetForwardingPipelineConfigRequest.ResponseType;

            /**
             * Creates a new GetForwardingPipelineConfigRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns GetForwardingPipelineConfigRequest instance
             */
            static create(properties: p4.v1.GetForwardingPipelineConfigRequest.$Shape): p4.v1.GetForwardingPipelineConfigRequest & p4.v1.GetForwardingPipelineConfigRequest.$Shape;
            static create(properties?: p4.v1.GetForwardingPipelineConfigRequest.$Properties): p4.v1.GetForwardingPipelineConfigRequest;

            /**
             * Encodes the specified GetForwardingPipelineConfigRequest message. Does not implicitly {@link p4.v1.GetForwardingPipelineConfigRequest.verify|verify} messages.
             * @param message GetForwardingPipelineConfigRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.GetForwardingPipelineConfigRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified GetForwardingPipelineConfigRequest message, length delimited. Does not implicitly {@link p4.v1.GetForwardingPipelineConfigRequest.verify|verify} messages.
             * @param message GetForwardingPipelineConfigRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.GetForwardingPipelineConfigRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a GetForwardingPipelineConfigRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.GetForwardingPipelineConfigRequest & p4.v1.GetForwardingPipelineConfigRequest.$Shape} GetForwardingPipelineConfigRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.GetForwardingPipelineConfigRequest & p4.v1.GetForwardingPipelineConfigRequest.$Shape;

            /**
             * Decodes a GetForwardingPipelineConfigRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.GetForwardingPipelineConfigRequest & p4.v1.GetForwardingPipelineConfigRequest.$Shape} GetForwardingPipelineConfigRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.GetForwardingPipelineConfigRequest & p4.v1.GetForwardingPipelineConfigRequest.$Shape;

            /**
             * Verifies a GetForwardingPipelineConfigRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a GetForwardingPipelineConfigRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns GetForwardingPipelineConfigRequest
             */
            static fromObject(object: { [k: string]: any }): p4.v1.GetForwardingPipelineConfigRequest;

            /**
             * Creates a plain object from a GetForwardingPipelineConfigRequest message. Also converts values to other types if specified.
             * @param message GetForwardingPipelineConfigRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.GetForwardingPipelineConfigRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this GetForwardingPipelineConfigRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for GetForwardingPipelineConfigRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace GetForwardingPipelineConfigRequest {

            /** Properties of a GetForwardingPipelineConfigRequest. */
            interface $Properties {

                /** GetForwardingPipelineConfigRequest deviceId */
                deviceId?: (number|Long|null);

                /** GetForwardingPipelineConfigRequest responseType */
                responseType?: (p4.v1.GetForwardingPipelineConfigRequest.ResponseType|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a GetForwardingPipelineConfigRequest. */
            type $Shape = p4.v1.GetForwardingPipelineConfigRequest.$Properties;

            /** ResponseType enum. */
            enum ResponseType {

                /** ALL value */
                ALL = 0,

                /** COOKIE_ONLY value */
                COOKIE_ONLY = 1,

                /** P4INFO_AND_COOKIE value */
                P4INFO_AND_COOKIE = 2,

                /** DEVICE_CONFIG_AND_COOKIE value */
                DEVICE_CONFIG_AND_COOKIE = 3
            }
        }

        /**
         * Properties of a GetForwardingPipelineConfigResponse.
         * @deprecated Use p4.v1.GetForwardingPipelineConfigResponse.$Properties instead.
         */
        interface IGetForwardingPipelineConfigResponse extends p4.v1.GetForwardingPipelineConfigResponse.$Properties {
        }

        /** Represents a GetForwardingPipelineConfigResponse. */
        class GetForwardingPipelineConfigResponse {

            /**
             * Constructs a new GetForwardingPipelineConfigResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.GetForwardingPipelineConfigResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** GetForwardingPipelineConfigResponse config. */
            config?: (p4.v1.ForwardingPipelineConfig.$Properties|null);

            /**
             * Creates a new GetForwardingPipelineConfigResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns GetForwardingPipelineConfigResponse instance
             */
            static create(properties: p4.v1.GetForwardingPipelineConfigResponse.$Shape): p4.v1.GetForwardingPipelineConfigResponse & p4.v1.GetForwardingPipelineConfigResponse.$Shape;
            static create(properties?: p4.v1.GetForwardingPipelineConfigResponse.$Properties): p4.v1.GetForwardingPipelineConfigResponse;

            /**
             * Encodes the specified GetForwardingPipelineConfigResponse message. Does not implicitly {@link p4.v1.GetForwardingPipelineConfigResponse.verify|verify} messages.
             * @param message GetForwardingPipelineConfigResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.GetForwardingPipelineConfigResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified GetForwardingPipelineConfigResponse message, length delimited. Does not implicitly {@link p4.v1.GetForwardingPipelineConfigResponse.verify|verify} messages.
             * @param message GetForwardingPipelineConfigResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.GetForwardingPipelineConfigResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a GetForwardingPipelineConfigResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.GetForwardingPipelineConfigResponse & p4.v1.GetForwardingPipelineConfigResponse.$Shape} GetForwardingPipelineConfigResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.GetForwardingPipelineConfigResponse & p4.v1.GetForwardingPipelineConfigResponse.$Shape;

            /**
             * Decodes a GetForwardingPipelineConfigResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.GetForwardingPipelineConfigResponse & p4.v1.GetForwardingPipelineConfigResponse.$Shape} GetForwardingPipelineConfigResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.GetForwardingPipelineConfigResponse & p4.v1.GetForwardingPipelineConfigResponse.$Shape;

            /**
             * Verifies a GetForwardingPipelineConfigResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a GetForwardingPipelineConfigResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns GetForwardingPipelineConfigResponse
             */
            static fromObject(object: { [k: string]: any }): p4.v1.GetForwardingPipelineConfigResponse;

            /**
             * Creates a plain object from a GetForwardingPipelineConfigResponse message. Also converts values to other types if specified.
             * @param message GetForwardingPipelineConfigResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.GetForwardingPipelineConfigResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this GetForwardingPipelineConfigResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for GetForwardingPipelineConfigResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace GetForwardingPipelineConfigResponse {

            /** Properties of a GetForwardingPipelineConfigResponse. */
            interface $Properties {

                /** GetForwardingPipelineConfigResponse config */
                config?: (p4.v1.ForwardingPipelineConfig.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a GetForwardingPipelineConfigResponse. */
            type $Shape = {
              config?: p4.v1.ForwardingPipelineConfig.$Shape|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of an Error.
         * @deprecated Use p4.v1.Error.$Properties instead.
         */
        interface IError extends p4.v1.Error.$Properties {
        }

        /** Represents an Error. */
        class Error {

            /**
             * Constructs a new Error.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.Error.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Error canonicalCode. */
            canonicalCode: number;

            /** Error message. */
            message: string;

            /** Error space. */
            space: string;

            /** Error code. */
            code: number;

            /** Error details. */
            details?: (google.protobuf.Any.$Properties|null);

            /**
             * Creates a new Error instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Error instance
             */
            static create(properties: p4.v1.Error.$Shape): p4.v1.Error & p4.v1.Error.$Shape;
            static create(properties?: p4.v1.Error.$Properties): p4.v1.Error;

            /**
             * Encodes the specified Error message. Does not implicitly {@link p4.v1.Error.verify|verify} messages.
             * @param message Error message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.Error.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Error message, length delimited. Does not implicitly {@link p4.v1.Error.verify|verify} messages.
             * @param message Error message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.Error.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Error message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.Error & p4.v1.Error.$Shape} Error
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.Error & p4.v1.Error.$Shape;

            /**
             * Decodes an Error message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.Error & p4.v1.Error.$Shape} Error
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.Error & p4.v1.Error.$Shape;

            /**
             * Verifies an Error message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Error message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Error
             */
            static fromObject(object: { [k: string]: any }): p4.v1.Error;

            /**
             * Creates a plain object from an Error message. Also converts values to other types if specified.
             * @param message Error
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.Error, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Error to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Error
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Error {

            /** Properties of an Error. */
            interface $Properties {

                /** Error canonicalCode */
                canonicalCode?: (number|null);

                /** Error message */
                message?: (string|null);

                /** Error space */
                space?: (string|null);

                /** Error code */
                code?: (number|null);

                /** Error details */
                details?: (google.protobuf.Any.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Error. */
            type $Shape = p4.v1.Error.$Properties;
        }

        /** SdnPort enum. */
        enum SdnPort {

            /** SDN_PORT_UNKNOWN value */
            SDN_PORT_UNKNOWN = 0,

            /** SDN_PORT_MIN value */
            SDN_PORT_MIN = 1,

            /** SDN_PORT_MAX value */
            SDN_PORT_MAX = -257,

            /** SDN_PORT_RECIRCULATE value */
            SDN_PORT_RECIRCULATE = -6,

            /** SDN_PORT_CPU value */
            SDN_PORT_CPU = -3
        }

        /**
         * Properties of a CapabilitiesRequest.
         * @deprecated Use p4.v1.CapabilitiesRequest.$Properties instead.
         */
        interface ICapabilitiesRequest extends p4.v1.CapabilitiesRequest.$Properties {
        }

        /** Represents a CapabilitiesRequest. */
        class CapabilitiesRequest {

            /**
             * Constructs a new CapabilitiesRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.CapabilitiesRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CapabilitiesRequest deviceId. */
            deviceId: (number|Long);

            /**
             * Creates a new CapabilitiesRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CapabilitiesRequest instance
             */
            static create(properties: p4.v1.CapabilitiesRequest.$Shape): p4.v1.CapabilitiesRequest & p4.v1.CapabilitiesRequest.$Shape;
            static create(properties?: p4.v1.CapabilitiesRequest.$Properties): p4.v1.CapabilitiesRequest;

            /**
             * Encodes the specified CapabilitiesRequest message. Does not implicitly {@link p4.v1.CapabilitiesRequest.verify|verify} messages.
             * @param message CapabilitiesRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.CapabilitiesRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified CapabilitiesRequest message, length delimited. Does not implicitly {@link p4.v1.CapabilitiesRequest.verify|verify} messages.
             * @param message CapabilitiesRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.CapabilitiesRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CapabilitiesRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.CapabilitiesRequest & p4.v1.CapabilitiesRequest.$Shape} CapabilitiesRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.CapabilitiesRequest & p4.v1.CapabilitiesRequest.$Shape;

            /**
             * Decodes a CapabilitiesRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.CapabilitiesRequest & p4.v1.CapabilitiesRequest.$Shape} CapabilitiesRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.CapabilitiesRequest & p4.v1.CapabilitiesRequest.$Shape;

            /**
             * Verifies a CapabilitiesRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a CapabilitiesRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns CapabilitiesRequest
             */
            static fromObject(object: { [k: string]: any }): p4.v1.CapabilitiesRequest;

            /**
             * Creates a plain object from a CapabilitiesRequest message. Also converts values to other types if specified.
             * @param message CapabilitiesRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.CapabilitiesRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this CapabilitiesRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for CapabilitiesRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace CapabilitiesRequest {

            /** Properties of a CapabilitiesRequest. */
            interface $Properties {

                /** CapabilitiesRequest deviceId */
                deviceId?: (number|Long|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CapabilitiesRequest. */
            type $Shape = p4.v1.CapabilitiesRequest.$Properties;
        }

        /**
         * Properties of a CapabilitiesResponse.
         * @deprecated Use p4.v1.CapabilitiesResponse.$Properties instead.
         */
        interface ICapabilitiesResponse extends p4.v1.CapabilitiesResponse.$Properties {
        }

        /** Represents a CapabilitiesResponse. */
        class CapabilitiesResponse {

            /**
             * Constructs a new CapabilitiesResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.CapabilitiesResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** CapabilitiesResponse p4runtimeApiVersion. */
            p4runtimeApiVersion: string;

            /** CapabilitiesResponse experimental. */
            experimental?: (google.protobuf.Any.$Properties|null);

            /**
             * Creates a new CapabilitiesResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns CapabilitiesResponse instance
             */
            static create(properties: p4.v1.CapabilitiesResponse.$Shape): p4.v1.CapabilitiesResponse & p4.v1.CapabilitiesResponse.$Shape;
            static create(properties?: p4.v1.CapabilitiesResponse.$Properties): p4.v1.CapabilitiesResponse;

            /**
             * Encodes the specified CapabilitiesResponse message. Does not implicitly {@link p4.v1.CapabilitiesResponse.verify|verify} messages.
             * @param message CapabilitiesResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.CapabilitiesResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified CapabilitiesResponse message, length delimited. Does not implicitly {@link p4.v1.CapabilitiesResponse.verify|verify} messages.
             * @param message CapabilitiesResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.CapabilitiesResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a CapabilitiesResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.CapabilitiesResponse & p4.v1.CapabilitiesResponse.$Shape} CapabilitiesResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.CapabilitiesResponse & p4.v1.CapabilitiesResponse.$Shape;

            /**
             * Decodes a CapabilitiesResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.CapabilitiesResponse & p4.v1.CapabilitiesResponse.$Shape} CapabilitiesResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.CapabilitiesResponse & p4.v1.CapabilitiesResponse.$Shape;

            /**
             * Verifies a CapabilitiesResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a CapabilitiesResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns CapabilitiesResponse
             */
            static fromObject(object: { [k: string]: any }): p4.v1.CapabilitiesResponse;

            /**
             * Creates a plain object from a CapabilitiesResponse message. Also converts values to other types if specified.
             * @param message CapabilitiesResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.CapabilitiesResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this CapabilitiesResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for CapabilitiesResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace CapabilitiesResponse {

            /** Properties of a CapabilitiesResponse. */
            interface $Properties {

                /** CapabilitiesResponse p4runtimeApiVersion */
                p4runtimeApiVersion?: (string|null);

                /** CapabilitiesResponse experimental */
                experimental?: (google.protobuf.Any.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a CapabilitiesResponse. */
            type $Shape = p4.v1.CapabilitiesResponse.$Properties;
        }

        /**
         * Properties of a P4Data.
         * @deprecated Use p4.v1.P4Data.$Properties instead.
         */
        interface IP4Data extends p4.v1.P4Data.$Properties {
        }

        /** Represents a P4Data. */
        class P4Data {

            /**
             * Constructs a new P4Data.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4Data.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4Data bitstring. */
            bitstring?: (Uint8Array|null);

            /** P4Data varbit. */
            varbit?: (p4.v1.P4Varbit.$Properties|null);

            /** P4Data bool. */
            bool?: (boolean|null);

            /** P4Data tuple. */
            tuple?: (p4.v1.P4StructLike.$Properties|null);

            /** P4Data struct. */
            struct?: (p4.v1.P4StructLike.$Properties|null);

            /** P4Data header. */
            header?: (p4.v1.P4Header.$Properties|null);

            /** P4Data headerUnion. */
            headerUnion?: (p4.v1.P4HeaderUnion.$Properties|null);

            /** P4Data headerStack. */
            headerStack?: (p4.v1.P4HeaderStack.$Properties|null);

            /** P4Data headerUnionStack. */
            headerUnionStack?: (p4.v1.P4HeaderUnionStack.$Properties|null);

            /** P4Data enum. */
            enum?: (string|null);

            /** P4Data error. */
            error?: (string|null);

            /** P4Data enumValue. */
            enumValue?: (Uint8Array|null);

            /** P4Data data. */
            data?: ("bitstring"|"varbit"|"bool"|"tuple"|"struct"|"header"|"headerUnion"|"headerStack"|"headerUnionStack"|"enum"|"error"|"enumValue");

            /**
             * Creates a new P4Data instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4Data instance
             */
            static create(properties: p4.v1.P4Data.$Shape): p4.v1.P4Data & p4.v1.P4Data.$Shape;
            static create(properties?: p4.v1.P4Data.$Properties): p4.v1.P4Data;

            /**
             * Encodes the specified P4Data message. Does not implicitly {@link p4.v1.P4Data.verify|verify} messages.
             * @param message P4Data message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4Data.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4Data message, length delimited. Does not implicitly {@link p4.v1.P4Data.verify|verify} messages.
             * @param message P4Data message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4Data.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4Data message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4Data & p4.v1.P4Data.$Shape} P4Data
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4Data & p4.v1.P4Data.$Shape;

            /**
             * Decodes a P4Data message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4Data & p4.v1.P4Data.$Shape} P4Data
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4Data & p4.v1.P4Data.$Shape;

            /**
             * Verifies a P4Data message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4Data message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4Data
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4Data;

            /**
             * Creates a plain object from a P4Data message. Also converts values to other types if specified.
             * @param message P4Data
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4Data, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4Data to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4Data
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4Data {

            /** Properties of a P4Data. */
            interface $Properties {

                /** P4Data bitstring */
                bitstring?: (Uint8Array|null);

                /** P4Data varbit */
                varbit?: (p4.v1.P4Varbit.$Properties|null);

                /** P4Data bool */
                bool?: (boolean|null);

                /** P4Data tuple */
                tuple?: (p4.v1.P4StructLike.$Properties|null);

                /** P4Data struct */
                struct?: (p4.v1.P4StructLike.$Properties|null);

                /** P4Data header */
                header?: (p4.v1.P4Header.$Properties|null);

                /** P4Data headerUnion */
                headerUnion?: (p4.v1.P4HeaderUnion.$Properties|null);

                /** P4Data headerStack */
                headerStack?: (p4.v1.P4HeaderStack.$Properties|null);

                /** P4Data headerUnionStack */
                headerUnionStack?: (p4.v1.P4HeaderUnionStack.$Properties|null);

                /** P4Data enum */
                "enum"?: (string|null);

                /** P4Data error */
                error?: (string|null);

                /** P4Data enumValue */
                enumValue?: (Uint8Array|null);

                /** P4Data data */
                data?: ("bitstring"|"varbit"|"bool"|"tuple"|"struct"|"header"|"headerUnion"|"headerStack"|"headerUnionStack"|"enum"|"error"|"enumValue");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a P4Data. */
            type $Shape = {
              bitstring?: Uint8Array|null;
              varbit?: p4.v1.P4Varbit.$Shape|null;
              bool?: boolean|null;
              tuple?: p4.v1.P4StructLike.$Shape|null;
              struct?: p4.v1.P4StructLike.$Shape|null;
              header?: p4.v1.P4Header.$Shape|null;
              headerUnion?: p4.v1.P4HeaderUnion.$Shape|null;
              headerStack?: p4.v1.P4HeaderStack.$Shape|null;
              headerUnionStack?: p4.v1.P4HeaderUnionStack.$Shape|null;
              "enum"?: string|null;
              error?: string|null;
              enumValue?: Uint8Array|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ data?: undefined; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "bitstring"; bitstring: Uint8Array; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "varbit"; bitstring?: null; varbit: p4.v1.P4Varbit.$Shape; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "bool"; bitstring?: null; varbit?: null; bool: boolean; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "tuple"; bitstring?: null; varbit?: null; bool?: null; tuple: p4.v1.P4StructLike.$Shape; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "struct"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct: p4.v1.P4StructLike.$Shape; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "header"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header: p4.v1.P4Header.$Shape; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "headerUnion"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion: p4.v1.P4HeaderUnion.$Shape; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "headerStack"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack: p4.v1.P4HeaderStack.$Shape; headerUnionStack?: null; "enum"?: null; error?: null; enumValue?: null }|{ data?: "headerUnionStack"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack: p4.v1.P4HeaderUnionStack.$Shape; "enum"?: null; error?: null; enumValue?: null }|{ data?: "enum"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum": string; error?: null; enumValue?: null }|{ data?: "error"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error: string; enumValue?: null }|{ data?: "enumValue"; bitstring?: null; varbit?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; enumValue: Uint8Array })
            );
        }

        /**
         * Properties of a P4Varbit.
         * @deprecated Use p4.v1.P4Varbit.$Properties instead.
         */
        interface IP4Varbit extends p4.v1.P4Varbit.$Properties {
        }

        /** Represents a P4Varbit. */
        class P4Varbit {

            /**
             * Constructs a new P4Varbit.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4Varbit.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4Varbit bitstring. */
            bitstring: Uint8Array;

            /** P4Varbit bitwidth. */
            bitwidth: number;

            /**
             * Creates a new P4Varbit instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4Varbit instance
             */
            static create(properties: p4.v1.P4Varbit.$Shape): p4.v1.P4Varbit & p4.v1.P4Varbit.$Shape;
            static create(properties?: p4.v1.P4Varbit.$Properties): p4.v1.P4Varbit;

            /**
             * Encodes the specified P4Varbit message. Does not implicitly {@link p4.v1.P4Varbit.verify|verify} messages.
             * @param message P4Varbit message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4Varbit.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4Varbit message, length delimited. Does not implicitly {@link p4.v1.P4Varbit.verify|verify} messages.
             * @param message P4Varbit message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4Varbit.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4Varbit message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4Varbit & p4.v1.P4Varbit.$Shape} P4Varbit
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4Varbit & p4.v1.P4Varbit.$Shape;

            /**
             * Decodes a P4Varbit message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4Varbit & p4.v1.P4Varbit.$Shape} P4Varbit
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4Varbit & p4.v1.P4Varbit.$Shape;

            /**
             * Verifies a P4Varbit message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4Varbit message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4Varbit
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4Varbit;

            /**
             * Creates a plain object from a P4Varbit message. Also converts values to other types if specified.
             * @param message P4Varbit
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4Varbit, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4Varbit to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4Varbit
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4Varbit {

            /** Properties of a P4Varbit. */
            interface $Properties {

                /** P4Varbit bitstring */
                bitstring?: (Uint8Array|null);

                /** P4Varbit bitwidth */
                bitwidth?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a P4Varbit. */
            type $Shape = p4.v1.P4Varbit.$Properties;
        }

        /**
         * Properties of a P4StructLike.
         * @deprecated Use p4.v1.P4StructLike.$Properties instead.
         */
        interface IP4StructLike extends p4.v1.P4StructLike.$Properties {
        }

        /** Represents a P4StructLike. */
        class P4StructLike {

            /**
             * Constructs a new P4StructLike.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4StructLike.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4StructLike members. */
            members: p4.v1.P4Data.$Properties[];

            /**
             * Creates a new P4StructLike instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4StructLike instance
             */
            static create(properties: p4.v1.P4StructLike.$Shape): p4.v1.P4StructLike & p4.v1.P4StructLike.$Shape;
            static create(properties?: p4.v1.P4StructLike.$Properties): p4.v1.P4StructLike;

            /**
             * Encodes the specified P4StructLike message. Does not implicitly {@link p4.v1.P4StructLike.verify|verify} messages.
             * @param message P4StructLike message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4StructLike.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4StructLike message, length delimited. Does not implicitly {@link p4.v1.P4StructLike.verify|verify} messages.
             * @param message P4StructLike message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4StructLike.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4StructLike message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4StructLike & p4.v1.P4StructLike.$Shape} P4StructLike
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4StructLike & p4.v1.P4StructLike.$Shape;

            /**
             * Decodes a P4StructLike message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4StructLike & p4.v1.P4StructLike.$Shape} P4StructLike
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4StructLike & p4.v1.P4StructLike.$Shape;

            /**
             * Verifies a P4StructLike message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4StructLike message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4StructLike
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4StructLike;

            /**
             * Creates a plain object from a P4StructLike message. Also converts values to other types if specified.
             * @param message P4StructLike
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4StructLike, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4StructLike to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4StructLike
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4StructLike {

            /** Properties of a P4StructLike. */
            interface $Properties {

                /** P4StructLike members */
                members?: (p4.v1.P4Data.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a P4StructLike. */
            type $Shape = {
              members?: p4.v1.P4Data.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a P4Header.
         * @deprecated Use p4.v1.P4Header.$Properties instead.
         */
        interface IP4Header extends p4.v1.P4Header.$Properties {
        }

        /** Represents a P4Header. */
        class P4Header {

            /**
             * Constructs a new P4Header.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4Header.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4Header isValid. */
            isValid: boolean;

            /** P4Header bitstrings. */
            bitstrings: Uint8Array[];

            /**
             * Creates a new P4Header instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4Header instance
             */
            static create(properties: p4.v1.P4Header.$Shape): p4.v1.P4Header & p4.v1.P4Header.$Shape;
            static create(properties?: p4.v1.P4Header.$Properties): p4.v1.P4Header;

            /**
             * Encodes the specified P4Header message. Does not implicitly {@link p4.v1.P4Header.verify|verify} messages.
             * @param message P4Header message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4Header.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4Header message, length delimited. Does not implicitly {@link p4.v1.P4Header.verify|verify} messages.
             * @param message P4Header message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4Header.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4Header message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4Header & p4.v1.P4Header.$Shape} P4Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4Header & p4.v1.P4Header.$Shape;

            /**
             * Decodes a P4Header message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4Header & p4.v1.P4Header.$Shape} P4Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4Header & p4.v1.P4Header.$Shape;

            /**
             * Verifies a P4Header message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4Header message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4Header
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4Header;

            /**
             * Creates a plain object from a P4Header message. Also converts values to other types if specified.
             * @param message P4Header
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4Header, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4Header to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4Header
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4Header {

            /** Properties of a P4Header. */
            interface $Properties {

                /** P4Header isValid */
                isValid?: (boolean|null);

                /** P4Header bitstrings */
                bitstrings?: (Uint8Array[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a P4Header. */
            type $Shape = p4.v1.P4Header.$Properties;
        }

        /**
         * Properties of a P4HeaderUnion.
         * @deprecated Use p4.v1.P4HeaderUnion.$Properties instead.
         */
        interface IP4HeaderUnion extends p4.v1.P4HeaderUnion.$Properties {
        }

        /** Represents a P4HeaderUnion. */
        class P4HeaderUnion {

            /**
             * Constructs a new P4HeaderUnion.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4HeaderUnion.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4HeaderUnion validHeaderName. */
            validHeaderName: string;

            /** P4HeaderUnion validHeader. */
            validHeader?: (p4.v1.P4Header.$Properties|null);

            /**
             * Creates a new P4HeaderUnion instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4HeaderUnion instance
             */
            static create(properties: p4.v1.P4HeaderUnion.$Shape): p4.v1.P4HeaderUnion & p4.v1.P4HeaderUnion.$Shape;
            static create(properties?: p4.v1.P4HeaderUnion.$Properties): p4.v1.P4HeaderUnion;

            /**
             * Encodes the specified P4HeaderUnion message. Does not implicitly {@link p4.v1.P4HeaderUnion.verify|verify} messages.
             * @param message P4HeaderUnion message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4HeaderUnion.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4HeaderUnion message, length delimited. Does not implicitly {@link p4.v1.P4HeaderUnion.verify|verify} messages.
             * @param message P4HeaderUnion message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4HeaderUnion.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4HeaderUnion message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4HeaderUnion & p4.v1.P4HeaderUnion.$Shape} P4HeaderUnion
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4HeaderUnion & p4.v1.P4HeaderUnion.$Shape;

            /**
             * Decodes a P4HeaderUnion message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4HeaderUnion & p4.v1.P4HeaderUnion.$Shape} P4HeaderUnion
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4HeaderUnion & p4.v1.P4HeaderUnion.$Shape;

            /**
             * Verifies a P4HeaderUnion message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4HeaderUnion message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4HeaderUnion
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4HeaderUnion;

            /**
             * Creates a plain object from a P4HeaderUnion message. Also converts values to other types if specified.
             * @param message P4HeaderUnion
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4HeaderUnion, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4HeaderUnion to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4HeaderUnion
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4HeaderUnion {

            /** Properties of a P4HeaderUnion. */
            interface $Properties {

                /** P4HeaderUnion validHeaderName */
                validHeaderName?: (string|null);

                /** P4HeaderUnion validHeader */
                validHeader?: (p4.v1.P4Header.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a P4HeaderUnion. */
            type $Shape = p4.v1.P4HeaderUnion.$Properties;
        }

        /**
         * Properties of a P4HeaderStack.
         * @deprecated Use p4.v1.P4HeaderStack.$Properties instead.
         */
        interface IP4HeaderStack extends p4.v1.P4HeaderStack.$Properties {
        }

        /** Represents a P4HeaderStack. */
        class P4HeaderStack {

            /**
             * Constructs a new P4HeaderStack.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4HeaderStack.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4HeaderStack entries. */
            entries: p4.v1.P4Header.$Properties[];

            /**
             * Creates a new P4HeaderStack instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4HeaderStack instance
             */
            static create(properties: p4.v1.P4HeaderStack.$Shape): p4.v1.P4HeaderStack & p4.v1.P4HeaderStack.$Shape;
            static create(properties?: p4.v1.P4HeaderStack.$Properties): p4.v1.P4HeaderStack;

            /**
             * Encodes the specified P4HeaderStack message. Does not implicitly {@link p4.v1.P4HeaderStack.verify|verify} messages.
             * @param message P4HeaderStack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4HeaderStack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4HeaderStack message, length delimited. Does not implicitly {@link p4.v1.P4HeaderStack.verify|verify} messages.
             * @param message P4HeaderStack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4HeaderStack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4HeaderStack message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4HeaderStack & p4.v1.P4HeaderStack.$Shape} P4HeaderStack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4HeaderStack & p4.v1.P4HeaderStack.$Shape;

            /**
             * Decodes a P4HeaderStack message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4HeaderStack & p4.v1.P4HeaderStack.$Shape} P4HeaderStack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4HeaderStack & p4.v1.P4HeaderStack.$Shape;

            /**
             * Verifies a P4HeaderStack message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4HeaderStack message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4HeaderStack
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4HeaderStack;

            /**
             * Creates a plain object from a P4HeaderStack message. Also converts values to other types if specified.
             * @param message P4HeaderStack
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4HeaderStack, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4HeaderStack to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4HeaderStack
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4HeaderStack {

            /** Properties of a P4HeaderStack. */
            interface $Properties {

                /** P4HeaderStack entries */
                entries?: (p4.v1.P4Header.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a P4HeaderStack. */
            type $Shape = p4.v1.P4HeaderStack.$Properties;
        }

        /**
         * Properties of a P4HeaderUnionStack.
         * @deprecated Use p4.v1.P4HeaderUnionStack.$Properties instead.
         */
        interface IP4HeaderUnionStack extends p4.v1.P4HeaderUnionStack.$Properties {
        }

        /** Represents a P4HeaderUnionStack. */
        class P4HeaderUnionStack {

            /**
             * Constructs a new P4HeaderUnionStack.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.v1.P4HeaderUnionStack.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** P4HeaderUnionStack entries. */
            entries: p4.v1.P4HeaderUnion.$Properties[];

            /**
             * Creates a new P4HeaderUnionStack instance using the specified properties.
             * @param [properties] Properties to set
             * @returns P4HeaderUnionStack instance
             */
            static create(properties: p4.v1.P4HeaderUnionStack.$Shape): p4.v1.P4HeaderUnionStack & p4.v1.P4HeaderUnionStack.$Shape;
            static create(properties?: p4.v1.P4HeaderUnionStack.$Properties): p4.v1.P4HeaderUnionStack;

            /**
             * Encodes the specified P4HeaderUnionStack message. Does not implicitly {@link p4.v1.P4HeaderUnionStack.verify|verify} messages.
             * @param message P4HeaderUnionStack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.v1.P4HeaderUnionStack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified P4HeaderUnionStack message, length delimited. Does not implicitly {@link p4.v1.P4HeaderUnionStack.verify|verify} messages.
             * @param message P4HeaderUnionStack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.v1.P4HeaderUnionStack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a P4HeaderUnionStack message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.v1.P4HeaderUnionStack & p4.v1.P4HeaderUnionStack.$Shape} P4HeaderUnionStack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.v1.P4HeaderUnionStack & p4.v1.P4HeaderUnionStack.$Shape;

            /**
             * Decodes a P4HeaderUnionStack message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.v1.P4HeaderUnionStack & p4.v1.P4HeaderUnionStack.$Shape} P4HeaderUnionStack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.v1.P4HeaderUnionStack & p4.v1.P4HeaderUnionStack.$Shape;

            /**
             * Verifies a P4HeaderUnionStack message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a P4HeaderUnionStack message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns P4HeaderUnionStack
             */
            static fromObject(object: { [k: string]: any }): p4.v1.P4HeaderUnionStack;

            /**
             * Creates a plain object from a P4HeaderUnionStack message. Also converts values to other types if specified.
             * @param message P4HeaderUnionStack
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.v1.P4HeaderUnionStack, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this P4HeaderUnionStack to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for P4HeaderUnionStack
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace P4HeaderUnionStack {

            /** Properties of a P4HeaderUnionStack. */
            interface $Properties {

                /** P4HeaderUnionStack entries */
                entries?: (p4.v1.P4HeaderUnion.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a P4HeaderUnionStack. */
            type $Shape = p4.v1.P4HeaderUnionStack.$Properties;
        }
    }

    /** Namespace config. */
    namespace config {

        /** Namespace v1. */
        namespace v1 {

            /**
             * Properties of a P4Info.
             * @deprecated Use p4.config.v1.P4Info.$Properties instead.
             */
            interface IP4Info extends p4.config.v1.P4Info.$Properties {
            }

            /** Represents a P4Info. */
            class P4Info {

                /**
                 * Constructs a new P4Info.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4Info.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4Info pkgInfo. */
                pkgInfo?: (p4.config.v1.PkgInfo.$Properties|null);

                /** P4Info tables. */
                tables: p4.config.v1.Table.$Properties[];

                /** P4Info actions. */
                actions: p4.config.v1.Action.$Properties[];

                /** P4Info actionProfiles. */
                actionProfiles: p4.config.v1.ActionProfile.$Properties[];

                /** P4Info counters. */
                counters: p4.config.v1.Counter.$Properties[];

                /** P4Info directCounters. */
                directCounters: p4.config.v1.DirectCounter.$Properties[];

                /** P4Info meters. */
                meters: p4.config.v1.Meter.$Properties[];

                /** P4Info directMeters. */
                directMeters: p4.config.v1.DirectMeter.$Properties[];

                /** P4Info controllerPacketMetadata. */
                controllerPacketMetadata: p4.config.v1.ControllerPacketMetadata.$Properties[];

                /** P4Info valueSets. */
                valueSets: p4.config.v1.ValueSet.$Properties[];

                /** P4Info registers. */
                registers: p4.config.v1.Register.$Properties[];

                /** P4Info digests. */
                digests: p4.config.v1.Digest.$Properties[];

                /** P4Info externs. */
                externs: p4.config.v1.Extern.$Properties[];

                /** P4Info typeInfo. */
                typeInfo?: (p4.config.v1.P4TypeInfo.$Properties|null);

                /**
                 * Creates a new P4Info instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4Info instance
                 */
                static create(properties: p4.config.v1.P4Info.$Shape): p4.config.v1.P4Info & p4.config.v1.P4Info.$Shape;
                static create(properties?: p4.config.v1.P4Info.$Properties): p4.config.v1.P4Info;

                /**
                 * Encodes the specified P4Info message. Does not implicitly {@link p4.config.v1.P4Info.verify|verify} messages.
                 * @param message P4Info message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4Info.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4Info message, length delimited. Does not implicitly {@link p4.config.v1.P4Info.verify|verify} messages.
                 * @param message P4Info message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4Info.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4Info message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4Info & p4.config.v1.P4Info.$Shape} P4Info
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4Info & p4.config.v1.P4Info.$Shape;

                /**
                 * Decodes a P4Info message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4Info & p4.config.v1.P4Info.$Shape} P4Info
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4Info & p4.config.v1.P4Info.$Shape;

                /**
                 * Verifies a P4Info message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4Info message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4Info
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4Info;

                /**
                 * Creates a plain object from a P4Info message. Also converts values to other types if specified.
                 * @param message P4Info
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4Info, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4Info to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4Info
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4Info {

                /** Properties of a P4Info. */
                interface $Properties {

                    /** P4Info pkgInfo */
                    pkgInfo?: (p4.config.v1.PkgInfo.$Properties|null);

                    /** P4Info tables */
                    tables?: (p4.config.v1.Table.$Properties[]|null);

                    /** P4Info actions */
                    actions?: (p4.config.v1.Action.$Properties[]|null);

                    /** P4Info actionProfiles */
                    actionProfiles?: (p4.config.v1.ActionProfile.$Properties[]|null);

                    /** P4Info counters */
                    counters?: (p4.config.v1.Counter.$Properties[]|null);

                    /** P4Info directCounters */
                    directCounters?: (p4.config.v1.DirectCounter.$Properties[]|null);

                    /** P4Info meters */
                    meters?: (p4.config.v1.Meter.$Properties[]|null);

                    /** P4Info directMeters */
                    directMeters?: (p4.config.v1.DirectMeter.$Properties[]|null);

                    /** P4Info controllerPacketMetadata */
                    controllerPacketMetadata?: (p4.config.v1.ControllerPacketMetadata.$Properties[]|null);

                    /** P4Info valueSets */
                    valueSets?: (p4.config.v1.ValueSet.$Properties[]|null);

                    /** P4Info registers */
                    registers?: (p4.config.v1.Register.$Properties[]|null);

                    /** P4Info digests */
                    digests?: (p4.config.v1.Digest.$Properties[]|null);

                    /** P4Info externs */
                    externs?: (p4.config.v1.Extern.$Properties[]|null);

                    /** P4Info typeInfo */
                    typeInfo?: (p4.config.v1.P4TypeInfo.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4Info. */
                type $Shape = {
                  pkgInfo?: p4.config.v1.PkgInfo.$Shape|null;
                  tables?: p4.config.v1.Table.$Shape[]|null;
                  actions?: p4.config.v1.Action.$Shape[]|null;
                  actionProfiles?: p4.config.v1.ActionProfile.$Shape[]|null;
                  counters?: p4.config.v1.Counter.$Shape[]|null;
                  directCounters?: p4.config.v1.DirectCounter.$Shape[]|null;
                  meters?: p4.config.v1.Meter.$Shape[]|null;
                  directMeters?: p4.config.v1.DirectMeter.$Shape[]|null;
                  controllerPacketMetadata?: p4.config.v1.ControllerPacketMetadata.$Shape[]|null;
                  valueSets?: p4.config.v1.ValueSet.$Shape[]|null;
                  registers?: p4.config.v1.Register.$Shape[]|null;
                  digests?: p4.config.v1.Digest.$Shape[]|null;
                  externs?: p4.config.v1.Extern.$Shape[]|null;
                  typeInfo?: p4.config.v1.P4TypeInfo.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a Documentation.
             * @deprecated Use p4.config.v1.Documentation.$Properties instead.
             */
            interface IDocumentation extends p4.config.v1.Documentation.$Properties {
            }

            /** Represents a Documentation. */
            class Documentation {

                /**
                 * Constructs a new Documentation.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Documentation.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Documentation brief. */
                brief: string;

                /** Documentation description. */
                description: string;

                /**
                 * Creates a new Documentation instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Documentation instance
                 */
                static create(properties: p4.config.v1.Documentation.$Shape): p4.config.v1.Documentation & p4.config.v1.Documentation.$Shape;
                static create(properties?: p4.config.v1.Documentation.$Properties): p4.config.v1.Documentation;

                /**
                 * Encodes the specified Documentation message. Does not implicitly {@link p4.config.v1.Documentation.verify|verify} messages.
                 * @param message Documentation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Documentation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Documentation message, length delimited. Does not implicitly {@link p4.config.v1.Documentation.verify|verify} messages.
                 * @param message Documentation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Documentation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Documentation message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Documentation & p4.config.v1.Documentation.$Shape} Documentation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Documentation & p4.config.v1.Documentation.$Shape;

                /**
                 * Decodes a Documentation message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Documentation & p4.config.v1.Documentation.$Shape} Documentation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Documentation & p4.config.v1.Documentation.$Shape;

                /**
                 * Verifies a Documentation message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Documentation message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Documentation
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Documentation;

                /**
                 * Creates a plain object from a Documentation message. Also converts values to other types if specified.
                 * @param message Documentation
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Documentation, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Documentation to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Documentation
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Documentation {

                /** Properties of a Documentation. */
                interface $Properties {

                    /** Documentation brief */
                    brief?: (string|null);

                    /** Documentation description */
                    description?: (string|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Documentation. */
                type $Shape = p4.config.v1.Documentation.$Properties;
            }

            /**
             * Properties of a PlatformProperties.
             * @deprecated Use p4.config.v1.PlatformProperties.$Properties instead.
             */
            interface IPlatformProperties extends p4.config.v1.PlatformProperties.$Properties {
            }

            /** Represents a PlatformProperties. */
            class PlatformProperties {

                /**
                 * Constructs a new PlatformProperties.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.PlatformProperties.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** PlatformProperties multicastGroupTableSize. */
                multicastGroupTableSize: number;

                /** PlatformProperties multicastGroupTableTotalReplicas. */
                multicastGroupTableTotalReplicas: number;

                /** PlatformProperties multicastGroupTableMaxReplicasPerEntry. */
                multicastGroupTableMaxReplicasPerEntry: number;

                /**
                 * Creates a new PlatformProperties instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns PlatformProperties instance
                 */
                static create(properties: p4.config.v1.PlatformProperties.$Shape): p4.config.v1.PlatformProperties & p4.config.v1.PlatformProperties.$Shape;
                static create(properties?: p4.config.v1.PlatformProperties.$Properties): p4.config.v1.PlatformProperties;

                /**
                 * Encodes the specified PlatformProperties message. Does not implicitly {@link p4.config.v1.PlatformProperties.verify|verify} messages.
                 * @param message PlatformProperties message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.PlatformProperties.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified PlatformProperties message, length delimited. Does not implicitly {@link p4.config.v1.PlatformProperties.verify|verify} messages.
                 * @param message PlatformProperties message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.PlatformProperties.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a PlatformProperties message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.PlatformProperties & p4.config.v1.PlatformProperties.$Shape} PlatformProperties
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.PlatformProperties & p4.config.v1.PlatformProperties.$Shape;

                /**
                 * Decodes a PlatformProperties message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.PlatformProperties & p4.config.v1.PlatformProperties.$Shape} PlatformProperties
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.PlatformProperties & p4.config.v1.PlatformProperties.$Shape;

                /**
                 * Verifies a PlatformProperties message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a PlatformProperties message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns PlatformProperties
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.PlatformProperties;

                /**
                 * Creates a plain object from a PlatformProperties message. Also converts values to other types if specified.
                 * @param message PlatformProperties
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.PlatformProperties, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this PlatformProperties to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for PlatformProperties
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace PlatformProperties {

                /** Properties of a PlatformProperties. */
                interface $Properties {

                    /** PlatformProperties multicastGroupTableSize */
                    multicastGroupTableSize?: (number|null);

                    /** PlatformProperties multicastGroupTableTotalReplicas */
                    multicastGroupTableTotalReplicas?: (number|null);

                    /** PlatformProperties multicastGroupTableMaxReplicasPerEntry */
                    multicastGroupTableMaxReplicasPerEntry?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a PlatformProperties. */
                type $Shape = p4.config.v1.PlatformProperties.$Properties;
            }

            /**
             * Properties of a PkgInfo.
             * @deprecated Use p4.config.v1.PkgInfo.$Properties instead.
             */
            interface IPkgInfo extends p4.config.v1.PkgInfo.$Properties {
            }

            /** Represents a PkgInfo. */
            class PkgInfo {

                /**
                 * Constructs a new PkgInfo.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.PkgInfo.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** PkgInfo name. */
                name: string;

                /** PkgInfo version. */
                version: string;

                /** PkgInfo doc. */
                doc?: (p4.config.v1.Documentation.$Properties|null);

                /** PkgInfo annotations. */
                annotations: string[];

                /** PkgInfo annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** PkgInfo arch. */
                arch: string;

                /** PkgInfo organization. */
                organization: string;

                /** PkgInfo contact. */
                contact: string;

                /** PkgInfo url. */
                url: string;

                /** PkgInfo structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /** PkgInfo platformProperties. */
                platformProperties?: (p4.config.v1.PlatformProperties.$Properties|null);

                /**
                 * Creates a new PkgInfo instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns PkgInfo instance
                 */
                static create(properties: p4.config.v1.PkgInfo.$Shape): p4.config.v1.PkgInfo & p4.config.v1.PkgInfo.$Shape;
                static create(properties?: p4.config.v1.PkgInfo.$Properties): p4.config.v1.PkgInfo;

                /**
                 * Encodes the specified PkgInfo message. Does not implicitly {@link p4.config.v1.PkgInfo.verify|verify} messages.
                 * @param message PkgInfo message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.PkgInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified PkgInfo message, length delimited. Does not implicitly {@link p4.config.v1.PkgInfo.verify|verify} messages.
                 * @param message PkgInfo message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.PkgInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a PkgInfo message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.PkgInfo & p4.config.v1.PkgInfo.$Shape} PkgInfo
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.PkgInfo & p4.config.v1.PkgInfo.$Shape;

                /**
                 * Decodes a PkgInfo message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.PkgInfo & p4.config.v1.PkgInfo.$Shape} PkgInfo
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.PkgInfo & p4.config.v1.PkgInfo.$Shape;

                /**
                 * Verifies a PkgInfo message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a PkgInfo message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns PkgInfo
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.PkgInfo;

                /**
                 * Creates a plain object from a PkgInfo message. Also converts values to other types if specified.
                 * @param message PkgInfo
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.PkgInfo, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this PkgInfo to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for PkgInfo
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace PkgInfo {

                /** Properties of a PkgInfo. */
                interface $Properties {

                    /** PkgInfo name */
                    name?: (string|null);

                    /** PkgInfo version */
                    version?: (string|null);

                    /** PkgInfo doc */
                    doc?: (p4.config.v1.Documentation.$Properties|null);

                    /** PkgInfo annotations */
                    annotations?: (string[]|null);

                    /** PkgInfo annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** PkgInfo arch */
                    arch?: (string|null);

                    /** PkgInfo organization */
                    organization?: (string|null);

                    /** PkgInfo contact */
                    contact?: (string|null);

                    /** PkgInfo url */
                    url?: (string|null);

                    /** PkgInfo structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** PkgInfo platformProperties */
                    platformProperties?: (p4.config.v1.PlatformProperties.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a PkgInfo. */
                type $Shape = {
                  name?: string|null;
                  version?: string|null;
                  doc?: p4.config.v1.Documentation.$Shape|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  arch?: string|null;
                  organization?: string|null;
                  contact?: string|null;
                  url?: string|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  platformProperties?: p4.config.v1.PlatformProperties.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a P4Ids.
             * @deprecated Use p4.config.v1.P4Ids.$Properties instead.
             */
            interface IP4Ids extends p4.config.v1.P4Ids.$Properties {
            }

            /** Represents a P4Ids. */
            class P4Ids {

                /**
                 * Constructs a new P4Ids.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4Ids.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /**
                 * Creates a new P4Ids instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4Ids instance
                 */
                static create(properties: p4.config.v1.P4Ids.$Shape): p4.config.v1.P4Ids & p4.config.v1.P4Ids.$Shape;
                static create(properties?: p4.config.v1.P4Ids.$Properties): p4.config.v1.P4Ids;

                /**
                 * Encodes the specified P4Ids message. Does not implicitly {@link p4.config.v1.P4Ids.verify|verify} messages.
                 * @param message P4Ids message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4Ids.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4Ids message, length delimited. Does not implicitly {@link p4.config.v1.P4Ids.verify|verify} messages.
                 * @param message P4Ids message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4Ids.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4Ids message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4Ids & p4.config.v1.P4Ids.$Shape} P4Ids
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4Ids & p4.config.v1.P4Ids.$Shape;

                /**
                 * Decodes a P4Ids message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4Ids & p4.config.v1.P4Ids.$Shape} P4Ids
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4Ids & p4.config.v1.P4Ids.$Shape;

                /**
                 * Verifies a P4Ids message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4Ids message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4Ids
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4Ids;

                /**
                 * Creates a plain object from a P4Ids message. Also converts values to other types if specified.
                 * @param message P4Ids
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4Ids, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4Ids to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4Ids
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4Ids {

                /** Properties of a P4Ids. */
                interface $Properties {

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4Ids. */
                type $Shape = p4.config.v1.P4Ids.$Properties;

                /** Prefix enum. */
                enum Prefix {

                    /** UNSPECIFIED value */
                    UNSPECIFIED = 0,

                    /** ACTION value */
                    ACTION = 1,

                    /** TABLE value */
                    TABLE = 2,

                    /** VALUE_SET value */
                    VALUE_SET = 3,

                    /** CONTROLLER_HEADER value */
                    CONTROLLER_HEADER = 4,

                    /** PSA_EXTERNS_START value */
                    PSA_EXTERNS_START = 16,

                    /** ACTION_PROFILE value */
                    ACTION_PROFILE = 17,

                    /** COUNTER value */
                    COUNTER = 18,

                    /** DIRECT_COUNTER value */
                    DIRECT_COUNTER = 19,

                    /** METER value */
                    METER = 20,

                    /** DIRECT_METER value */
                    DIRECT_METER = 21,

                    /** REGISTER value */
                    REGISTER = 22,

                    /** DIGEST value */
                    DIGEST = 23,

                    /** OTHER_EXTERNS_START value */
                    OTHER_EXTERNS_START = 128,

                    /** MAX value */
                    MAX = 255
                }
            }

            /**
             * Properties of a Preamble.
             * @deprecated Use p4.config.v1.Preamble.$Properties instead.
             */
            interface IPreamble extends p4.config.v1.Preamble.$Properties {
            }

            /** Represents a Preamble. */
            class Preamble {

                /**
                 * Constructs a new Preamble.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Preamble.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Preamble id. */
                id: number;

                /** Preamble name. */
                name: string;

                /** Preamble alias. */
                alias: string;

                /** Preamble annotations. */
                annotations: string[];

                /** Preamble annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** Preamble doc. */
                doc?: (p4.config.v1.Documentation.$Properties|null);

                /** Preamble structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new Preamble instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Preamble instance
                 */
                static create(properties: p4.config.v1.Preamble.$Shape): p4.config.v1.Preamble & p4.config.v1.Preamble.$Shape;
                static create(properties?: p4.config.v1.Preamble.$Properties): p4.config.v1.Preamble;

                /**
                 * Encodes the specified Preamble message. Does not implicitly {@link p4.config.v1.Preamble.verify|verify} messages.
                 * @param message Preamble message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Preamble.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Preamble message, length delimited. Does not implicitly {@link p4.config.v1.Preamble.verify|verify} messages.
                 * @param message Preamble message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Preamble.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Preamble message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Preamble & p4.config.v1.Preamble.$Shape} Preamble
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Preamble & p4.config.v1.Preamble.$Shape;

                /**
                 * Decodes a Preamble message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Preamble & p4.config.v1.Preamble.$Shape} Preamble
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Preamble & p4.config.v1.Preamble.$Shape;

                /**
                 * Verifies a Preamble message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Preamble message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Preamble
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Preamble;

                /**
                 * Creates a plain object from a Preamble message. Also converts values to other types if specified.
                 * @param message Preamble
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Preamble, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Preamble to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Preamble
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Preamble {

                /** Properties of a Preamble. */
                interface $Properties {

                    /** Preamble id */
                    id?: (number|null);

                    /** Preamble name */
                    name?: (string|null);

                    /** Preamble alias */
                    alias?: (string|null);

                    /** Preamble annotations */
                    annotations?: (string[]|null);

                    /** Preamble annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** Preamble doc */
                    doc?: (p4.config.v1.Documentation.$Properties|null);

                    /** Preamble structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Preamble. */
                type $Shape = {
                  id?: number|null;
                  name?: string|null;
                  alias?: string|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  doc?: p4.config.v1.Documentation.$Shape|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of an Extern.
             * @deprecated Use p4.config.v1.Extern.$Properties instead.
             */
            interface IExtern extends p4.config.v1.Extern.$Properties {
            }

            /** Represents an Extern. */
            class Extern {

                /**
                 * Constructs a new Extern.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Extern.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Extern externTypeId. */
                externTypeId: number;

                /** Extern externTypeName. */
                externTypeName: string;

                /** Extern instances. */
                instances: p4.config.v1.ExternInstance.$Properties[];

                /**
                 * Creates a new Extern instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Extern instance
                 */
                static create(properties: p4.config.v1.Extern.$Shape): p4.config.v1.Extern & p4.config.v1.Extern.$Shape;
                static create(properties?: p4.config.v1.Extern.$Properties): p4.config.v1.Extern;

                /**
                 * Encodes the specified Extern message. Does not implicitly {@link p4.config.v1.Extern.verify|verify} messages.
                 * @param message Extern message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Extern.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Extern message, length delimited. Does not implicitly {@link p4.config.v1.Extern.verify|verify} messages.
                 * @param message Extern message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Extern.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an Extern message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Extern & p4.config.v1.Extern.$Shape} Extern
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Extern & p4.config.v1.Extern.$Shape;

                /**
                 * Decodes an Extern message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Extern & p4.config.v1.Extern.$Shape} Extern
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Extern & p4.config.v1.Extern.$Shape;

                /**
                 * Verifies an Extern message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an Extern message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Extern
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Extern;

                /**
                 * Creates a plain object from an Extern message. Also converts values to other types if specified.
                 * @param message Extern
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Extern, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Extern to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Extern
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Extern {

                /** Properties of an Extern. */
                interface $Properties {

                    /** Extern externTypeId */
                    externTypeId?: (number|null);

                    /** Extern externTypeName */
                    externTypeName?: (string|null);

                    /** Extern instances */
                    instances?: (p4.config.v1.ExternInstance.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an Extern. */
                type $Shape = {
                  externTypeId?: number|null;
                  externTypeName?: string|null;
                  instances?: p4.config.v1.ExternInstance.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of an ExternInstance.
             * @deprecated Use p4.config.v1.ExternInstance.$Properties instead.
             */
            interface IExternInstance extends p4.config.v1.ExternInstance.$Properties {
            }

            /** Represents an ExternInstance. */
            class ExternInstance {

                /**
                 * Constructs a new ExternInstance.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.ExternInstance.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** ExternInstance preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** ExternInstance info. */
                info?: (google.protobuf.Any.$Properties|null);

                /**
                 * Creates a new ExternInstance instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns ExternInstance instance
                 */
                static create(properties: p4.config.v1.ExternInstance.$Shape): p4.config.v1.ExternInstance & p4.config.v1.ExternInstance.$Shape;
                static create(properties?: p4.config.v1.ExternInstance.$Properties): p4.config.v1.ExternInstance;

                /**
                 * Encodes the specified ExternInstance message. Does not implicitly {@link p4.config.v1.ExternInstance.verify|verify} messages.
                 * @param message ExternInstance message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.ExternInstance.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified ExternInstance message, length delimited. Does not implicitly {@link p4.config.v1.ExternInstance.verify|verify} messages.
                 * @param message ExternInstance message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.ExternInstance.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an ExternInstance message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.ExternInstance & p4.config.v1.ExternInstance.$Shape} ExternInstance
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ExternInstance & p4.config.v1.ExternInstance.$Shape;

                /**
                 * Decodes an ExternInstance message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.ExternInstance & p4.config.v1.ExternInstance.$Shape} ExternInstance
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ExternInstance & p4.config.v1.ExternInstance.$Shape;

                /**
                 * Verifies an ExternInstance message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an ExternInstance message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns ExternInstance
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.ExternInstance;

                /**
                 * Creates a plain object from an ExternInstance message. Also converts values to other types if specified.
                 * @param message ExternInstance
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.ExternInstance, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this ExternInstance to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for ExternInstance
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace ExternInstance {

                /** Properties of an ExternInstance. */
                interface $Properties {

                    /** ExternInstance preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** ExternInstance info */
                    info?: (google.protobuf.Any.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an ExternInstance. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  info?: google.protobuf.Any.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a MatchField.
             * @deprecated Use p4.config.v1.MatchField.$Properties instead.
             */
            interface IMatchField extends p4.config.v1.MatchField.$Properties {
            }

            /** Represents a MatchField. */
            class MatchField {

                /**
                 * Constructs a new MatchField.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.MatchField.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** MatchField id. */
                id: number;

                /** MatchField name. */
                name: string;

                /** MatchField annotations. */
                annotations: string[];

                /** MatchField annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** MatchField bitwidth. */
                bitwidth: number;

                /** MatchField matchType. */
                matchType?: (p4.config.v1.MatchField.MatchType|null);

                /** MatchField otherMatchType. */
                otherMatchType?: (string|null);

                /** MatchField doc. */
                doc?: (p4.config.v1.Documentation.$Properties|null);

                /** MatchField typeName. */
                typeName?: (p4.config.v1.P4NamedType.$Properties|null);

                /** MatchField structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /** MatchField match. */
                match?: ("matchType"|"otherMatchType");

                /**
                 * Creates a new MatchField instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns MatchField instance
                 */
                static create(properties: p4.config.v1.MatchField.$Shape): p4.config.v1.MatchField & p4.config.v1.MatchField.$Shape;
                static create(properties?: p4.config.v1.MatchField.$Properties): p4.config.v1.MatchField;

                /**
                 * Encodes the specified MatchField message. Does not implicitly {@link p4.config.v1.MatchField.verify|verify} messages.
                 * @param message MatchField message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.MatchField.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified MatchField message, length delimited. Does not implicitly {@link p4.config.v1.MatchField.verify|verify} messages.
                 * @param message MatchField message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.MatchField.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a MatchField message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.MatchField & p4.config.v1.MatchField.$Shape} MatchField
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.MatchField & p4.config.v1.MatchField.$Shape;

                /**
                 * Decodes a MatchField message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.MatchField & p4.config.v1.MatchField.$Shape} MatchField
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.MatchField & p4.config.v1.MatchField.$Shape;

                /**
                 * Verifies a MatchField message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a MatchField message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns MatchField
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.MatchField;

                /**
                 * Creates a plain object from a MatchField message. Also converts values to other types if specified.
                 * @param message MatchField
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.MatchField, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this MatchField to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for MatchField
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace MatchField {

                /** Properties of a MatchField. */
                interface $Properties {

                    /** MatchField id */
                    id?: (number|null);

                    /** MatchField name */
                    name?: (string|null);

                    /** MatchField annotations */
                    annotations?: (string[]|null);

                    /** MatchField annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** MatchField bitwidth */
                    bitwidth?: (number|null);

                    /** MatchField matchType */
                    matchType?: (p4.config.v1.MatchField.MatchType|null);

                    /** MatchField otherMatchType */
                    otherMatchType?: (string|null);

                    /** MatchField doc */
                    doc?: (p4.config.v1.Documentation.$Properties|null);

                    /** MatchField typeName */
                    typeName?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** MatchField structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** MatchField match */
                    match?: ("matchType"|"otherMatchType");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a MatchField. */
                type $Shape = {
                  id?: number|null;
                  name?: string|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  bitwidth?: number|null;
                  matchType?: p4.config.v1.MatchField.MatchType|null;
                  otherMatchType?: string|null;
                  doc?: p4.config.v1.Documentation.$Shape|null;
                  typeName?: p4.config.v1.P4NamedType.$Shape|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ match?: undefined; matchType?: null; otherMatchType?: null }|{ match?: "matchType"; matchType: p4.config.v1.MatchField.MatchType; otherMatchType?: null }|{ match?: "otherMatchType"; matchType?: null; otherMatchType: string })
                );

                /** MatchType enum. */
                enum MatchType {

                    /** UNSPECIFIED value */
                    UNSPECIFIED = 0,

                    /** EXACT value */
                    EXACT = 2,

                    /** LPM value */
                    LPM = 3,

                    /** TERNARY value */
                    TERNARY = 4,

                    /** RANGE value */
                    RANGE = 5,

                    /** OPTIONAL value */
                    OPTIONAL = 6
                }
            }

            /**
             * Properties of a TableActionCall.
             * @deprecated Use p4.config.v1.TableActionCall.$Properties instead.
             */
            interface ITableActionCall extends p4.config.v1.TableActionCall.$Properties {
            }

            /** Represents a TableActionCall. */
            class TableActionCall {

                /**
                 * Constructs a new TableActionCall.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.TableActionCall.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** TableActionCall actionId. */
                actionId: number;

                /** TableActionCall arguments. */
                arguments: p4.config.v1.TableActionCall.Argument.$Properties[];

                /**
                 * Creates a new TableActionCall instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns TableActionCall instance
                 */
                static create(properties: p4.config.v1.TableActionCall.$Shape): p4.config.v1.TableActionCall & p4.config.v1.TableActionCall.$Shape;
                static create(properties?: p4.config.v1.TableActionCall.$Properties): p4.config.v1.TableActionCall;

                /**
                 * Encodes the specified TableActionCall message. Does not implicitly {@link p4.config.v1.TableActionCall.verify|verify} messages.
                 * @param message TableActionCall message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.TableActionCall.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified TableActionCall message, length delimited. Does not implicitly {@link p4.config.v1.TableActionCall.verify|verify} messages.
                 * @param message TableActionCall message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.TableActionCall.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a TableActionCall message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.TableActionCall & p4.config.v1.TableActionCall.$Shape} TableActionCall
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.TableActionCall & p4.config.v1.TableActionCall.$Shape;

                /**
                 * Decodes a TableActionCall message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.TableActionCall & p4.config.v1.TableActionCall.$Shape} TableActionCall
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.TableActionCall & p4.config.v1.TableActionCall.$Shape;

                /**
                 * Verifies a TableActionCall message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a TableActionCall message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns TableActionCall
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.TableActionCall;

                /**
                 * Creates a plain object from a TableActionCall message. Also converts values to other types if specified.
                 * @param message TableActionCall
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.TableActionCall, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this TableActionCall to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for TableActionCall
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace TableActionCall {

                /** Properties of a TableActionCall. */
                interface $Properties {

                    /** TableActionCall actionId */
                    actionId?: (number|null);

                    /** TableActionCall arguments */
                    "arguments"?: (p4.config.v1.TableActionCall.Argument.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a TableActionCall. */
                type $Shape = p4.config.v1.TableActionCall.$Properties;

                /**
                 * Properties of an Argument.
                 * @deprecated Use p4.config.v1.TableActionCall.Argument.$Properties instead.
                 */
                interface IArgument extends p4.config.v1.TableActionCall.Argument.$Properties {
                }

                /** Represents an Argument. */
                class Argument {

                    /**
                     * Constructs a new Argument.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.TableActionCall.Argument.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Argument paramId. */
                    paramId: number;

                    /** Argument value. */
                    value: Uint8Array;

                    /**
                     * Creates a new Argument instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Argument instance
                     */
                    static create(properties: p4.config.v1.TableActionCall.Argument.$Shape): p4.config.v1.TableActionCall.Argument & p4.config.v1.TableActionCall.Argument.$Shape;
                    static create(properties?: p4.config.v1.TableActionCall.Argument.$Properties): p4.config.v1.TableActionCall.Argument;

                    /**
                     * Encodes the specified Argument message. Does not implicitly {@link p4.config.v1.TableActionCall.Argument.verify|verify} messages.
                     * @param message Argument message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.TableActionCall.Argument.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Argument message, length delimited. Does not implicitly {@link p4.config.v1.TableActionCall.Argument.verify|verify} messages.
                     * @param message Argument message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.TableActionCall.Argument.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes an Argument message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.TableActionCall.Argument & p4.config.v1.TableActionCall.Argument.$Shape} Argument
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.TableActionCall.Argument & p4.config.v1.TableActionCall.Argument.$Shape;

                    /**
                     * Decodes an Argument message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.TableActionCall.Argument & p4.config.v1.TableActionCall.Argument.$Shape} Argument
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.TableActionCall.Argument & p4.config.v1.TableActionCall.Argument.$Shape;

                    /**
                     * Verifies an Argument message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates an Argument message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Argument
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.TableActionCall.Argument;

                    /**
                     * Creates a plain object from an Argument message. Also converts values to other types if specified.
                     * @param message Argument
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.TableActionCall.Argument, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Argument to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Argument
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Argument {

                    /** Properties of an Argument. */
                    interface $Properties {

                        /** Argument paramId */
                        paramId?: (number|null);

                        /** Argument value */
                        value?: (Uint8Array|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of an Argument. */
                    type $Shape = p4.config.v1.TableActionCall.Argument.$Properties;
                }
            }

            /**
             * Properties of a Table.
             * @deprecated Use p4.config.v1.Table.$Properties instead.
             */
            interface ITable extends p4.config.v1.Table.$Properties {
            }

            /** Represents a Table. */
            class Table {

                /**
                 * Constructs a new Table.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Table.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Table preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** Table matchFields. */
                matchFields: p4.config.v1.MatchField.$Properties[];

                /** Table actionRefs. */
                actionRefs: p4.config.v1.ActionRef.$Properties[];

                /** Table constDefaultActionId. */
                constDefaultActionId: number;

                /** Table initialDefaultAction. */
                initialDefaultAction?: (p4.config.v1.TableActionCall.$Properties|null);

                /** Table implementationId. */
                implementationId: number;

                /** Table directResourceIds. */
                directResourceIds: number[];

                /** Table size. */
                size: (number|Long);

                /** Table idleTimeoutBehavior. */
                idleTimeoutBehavior: p4.config.v1.Table.IdleTimeoutBehavior;

                /** Table isConstTable. */
                isConstTable: boolean;

                /** Table hasInitialEntries. */
                hasInitialEntries: boolean;

                /** Table otherProperties. */
                otherProperties?: (google.protobuf.Any.$Properties|null);

                /**
                 * Creates a new Table instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Table instance
                 */
                static create(properties: p4.config.v1.Table.$Shape): p4.config.v1.Table & p4.config.v1.Table.$Shape;
                static create(properties?: p4.config.v1.Table.$Properties): p4.config.v1.Table;

                /**
                 * Encodes the specified Table message. Does not implicitly {@link p4.config.v1.Table.verify|verify} messages.
                 * @param message Table message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Table.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Table message, length delimited. Does not implicitly {@link p4.config.v1.Table.verify|verify} messages.
                 * @param message Table message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Table.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Table message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Table & p4.config.v1.Table.$Shape} Table
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Table & p4.config.v1.Table.$Shape;

                /**
                 * Decodes a Table message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Table & p4.config.v1.Table.$Shape} Table
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Table & p4.config.v1.Table.$Shape;

                /**
                 * Verifies a Table message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Table message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Table
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Table;

                /**
                 * Creates a plain object from a Table message. Also converts values to other types if specified.
                 * @param message Table
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Table, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Table to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Table
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Table {

                /** Properties of a Table. */
                interface $Properties {

                    /** Table preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** Table matchFields */
                    matchFields?: (p4.config.v1.MatchField.$Properties[]|null);

                    /** Table actionRefs */
                    actionRefs?: (p4.config.v1.ActionRef.$Properties[]|null);

                    /** Table constDefaultActionId */
                    constDefaultActionId?: (number|null);

                    /** Table initialDefaultAction */
                    initialDefaultAction?: (p4.config.v1.TableActionCall.$Properties|null);

                    /** Table implementationId */
                    implementationId?: (number|null);

                    /** Table directResourceIds */
                    directResourceIds?: (number[]|null);

                    /** Table size */
                    size?: (number|Long|null);

                    /** Table idleTimeoutBehavior */
                    idleTimeoutBehavior?: (p4.config.v1.Table.IdleTimeoutBehavior|null);

                    /** Table isConstTable */
                    isConstTable?: (boolean|null);

                    /** Table hasInitialEntries */
                    hasInitialEntries?: (boolean|null);

                    /** Table otherProperties */
                    otherProperties?: (google.protobuf.Any.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Table. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  matchFields?: p4.config.v1.MatchField.$Shape[]|null;
                  actionRefs?: p4.config.v1.ActionRef.$Shape[]|null;
                  constDefaultActionId?: number|null;
                  initialDefaultAction?: p4.config.v1.TableActionCall.$Shape|null;
                  implementationId?: number|null;
                  directResourceIds?: number[]|null;
                  size?: number|Long|null;
                  idleTimeoutBehavior?: p4.config.v1.Table.IdleTimeoutBehavior|null;
                  isConstTable?: boolean|null;
                  hasInitialEntries?: boolean|null;
                  otherProperties?: google.protobuf.Any.$Shape|null;
                  $unknowns?: Uint8Array[];
                };

                /** IdleTimeoutBehavior enum. */
                enum IdleTimeoutBehavior {

                    /** NO_TIMEOUT value */
                    NO_TIMEOUT = 0,

                    /** NOTIFY_CONTROL value */
                    NOTIFY_CONTROL = 1
                }
            }

            /**
             * Properties of an ActionRef.
             * @deprecated Use p4.config.v1.ActionRef.$Properties instead.
             */
            interface IActionRef extends p4.config.v1.ActionRef.$Properties {
            }

            /** Represents an ActionRef. */
            class ActionRef {

                /**
                 * Constructs a new ActionRef.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.ActionRef.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** ActionRef id. */
                id: number;

                /** ActionRef scope. */
                scope: p4.config.v1.ActionRef.Scope;

                /** ActionRef annotations. */
                annotations: string[];

                /** ActionRef annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** ActionRef structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new ActionRef instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns ActionRef instance
                 */
                static create(properties: p4.config.v1.ActionRef.$Shape): p4.config.v1.ActionRef & p4.config.v1.ActionRef.$Shape;
                static create(properties?: p4.config.v1.ActionRef.$Properties): p4.config.v1.ActionRef;

                /**
                 * Encodes the specified ActionRef message. Does not implicitly {@link p4.config.v1.ActionRef.verify|verify} messages.
                 * @param message ActionRef message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.ActionRef.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified ActionRef message, length delimited. Does not implicitly {@link p4.config.v1.ActionRef.verify|verify} messages.
                 * @param message ActionRef message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.ActionRef.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an ActionRef message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.ActionRef & p4.config.v1.ActionRef.$Shape} ActionRef
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ActionRef & p4.config.v1.ActionRef.$Shape;

                /**
                 * Decodes an ActionRef message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.ActionRef & p4.config.v1.ActionRef.$Shape} ActionRef
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ActionRef & p4.config.v1.ActionRef.$Shape;

                /**
                 * Verifies an ActionRef message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an ActionRef message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns ActionRef
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.ActionRef;

                /**
                 * Creates a plain object from an ActionRef message. Also converts values to other types if specified.
                 * @param message ActionRef
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.ActionRef, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this ActionRef to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for ActionRef
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace ActionRef {

                /** Properties of an ActionRef. */
                interface $Properties {

                    /** ActionRef id */
                    id?: (number|null);

                    /** ActionRef scope */
                    scope?: (p4.config.v1.ActionRef.Scope|null);

                    /** ActionRef annotations */
                    annotations?: (string[]|null);

                    /** ActionRef annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** ActionRef structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an ActionRef. */
                type $Shape = {
                  id?: number|null;
                  scope?: p4.config.v1.ActionRef.Scope|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /** Scope enum. */
                enum Scope {

                    /** TABLE_AND_DEFAULT value */
                    TABLE_AND_DEFAULT = 0,

                    /** TABLE_ONLY value */
                    TABLE_ONLY = 1,

                    /** DEFAULT_ONLY value */
                    DEFAULT_ONLY = 2,

                    /** GROUP_ACTION value */
                    GROUP_ACTION = 3
                }
            }

            /**
             * Properties of an Action.
             * @deprecated Use p4.config.v1.Action.$Properties instead.
             */
            interface IAction extends p4.config.v1.Action.$Properties {
            }

            /** Represents an Action. */
            class Action {

                /**
                 * Constructs a new Action.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Action.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Action preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** Action params. */
                params: p4.config.v1.Action.Param.$Properties[];

                /**
                 * Creates a new Action instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Action instance
                 */
                static create(properties: p4.config.v1.Action.$Shape): p4.config.v1.Action & p4.config.v1.Action.$Shape;
                static create(properties?: p4.config.v1.Action.$Properties): p4.config.v1.Action;

                /**
                 * Encodes the specified Action message. Does not implicitly {@link p4.config.v1.Action.verify|verify} messages.
                 * @param message Action message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Action.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Action message, length delimited. Does not implicitly {@link p4.config.v1.Action.verify|verify} messages.
                 * @param message Action message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Action.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an Action message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Action & p4.config.v1.Action.$Shape} Action
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Action & p4.config.v1.Action.$Shape;

                /**
                 * Decodes an Action message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Action & p4.config.v1.Action.$Shape} Action
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Action & p4.config.v1.Action.$Shape;

                /**
                 * Verifies an Action message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an Action message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Action
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Action;

                /**
                 * Creates a plain object from an Action message. Also converts values to other types if specified.
                 * @param message Action
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Action, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Action to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Action
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Action {

                /** Properties of an Action. */
                interface $Properties {

                    /** Action preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** Action params */
                    params?: (p4.config.v1.Action.Param.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an Action. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  params?: p4.config.v1.Action.Param.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Param.
                 * @deprecated Use p4.config.v1.Action.Param.$Properties instead.
                 */
                interface IParam extends p4.config.v1.Action.Param.$Properties {
                }

                /** Represents a Param. */
                class Param {

                    /**
                     * Constructs a new Param.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.Action.Param.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Param id. */
                    id: number;

                    /** Param name. */
                    name: string;

                    /** Param annotations. */
                    annotations: string[];

                    /** Param annotationLocations. */
                    annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                    /** Param bitwidth. */
                    bitwidth: number;

                    /** Param doc. */
                    doc?: (p4.config.v1.Documentation.$Properties|null);

                    /** Param typeName. */
                    typeName?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** Param structuredAnnotations. */
                    structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                    /**
                     * Creates a new Param instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Param instance
                     */
                    static create(properties: p4.config.v1.Action.Param.$Shape): p4.config.v1.Action.Param & p4.config.v1.Action.Param.$Shape;
                    static create(properties?: p4.config.v1.Action.Param.$Properties): p4.config.v1.Action.Param;

                    /**
                     * Encodes the specified Param message. Does not implicitly {@link p4.config.v1.Action.Param.verify|verify} messages.
                     * @param message Param message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.Action.Param.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Param message, length delimited. Does not implicitly {@link p4.config.v1.Action.Param.verify|verify} messages.
                     * @param message Param message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.Action.Param.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Param message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.Action.Param & p4.config.v1.Action.Param.$Shape} Param
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Action.Param & p4.config.v1.Action.Param.$Shape;

                    /**
                     * Decodes a Param message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.Action.Param & p4.config.v1.Action.Param.$Shape} Param
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Action.Param & p4.config.v1.Action.Param.$Shape;

                    /**
                     * Verifies a Param message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Param message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Param
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.Action.Param;

                    /**
                     * Creates a plain object from a Param message. Also converts values to other types if specified.
                     * @param message Param
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.Action.Param, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Param to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Param
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Param {

                    /** Properties of a Param. */
                    interface $Properties {

                        /** Param id */
                        id?: (number|null);

                        /** Param name */
                        name?: (string|null);

                        /** Param annotations */
                        annotations?: (string[]|null);

                        /** Param annotationLocations */
                        annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                        /** Param bitwidth */
                        bitwidth?: (number|null);

                        /** Param doc */
                        doc?: (p4.config.v1.Documentation.$Properties|null);

                        /** Param typeName */
                        typeName?: (p4.config.v1.P4NamedType.$Properties|null);

                        /** Param structuredAnnotations */
                        structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Param. */
                    type $Shape = {
                      id?: number|null;
                      name?: string|null;
                      annotations?: string[]|null;
                      annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                      bitwidth?: number|null;
                      doc?: p4.config.v1.Documentation.$Shape|null;
                      typeName?: p4.config.v1.P4NamedType.$Shape|null;
                      structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                      $unknowns?: Uint8Array[];
                    };
                }
            }

            /**
             * Properties of an ActionProfile.
             * @deprecated Use p4.config.v1.ActionProfile.$Properties instead.
             */
            interface IActionProfile extends p4.config.v1.ActionProfile.$Properties {
            }

            /** Represents an ActionProfile. */
            class ActionProfile {

                /**
                 * Constructs a new ActionProfile.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.ActionProfile.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** ActionProfile preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** ActionProfile tableIds. */
                tableIds: number[];

                /** ActionProfile withSelector. */
                withSelector: boolean;

                /** ActionProfile size. */
                size: (number|Long);

                /** ActionProfile maxGroupSize. */
                maxGroupSize: number;

                /** ActionProfile sumOfWeights. */
                sumOfWeights?: (p4.config.v1.ActionProfile.SumOfWeights.$Properties|null);

                /** ActionProfile sumOfMembers. */
                sumOfMembers?: (p4.config.v1.ActionProfile.SumOfMembers.$Properties|null);

                /** ActionProfile weightsDisallowed. */
                weightsDisallowed: boolean;

                /** ActionProfile selectorSizeSemantics. */
                selectorSizeSemantics?: ("sumOfWeights"|"sumOfMembers");

                /**
                 * Creates a new ActionProfile instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns ActionProfile instance
                 */
                static create(properties: p4.config.v1.ActionProfile.$Shape): p4.config.v1.ActionProfile & p4.config.v1.ActionProfile.$Shape;
                static create(properties?: p4.config.v1.ActionProfile.$Properties): p4.config.v1.ActionProfile;

                /**
                 * Encodes the specified ActionProfile message. Does not implicitly {@link p4.config.v1.ActionProfile.verify|verify} messages.
                 * @param message ActionProfile message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.ActionProfile.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified ActionProfile message, length delimited. Does not implicitly {@link p4.config.v1.ActionProfile.verify|verify} messages.
                 * @param message ActionProfile message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.ActionProfile.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an ActionProfile message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.ActionProfile & p4.config.v1.ActionProfile.$Shape} ActionProfile
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ActionProfile & p4.config.v1.ActionProfile.$Shape;

                /**
                 * Decodes an ActionProfile message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.ActionProfile & p4.config.v1.ActionProfile.$Shape} ActionProfile
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ActionProfile & p4.config.v1.ActionProfile.$Shape;

                /**
                 * Verifies an ActionProfile message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an ActionProfile message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns ActionProfile
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.ActionProfile;

                /**
                 * Creates a plain object from an ActionProfile message. Also converts values to other types if specified.
                 * @param message ActionProfile
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.ActionProfile, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this ActionProfile to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for ActionProfile
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace ActionProfile {

                /** Properties of an ActionProfile. */
                interface $Properties {

                    /** ActionProfile preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** ActionProfile tableIds */
                    tableIds?: (number[]|null);

                    /** ActionProfile withSelector */
                    withSelector?: (boolean|null);

                    /** ActionProfile size */
                    size?: (number|Long|null);

                    /** ActionProfile maxGroupSize */
                    maxGroupSize?: (number|null);

                    /** ActionProfile sumOfWeights */
                    sumOfWeights?: (p4.config.v1.ActionProfile.SumOfWeights.$Properties|null);

                    /** ActionProfile sumOfMembers */
                    sumOfMembers?: (p4.config.v1.ActionProfile.SumOfMembers.$Properties|null);

                    /** ActionProfile weightsDisallowed */
                    weightsDisallowed?: (boolean|null);

                    /** ActionProfile selectorSizeSemantics */
                    selectorSizeSemantics?: ("sumOfWeights"|"sumOfMembers");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of an ActionProfile. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  tableIds?: number[]|null;
                  withSelector?: boolean|null;
                  size?: number|Long|null;
                  maxGroupSize?: number|null;
                  sumOfWeights?: p4.config.v1.ActionProfile.SumOfWeights.$Shape|null;
                  sumOfMembers?: p4.config.v1.ActionProfile.SumOfMembers.$Shape|null;
                  weightsDisallowed?: boolean|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ selectorSizeSemantics?: undefined; sumOfWeights?: null; sumOfMembers?: null }|{ selectorSizeSemantics?: "sumOfWeights"; sumOfWeights: p4.config.v1.ActionProfile.SumOfWeights.$Shape; sumOfMembers?: null }|{ selectorSizeSemantics?: "sumOfMembers"; sumOfWeights?: null; sumOfMembers: p4.config.v1.ActionProfile.SumOfMembers.$Shape })
                );

                /**
                 * Properties of a SumOfWeights.
                 * @deprecated Use p4.config.v1.ActionProfile.SumOfWeights.$Properties instead.
                 */
                interface ISumOfWeights extends p4.config.v1.ActionProfile.SumOfWeights.$Properties {
                }

                /** Represents a SumOfWeights. */
                class SumOfWeights {

                    /**
                     * Constructs a new SumOfWeights.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.ActionProfile.SumOfWeights.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /**
                     * Creates a new SumOfWeights instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns SumOfWeights instance
                     */
                    static create(properties: p4.config.v1.ActionProfile.SumOfWeights.$Shape): p4.config.v1.ActionProfile.SumOfWeights & p4.config.v1.ActionProfile.SumOfWeights.$Shape;
                    static create(properties?: p4.config.v1.ActionProfile.SumOfWeights.$Properties): p4.config.v1.ActionProfile.SumOfWeights;

                    /**
                     * Encodes the specified SumOfWeights message. Does not implicitly {@link p4.config.v1.ActionProfile.SumOfWeights.verify|verify} messages.
                     * @param message SumOfWeights message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.ActionProfile.SumOfWeights.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified SumOfWeights message, length delimited. Does not implicitly {@link p4.config.v1.ActionProfile.SumOfWeights.verify|verify} messages.
                     * @param message SumOfWeights message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.ActionProfile.SumOfWeights.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a SumOfWeights message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.ActionProfile.SumOfWeights & p4.config.v1.ActionProfile.SumOfWeights.$Shape} SumOfWeights
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ActionProfile.SumOfWeights & p4.config.v1.ActionProfile.SumOfWeights.$Shape;

                    /**
                     * Decodes a SumOfWeights message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.ActionProfile.SumOfWeights & p4.config.v1.ActionProfile.SumOfWeights.$Shape} SumOfWeights
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ActionProfile.SumOfWeights & p4.config.v1.ActionProfile.SumOfWeights.$Shape;

                    /**
                     * Verifies a SumOfWeights message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a SumOfWeights message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns SumOfWeights
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.ActionProfile.SumOfWeights;

                    /**
                     * Creates a plain object from a SumOfWeights message. Also converts values to other types if specified.
                     * @param message SumOfWeights
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.ActionProfile.SumOfWeights, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this SumOfWeights to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for SumOfWeights
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace SumOfWeights {

                    /** Properties of a SumOfWeights. */
                    interface $Properties {

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a SumOfWeights. */
                    type $Shape = p4.config.v1.ActionProfile.SumOfWeights.$Properties;
                }

                /**
                 * Properties of a SumOfMembers.
                 * @deprecated Use p4.config.v1.ActionProfile.SumOfMembers.$Properties instead.
                 */
                interface ISumOfMembers extends p4.config.v1.ActionProfile.SumOfMembers.$Properties {
                }

                /** Represents a SumOfMembers. */
                class SumOfMembers {

                    /**
                     * Constructs a new SumOfMembers.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.ActionProfile.SumOfMembers.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** SumOfMembers maxMemberWeight. */
                    maxMemberWeight: number;

                    /**
                     * Creates a new SumOfMembers instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns SumOfMembers instance
                     */
                    static create(properties: p4.config.v1.ActionProfile.SumOfMembers.$Shape): p4.config.v1.ActionProfile.SumOfMembers & p4.config.v1.ActionProfile.SumOfMembers.$Shape;
                    static create(properties?: p4.config.v1.ActionProfile.SumOfMembers.$Properties): p4.config.v1.ActionProfile.SumOfMembers;

                    /**
                     * Encodes the specified SumOfMembers message. Does not implicitly {@link p4.config.v1.ActionProfile.SumOfMembers.verify|verify} messages.
                     * @param message SumOfMembers message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.ActionProfile.SumOfMembers.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified SumOfMembers message, length delimited. Does not implicitly {@link p4.config.v1.ActionProfile.SumOfMembers.verify|verify} messages.
                     * @param message SumOfMembers message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.ActionProfile.SumOfMembers.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a SumOfMembers message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.ActionProfile.SumOfMembers & p4.config.v1.ActionProfile.SumOfMembers.$Shape} SumOfMembers
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ActionProfile.SumOfMembers & p4.config.v1.ActionProfile.SumOfMembers.$Shape;

                    /**
                     * Decodes a SumOfMembers message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.ActionProfile.SumOfMembers & p4.config.v1.ActionProfile.SumOfMembers.$Shape} SumOfMembers
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ActionProfile.SumOfMembers & p4.config.v1.ActionProfile.SumOfMembers.$Shape;

                    /**
                     * Verifies a SumOfMembers message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a SumOfMembers message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns SumOfMembers
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.ActionProfile.SumOfMembers;

                    /**
                     * Creates a plain object from a SumOfMembers message. Also converts values to other types if specified.
                     * @param message SumOfMembers
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.ActionProfile.SumOfMembers, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this SumOfMembers to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for SumOfMembers
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace SumOfMembers {

                    /** Properties of a SumOfMembers. */
                    interface $Properties {

                        /** SumOfMembers maxMemberWeight */
                        maxMemberWeight?: (number|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a SumOfMembers. */
                    type $Shape = p4.config.v1.ActionProfile.SumOfMembers.$Properties;
                }
            }

            /**
             * Properties of a CounterSpec.
             * @deprecated Use p4.config.v1.CounterSpec.$Properties instead.
             */
            interface ICounterSpec extends p4.config.v1.CounterSpec.$Properties {
            }

            /** Represents a CounterSpec. */
            class CounterSpec {

                /**
                 * Constructs a new CounterSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.CounterSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** CounterSpec unit. */
                unit: p4.config.v1.CounterSpec.Unit;

                /**
                 * Creates a new CounterSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns CounterSpec instance
                 */
                static create(properties: p4.config.v1.CounterSpec.$Shape): p4.config.v1.CounterSpec & p4.config.v1.CounterSpec.$Shape;
                static create(properties?: p4.config.v1.CounterSpec.$Properties): p4.config.v1.CounterSpec;

                /**
                 * Encodes the specified CounterSpec message. Does not implicitly {@link p4.config.v1.CounterSpec.verify|verify} messages.
                 * @param message CounterSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.CounterSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified CounterSpec message, length delimited. Does not implicitly {@link p4.config.v1.CounterSpec.verify|verify} messages.
                 * @param message CounterSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.CounterSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a CounterSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.CounterSpec & p4.config.v1.CounterSpec.$Shape} CounterSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.CounterSpec & p4.config.v1.CounterSpec.$Shape;

                /**
                 * Decodes a CounterSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.CounterSpec & p4.config.v1.CounterSpec.$Shape} CounterSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.CounterSpec & p4.config.v1.CounterSpec.$Shape;

                /**
                 * Verifies a CounterSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a CounterSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns CounterSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.CounterSpec;

                /**
                 * Creates a plain object from a CounterSpec message. Also converts values to other types if specified.
                 * @param message CounterSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.CounterSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this CounterSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for CounterSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace CounterSpec {

                /** Properties of a CounterSpec. */
                interface $Properties {

                    /** CounterSpec unit */
                    unit?: (p4.config.v1.CounterSpec.Unit|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a CounterSpec. */
                type $Shape = p4.config.v1.CounterSpec.$Properties;

                /** Unit enum. */
                enum Unit {

                    /** UNSPECIFIED value */
                    UNSPECIFIED = 0,

                    /** BYTES value */
                    BYTES = 1,

                    /** PACKETS value */
                    PACKETS = 2,

                    /** BOTH value */
                    BOTH = 3
                }
            }

            /**
             * Properties of a Counter.
             * @deprecated Use p4.config.v1.Counter.$Properties instead.
             */
            interface ICounter extends p4.config.v1.Counter.$Properties {
            }

            /** Represents a Counter. */
            class Counter {

                /**
                 * Constructs a new Counter.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Counter.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Counter preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** Counter spec. */
                spec?: (p4.config.v1.CounterSpec.$Properties|null);

                /** Counter size. */
                size: (number|Long);

                /** Counter indexTypeName. */
                indexTypeName?: (p4.config.v1.P4NamedType.$Properties|null);

                /**
                 * Creates a new Counter instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Counter instance
                 */
                static create(properties: p4.config.v1.Counter.$Shape): p4.config.v1.Counter & p4.config.v1.Counter.$Shape;
                static create(properties?: p4.config.v1.Counter.$Properties): p4.config.v1.Counter;

                /**
                 * Encodes the specified Counter message. Does not implicitly {@link p4.config.v1.Counter.verify|verify} messages.
                 * @param message Counter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Counter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Counter message, length delimited. Does not implicitly {@link p4.config.v1.Counter.verify|verify} messages.
                 * @param message Counter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Counter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Counter message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Counter & p4.config.v1.Counter.$Shape} Counter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Counter & p4.config.v1.Counter.$Shape;

                /**
                 * Decodes a Counter message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Counter & p4.config.v1.Counter.$Shape} Counter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Counter & p4.config.v1.Counter.$Shape;

                /**
                 * Verifies a Counter message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Counter message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Counter
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Counter;

                /**
                 * Creates a plain object from a Counter message. Also converts values to other types if specified.
                 * @param message Counter
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Counter, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Counter to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Counter
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Counter {

                /** Properties of a Counter. */
                interface $Properties {

                    /** Counter preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** Counter spec */
                    spec?: (p4.config.v1.CounterSpec.$Properties|null);

                    /** Counter size */
                    size?: (number|Long|null);

                    /** Counter indexTypeName */
                    indexTypeName?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Counter. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  spec?: p4.config.v1.CounterSpec.$Shape|null;
                  size?: number|Long|null;
                  indexTypeName?: p4.config.v1.P4NamedType.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a DirectCounter.
             * @deprecated Use p4.config.v1.DirectCounter.$Properties instead.
             */
            interface IDirectCounter extends p4.config.v1.DirectCounter.$Properties {
            }

            /** Represents a DirectCounter. */
            class DirectCounter {

                /**
                 * Constructs a new DirectCounter.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.DirectCounter.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** DirectCounter preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** DirectCounter spec. */
                spec?: (p4.config.v1.CounterSpec.$Properties|null);

                /** DirectCounter directTableId. */
                directTableId: number;

                /**
                 * Creates a new DirectCounter instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns DirectCounter instance
                 */
                static create(properties: p4.config.v1.DirectCounter.$Shape): p4.config.v1.DirectCounter & p4.config.v1.DirectCounter.$Shape;
                static create(properties?: p4.config.v1.DirectCounter.$Properties): p4.config.v1.DirectCounter;

                /**
                 * Encodes the specified DirectCounter message. Does not implicitly {@link p4.config.v1.DirectCounter.verify|verify} messages.
                 * @param message DirectCounter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.DirectCounter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified DirectCounter message, length delimited. Does not implicitly {@link p4.config.v1.DirectCounter.verify|verify} messages.
                 * @param message DirectCounter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.DirectCounter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a DirectCounter message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.DirectCounter & p4.config.v1.DirectCounter.$Shape} DirectCounter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.DirectCounter & p4.config.v1.DirectCounter.$Shape;

                /**
                 * Decodes a DirectCounter message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.DirectCounter & p4.config.v1.DirectCounter.$Shape} DirectCounter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.DirectCounter & p4.config.v1.DirectCounter.$Shape;

                /**
                 * Verifies a DirectCounter message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a DirectCounter message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns DirectCounter
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.DirectCounter;

                /**
                 * Creates a plain object from a DirectCounter message. Also converts values to other types if specified.
                 * @param message DirectCounter
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.DirectCounter, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this DirectCounter to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for DirectCounter
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace DirectCounter {

                /** Properties of a DirectCounter. */
                interface $Properties {

                    /** DirectCounter preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** DirectCounter spec */
                    spec?: (p4.config.v1.CounterSpec.$Properties|null);

                    /** DirectCounter directTableId */
                    directTableId?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a DirectCounter. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  spec?: p4.config.v1.CounterSpec.$Shape|null;
                  directTableId?: number|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a MeterSpec.
             * @deprecated Use p4.config.v1.MeterSpec.$Properties instead.
             */
            interface IMeterSpec extends p4.config.v1.MeterSpec.$Properties {
            }

            /** Represents a MeterSpec. */
            class MeterSpec {

                /**
                 * Constructs a new MeterSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.MeterSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** MeterSpec unit. */
                unit: p4.config.v1.MeterSpec.Unit;

                /** MeterSpec type. */
                type: p4.config.v1.MeterSpec.Type;

                /**
                 * Creates a new MeterSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns MeterSpec instance
                 */
                static create(properties: p4.config.v1.MeterSpec.$Shape): p4.config.v1.MeterSpec & p4.config.v1.MeterSpec.$Shape;
                static create(properties?: p4.config.v1.MeterSpec.$Properties): p4.config.v1.MeterSpec;

                /**
                 * Encodes the specified MeterSpec message. Does not implicitly {@link p4.config.v1.MeterSpec.verify|verify} messages.
                 * @param message MeterSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.MeterSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified MeterSpec message, length delimited. Does not implicitly {@link p4.config.v1.MeterSpec.verify|verify} messages.
                 * @param message MeterSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.MeterSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a MeterSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.MeterSpec & p4.config.v1.MeterSpec.$Shape} MeterSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.MeterSpec & p4.config.v1.MeterSpec.$Shape;

                /**
                 * Decodes a MeterSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.MeterSpec & p4.config.v1.MeterSpec.$Shape} MeterSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.MeterSpec & p4.config.v1.MeterSpec.$Shape;

                /**
                 * Verifies a MeterSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a MeterSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns MeterSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.MeterSpec;

                /**
                 * Creates a plain object from a MeterSpec message. Also converts values to other types if specified.
                 * @param message MeterSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.MeterSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this MeterSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for MeterSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace MeterSpec {

                /** Properties of a MeterSpec. */
                interface $Properties {

                    /** MeterSpec unit */
                    unit?: (p4.config.v1.MeterSpec.Unit|null);

                    /** MeterSpec type */
                    type?: (p4.config.v1.MeterSpec.Type|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a MeterSpec. */
                type $Shape = p4.config.v1.MeterSpec.$Properties;

                /** Unit enum. */
                enum Unit {

                    /** UNSPECIFIED value */
                    UNSPECIFIED = 0,

                    /** BYTES value */
                    BYTES = 1,

                    /** PACKETS value */
                    PACKETS = 2
                }

                /** Type enum. */
                enum Type {

                    /** TWO_RATE_THREE_COLOR value */
                    TWO_RATE_THREE_COLOR = 0,

                    /** SINGLE_RATE_THREE_COLOR value */
                    SINGLE_RATE_THREE_COLOR = 1,

                    /** SINGLE_RATE_TWO_COLOR value */
                    SINGLE_RATE_TWO_COLOR = 2
                }
            }

            /**
             * Properties of a Meter.
             * @deprecated Use p4.config.v1.Meter.$Properties instead.
             */
            interface IMeter extends p4.config.v1.Meter.$Properties {
            }

            /** Represents a Meter. */
            class Meter {

                /**
                 * Constructs a new Meter.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Meter.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Meter preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** Meter spec. */
                spec?: (p4.config.v1.MeterSpec.$Properties|null);

                /** Meter size. */
                size: (number|Long);

                /** Meter indexTypeName. */
                indexTypeName?: (p4.config.v1.P4NamedType.$Properties|null);

                /**
                 * Creates a new Meter instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Meter instance
                 */
                static create(properties: p4.config.v1.Meter.$Shape): p4.config.v1.Meter & p4.config.v1.Meter.$Shape;
                static create(properties?: p4.config.v1.Meter.$Properties): p4.config.v1.Meter;

                /**
                 * Encodes the specified Meter message. Does not implicitly {@link p4.config.v1.Meter.verify|verify} messages.
                 * @param message Meter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Meter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Meter message, length delimited. Does not implicitly {@link p4.config.v1.Meter.verify|verify} messages.
                 * @param message Meter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Meter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Meter message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Meter & p4.config.v1.Meter.$Shape} Meter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Meter & p4.config.v1.Meter.$Shape;

                /**
                 * Decodes a Meter message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Meter & p4.config.v1.Meter.$Shape} Meter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Meter & p4.config.v1.Meter.$Shape;

                /**
                 * Verifies a Meter message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Meter message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Meter
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Meter;

                /**
                 * Creates a plain object from a Meter message. Also converts values to other types if specified.
                 * @param message Meter
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Meter, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Meter to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Meter
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Meter {

                /** Properties of a Meter. */
                interface $Properties {

                    /** Meter preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** Meter spec */
                    spec?: (p4.config.v1.MeterSpec.$Properties|null);

                    /** Meter size */
                    size?: (number|Long|null);

                    /** Meter indexTypeName */
                    indexTypeName?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Meter. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  spec?: p4.config.v1.MeterSpec.$Shape|null;
                  size?: number|Long|null;
                  indexTypeName?: p4.config.v1.P4NamedType.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a DirectMeter.
             * @deprecated Use p4.config.v1.DirectMeter.$Properties instead.
             */
            interface IDirectMeter extends p4.config.v1.DirectMeter.$Properties {
            }

            /** Represents a DirectMeter. */
            class DirectMeter {

                /**
                 * Constructs a new DirectMeter.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.DirectMeter.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** DirectMeter preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** DirectMeter spec. */
                spec?: (p4.config.v1.MeterSpec.$Properties|null);

                /** DirectMeter directTableId. */
                directTableId: number;

                /**
                 * Creates a new DirectMeter instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns DirectMeter instance
                 */
                static create(properties: p4.config.v1.DirectMeter.$Shape): p4.config.v1.DirectMeter & p4.config.v1.DirectMeter.$Shape;
                static create(properties?: p4.config.v1.DirectMeter.$Properties): p4.config.v1.DirectMeter;

                /**
                 * Encodes the specified DirectMeter message. Does not implicitly {@link p4.config.v1.DirectMeter.verify|verify} messages.
                 * @param message DirectMeter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.DirectMeter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified DirectMeter message, length delimited. Does not implicitly {@link p4.config.v1.DirectMeter.verify|verify} messages.
                 * @param message DirectMeter message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.DirectMeter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a DirectMeter message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.DirectMeter & p4.config.v1.DirectMeter.$Shape} DirectMeter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.DirectMeter & p4.config.v1.DirectMeter.$Shape;

                /**
                 * Decodes a DirectMeter message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.DirectMeter & p4.config.v1.DirectMeter.$Shape} DirectMeter
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.DirectMeter & p4.config.v1.DirectMeter.$Shape;

                /**
                 * Verifies a DirectMeter message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a DirectMeter message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns DirectMeter
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.DirectMeter;

                /**
                 * Creates a plain object from a DirectMeter message. Also converts values to other types if specified.
                 * @param message DirectMeter
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.DirectMeter, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this DirectMeter to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for DirectMeter
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace DirectMeter {

                /** Properties of a DirectMeter. */
                interface $Properties {

                    /** DirectMeter preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** DirectMeter spec */
                    spec?: (p4.config.v1.MeterSpec.$Properties|null);

                    /** DirectMeter directTableId */
                    directTableId?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a DirectMeter. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  spec?: p4.config.v1.MeterSpec.$Shape|null;
                  directTableId?: number|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a ControllerPacketMetadata.
             * @deprecated Use p4.config.v1.ControllerPacketMetadata.$Properties instead.
             */
            interface IControllerPacketMetadata extends p4.config.v1.ControllerPacketMetadata.$Properties {
            }

            /** Represents a ControllerPacketMetadata. */
            class ControllerPacketMetadata {

                /**
                 * Constructs a new ControllerPacketMetadata.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.ControllerPacketMetadata.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** ControllerPacketMetadata preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** ControllerPacketMetadata metadata. */
                metadata: p4.config.v1.ControllerPacketMetadata.Metadata.$Properties[];

                /**
                 * Creates a new ControllerPacketMetadata instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns ControllerPacketMetadata instance
                 */
                static create(properties: p4.config.v1.ControllerPacketMetadata.$Shape): p4.config.v1.ControllerPacketMetadata & p4.config.v1.ControllerPacketMetadata.$Shape;
                static create(properties?: p4.config.v1.ControllerPacketMetadata.$Properties): p4.config.v1.ControllerPacketMetadata;

                /**
                 * Encodes the specified ControllerPacketMetadata message. Does not implicitly {@link p4.config.v1.ControllerPacketMetadata.verify|verify} messages.
                 * @param message ControllerPacketMetadata message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.ControllerPacketMetadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified ControllerPacketMetadata message, length delimited. Does not implicitly {@link p4.config.v1.ControllerPacketMetadata.verify|verify} messages.
                 * @param message ControllerPacketMetadata message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.ControllerPacketMetadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a ControllerPacketMetadata message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.ControllerPacketMetadata & p4.config.v1.ControllerPacketMetadata.$Shape} ControllerPacketMetadata
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ControllerPacketMetadata & p4.config.v1.ControllerPacketMetadata.$Shape;

                /**
                 * Decodes a ControllerPacketMetadata message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.ControllerPacketMetadata & p4.config.v1.ControllerPacketMetadata.$Shape} ControllerPacketMetadata
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ControllerPacketMetadata & p4.config.v1.ControllerPacketMetadata.$Shape;

                /**
                 * Verifies a ControllerPacketMetadata message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a ControllerPacketMetadata message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns ControllerPacketMetadata
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.ControllerPacketMetadata;

                /**
                 * Creates a plain object from a ControllerPacketMetadata message. Also converts values to other types if specified.
                 * @param message ControllerPacketMetadata
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.ControllerPacketMetadata, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this ControllerPacketMetadata to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for ControllerPacketMetadata
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace ControllerPacketMetadata {

                /** Properties of a ControllerPacketMetadata. */
                interface $Properties {

                    /** ControllerPacketMetadata preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** ControllerPacketMetadata metadata */
                    metadata?: (p4.config.v1.ControllerPacketMetadata.Metadata.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a ControllerPacketMetadata. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  metadata?: p4.config.v1.ControllerPacketMetadata.Metadata.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Metadata.
                 * @deprecated Use p4.config.v1.ControllerPacketMetadata.Metadata.$Properties instead.
                 */
                interface IMetadata extends p4.config.v1.ControllerPacketMetadata.Metadata.$Properties {
                }

                /** Represents a Metadata. */
                class Metadata {

                    /**
                     * Constructs a new Metadata.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.ControllerPacketMetadata.Metadata.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Metadata id. */
                    id: number;

                    /** Metadata name. */
                    name: string;

                    /** Metadata annotations. */
                    annotations: string[];

                    /** Metadata annotationLocations. */
                    annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                    /** Metadata bitwidth. */
                    bitwidth: number;

                    /** Metadata typeName. */
                    typeName?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** Metadata structuredAnnotations. */
                    structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                    /**
                     * Creates a new Metadata instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Metadata instance
                     */
                    static create(properties: p4.config.v1.ControllerPacketMetadata.Metadata.$Shape): p4.config.v1.ControllerPacketMetadata.Metadata & p4.config.v1.ControllerPacketMetadata.Metadata.$Shape;
                    static create(properties?: p4.config.v1.ControllerPacketMetadata.Metadata.$Properties): p4.config.v1.ControllerPacketMetadata.Metadata;

                    /**
                     * Encodes the specified Metadata message. Does not implicitly {@link p4.config.v1.ControllerPacketMetadata.Metadata.verify|verify} messages.
                     * @param message Metadata message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.ControllerPacketMetadata.Metadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Metadata message, length delimited. Does not implicitly {@link p4.config.v1.ControllerPacketMetadata.Metadata.verify|verify} messages.
                     * @param message Metadata message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.ControllerPacketMetadata.Metadata.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Metadata message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.ControllerPacketMetadata.Metadata & p4.config.v1.ControllerPacketMetadata.Metadata.$Shape} Metadata
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ControllerPacketMetadata.Metadata & p4.config.v1.ControllerPacketMetadata.Metadata.$Shape;

                    /**
                     * Decodes a Metadata message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.ControllerPacketMetadata.Metadata & p4.config.v1.ControllerPacketMetadata.Metadata.$Shape} Metadata
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ControllerPacketMetadata.Metadata & p4.config.v1.ControllerPacketMetadata.Metadata.$Shape;

                    /**
                     * Verifies a Metadata message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Metadata message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Metadata
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.ControllerPacketMetadata.Metadata;

                    /**
                     * Creates a plain object from a Metadata message. Also converts values to other types if specified.
                     * @param message Metadata
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.ControllerPacketMetadata.Metadata, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Metadata to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Metadata
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Metadata {

                    /** Properties of a Metadata. */
                    interface $Properties {

                        /** Metadata id */
                        id?: (number|null);

                        /** Metadata name */
                        name?: (string|null);

                        /** Metadata annotations */
                        annotations?: (string[]|null);

                        /** Metadata annotationLocations */
                        annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                        /** Metadata bitwidth */
                        bitwidth?: (number|null);

                        /** Metadata typeName */
                        typeName?: (p4.config.v1.P4NamedType.$Properties|null);

                        /** Metadata structuredAnnotations */
                        structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Metadata. */
                    type $Shape = {
                      id?: number|null;
                      name?: string|null;
                      annotations?: string[]|null;
                      annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                      bitwidth?: number|null;
                      typeName?: p4.config.v1.P4NamedType.$Shape|null;
                      structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                      $unknowns?: Uint8Array[];
                    };
                }
            }

            /**
             * Properties of a ValueSet.
             * @deprecated Use p4.config.v1.ValueSet.$Properties instead.
             */
            interface IValueSet extends p4.config.v1.ValueSet.$Properties {
            }

            /** Represents a ValueSet. */
            class ValueSet {

                /**
                 * Constructs a new ValueSet.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.ValueSet.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** ValueSet preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** ValueSet match. */
                match: p4.config.v1.MatchField.$Properties[];

                /** ValueSet size. */
                size: number;

                /**
                 * Creates a new ValueSet instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns ValueSet instance
                 */
                static create(properties: p4.config.v1.ValueSet.$Shape): p4.config.v1.ValueSet & p4.config.v1.ValueSet.$Shape;
                static create(properties?: p4.config.v1.ValueSet.$Properties): p4.config.v1.ValueSet;

                /**
                 * Encodes the specified ValueSet message. Does not implicitly {@link p4.config.v1.ValueSet.verify|verify} messages.
                 * @param message ValueSet message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.ValueSet.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified ValueSet message, length delimited. Does not implicitly {@link p4.config.v1.ValueSet.verify|verify} messages.
                 * @param message ValueSet message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.ValueSet.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a ValueSet message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.ValueSet & p4.config.v1.ValueSet.$Shape} ValueSet
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ValueSet & p4.config.v1.ValueSet.$Shape;

                /**
                 * Decodes a ValueSet message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.ValueSet & p4.config.v1.ValueSet.$Shape} ValueSet
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ValueSet & p4.config.v1.ValueSet.$Shape;

                /**
                 * Verifies a ValueSet message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a ValueSet message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns ValueSet
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.ValueSet;

                /**
                 * Creates a plain object from a ValueSet message. Also converts values to other types if specified.
                 * @param message ValueSet
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.ValueSet, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this ValueSet to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for ValueSet
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace ValueSet {

                /** Properties of a ValueSet. */
                interface $Properties {

                    /** ValueSet preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** ValueSet match */
                    match?: (p4.config.v1.MatchField.$Properties[]|null);

                    /** ValueSet size */
                    size?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a ValueSet. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  match?: p4.config.v1.MatchField.$Shape[]|null;
                  size?: number|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a Register.
             * @deprecated Use p4.config.v1.Register.$Properties instead.
             */
            interface IRegister extends p4.config.v1.Register.$Properties {
            }

            /** Represents a Register. */
            class Register {

                /**
                 * Constructs a new Register.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Register.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Register preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** Register typeSpec. */
                typeSpec?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                /** Register size. */
                size: number;

                /** Register indexTypeName. */
                indexTypeName?: (p4.config.v1.P4NamedType.$Properties|null);

                /**
                 * Creates a new Register instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Register instance
                 */
                static create(properties: p4.config.v1.Register.$Shape): p4.config.v1.Register & p4.config.v1.Register.$Shape;
                static create(properties?: p4.config.v1.Register.$Properties): p4.config.v1.Register;

                /**
                 * Encodes the specified Register message. Does not implicitly {@link p4.config.v1.Register.verify|verify} messages.
                 * @param message Register message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Register.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Register message, length delimited. Does not implicitly {@link p4.config.v1.Register.verify|verify} messages.
                 * @param message Register message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Register.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Register message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Register & p4.config.v1.Register.$Shape} Register
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Register & p4.config.v1.Register.$Shape;

                /**
                 * Decodes a Register message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Register & p4.config.v1.Register.$Shape} Register
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Register & p4.config.v1.Register.$Shape;

                /**
                 * Verifies a Register message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Register message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Register
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Register;

                /**
                 * Creates a plain object from a Register message. Also converts values to other types if specified.
                 * @param message Register
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Register, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Register to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Register
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Register {

                /** Properties of a Register. */
                interface $Properties {

                    /** Register preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** Register typeSpec */
                    typeSpec?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                    /** Register size */
                    size?: (number|null);

                    /** Register indexTypeName */
                    indexTypeName?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Register. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  typeSpec?: p4.config.v1.P4DataTypeSpec.$Shape|null;
                  size?: number|null;
                  indexTypeName?: p4.config.v1.P4NamedType.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a Digest.
             * @deprecated Use p4.config.v1.Digest.$Properties instead.
             */
            interface IDigest extends p4.config.v1.Digest.$Properties {
            }

            /** Represents a Digest. */
            class Digest {

                /**
                 * Constructs a new Digest.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Digest.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Digest preamble. */
                preamble?: (p4.config.v1.Preamble.$Properties|null);

                /** Digest typeSpec. */
                typeSpec?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                /**
                 * Creates a new Digest instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Digest instance
                 */
                static create(properties: p4.config.v1.Digest.$Shape): p4.config.v1.Digest & p4.config.v1.Digest.$Shape;
                static create(properties?: p4.config.v1.Digest.$Properties): p4.config.v1.Digest;

                /**
                 * Encodes the specified Digest message. Does not implicitly {@link p4.config.v1.Digest.verify|verify} messages.
                 * @param message Digest message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Digest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Digest message, length delimited. Does not implicitly {@link p4.config.v1.Digest.verify|verify} messages.
                 * @param message Digest message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Digest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a Digest message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Digest & p4.config.v1.Digest.$Shape} Digest
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Digest & p4.config.v1.Digest.$Shape;

                /**
                 * Decodes a Digest message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Digest & p4.config.v1.Digest.$Shape} Digest
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Digest & p4.config.v1.Digest.$Shape;

                /**
                 * Verifies a Digest message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a Digest message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Digest
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Digest;

                /**
                 * Creates a plain object from a Digest message. Also converts values to other types if specified.
                 * @param message Digest
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Digest, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Digest to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Digest
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Digest {

                /** Properties of a Digest. */
                interface $Properties {

                    /** Digest preamble */
                    preamble?: (p4.config.v1.Preamble.$Properties|null);

                    /** Digest typeSpec */
                    typeSpec?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a Digest. */
                type $Shape = {
                  preamble?: p4.config.v1.Preamble.$Shape|null;
                  typeSpec?: p4.config.v1.P4DataTypeSpec.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a P4TypeInfo.
             * @deprecated Use p4.config.v1.P4TypeInfo.$Properties instead.
             */
            interface IP4TypeInfo extends p4.config.v1.P4TypeInfo.$Properties {
            }

            /** Represents a P4TypeInfo. */
            class P4TypeInfo {

                /**
                 * Constructs a new P4TypeInfo.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4TypeInfo.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4TypeInfo structs. */
                structs: { [k: string]: p4.config.v1.P4StructTypeSpec.$Properties };

                /** P4TypeInfo headers. */
                headers: { [k: string]: p4.config.v1.P4HeaderTypeSpec.$Properties };

                /** P4TypeInfo headerUnions. */
                headerUnions: { [k: string]: p4.config.v1.P4HeaderUnionTypeSpec.$Properties };

                /** P4TypeInfo enums. */
                enums: { [k: string]: p4.config.v1.P4EnumTypeSpec.$Properties };

                /** P4TypeInfo error. */
                error?: (p4.config.v1.P4ErrorTypeSpec.$Properties|null);

                /** P4TypeInfo serializableEnums. */
                serializableEnums: { [k: string]: p4.config.v1.P4SerializableEnumTypeSpec.$Properties };

                /** P4TypeInfo newTypes. */
                newTypes: { [k: string]: p4.config.v1.P4NewTypeSpec.$Properties };

                /**
                 * Creates a new P4TypeInfo instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4TypeInfo instance
                 */
                static create(properties: p4.config.v1.P4TypeInfo.$Shape): p4.config.v1.P4TypeInfo & p4.config.v1.P4TypeInfo.$Shape;
                static create(properties?: p4.config.v1.P4TypeInfo.$Properties): p4.config.v1.P4TypeInfo;

                /**
                 * Encodes the specified P4TypeInfo message. Does not implicitly {@link p4.config.v1.P4TypeInfo.verify|verify} messages.
                 * @param message P4TypeInfo message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4TypeInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4TypeInfo message, length delimited. Does not implicitly {@link p4.config.v1.P4TypeInfo.verify|verify} messages.
                 * @param message P4TypeInfo message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4TypeInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4TypeInfo message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4TypeInfo & p4.config.v1.P4TypeInfo.$Shape} P4TypeInfo
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4TypeInfo & p4.config.v1.P4TypeInfo.$Shape;

                /**
                 * Decodes a P4TypeInfo message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4TypeInfo & p4.config.v1.P4TypeInfo.$Shape} P4TypeInfo
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4TypeInfo & p4.config.v1.P4TypeInfo.$Shape;

                /**
                 * Verifies a P4TypeInfo message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4TypeInfo message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4TypeInfo
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4TypeInfo;

                /**
                 * Creates a plain object from a P4TypeInfo message. Also converts values to other types if specified.
                 * @param message P4TypeInfo
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4TypeInfo, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4TypeInfo to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4TypeInfo
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4TypeInfo {

                /** Properties of a P4TypeInfo. */
                interface $Properties {

                    /** P4TypeInfo structs */
                    structs?: ({ [k: string]: p4.config.v1.P4StructTypeSpec.$Properties }|null);

                    /** P4TypeInfo headers */
                    headers?: ({ [k: string]: p4.config.v1.P4HeaderTypeSpec.$Properties }|null);

                    /** P4TypeInfo headerUnions */
                    headerUnions?: ({ [k: string]: p4.config.v1.P4HeaderUnionTypeSpec.$Properties }|null);

                    /** P4TypeInfo enums */
                    enums?: ({ [k: string]: p4.config.v1.P4EnumTypeSpec.$Properties }|null);

                    /** P4TypeInfo error */
                    error?: (p4.config.v1.P4ErrorTypeSpec.$Properties|null);

                    /** P4TypeInfo serializableEnums */
                    serializableEnums?: ({ [k: string]: p4.config.v1.P4SerializableEnumTypeSpec.$Properties }|null);

                    /** P4TypeInfo newTypes */
                    newTypes?: ({ [k: string]: p4.config.v1.P4NewTypeSpec.$Properties }|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4TypeInfo. */
                type $Shape = {
                  structs?: { [k: string]: p4.config.v1.P4StructTypeSpec.$Shape }|null;
                  headers?: { [k: string]: p4.config.v1.P4HeaderTypeSpec.$Shape }|null;
                  headerUnions?: { [k: string]: p4.config.v1.P4HeaderUnionTypeSpec.$Shape }|null;
                  enums?: { [k: string]: p4.config.v1.P4EnumTypeSpec.$Shape }|null;
                  error?: p4.config.v1.P4ErrorTypeSpec.$Shape|null;
                  serializableEnums?: { [k: string]: p4.config.v1.P4SerializableEnumTypeSpec.$Shape }|null;
                  newTypes?: { [k: string]: p4.config.v1.P4NewTypeSpec.$Shape }|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a P4DataTypeSpec.
             * @deprecated Use p4.config.v1.P4DataTypeSpec.$Properties instead.
             */
            interface IP4DataTypeSpec extends p4.config.v1.P4DataTypeSpec.$Properties {
            }

            /** Represents a P4DataTypeSpec. */
            class P4DataTypeSpec {

                /**
                 * Constructs a new P4DataTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4DataTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4DataTypeSpec bitstring. */
                bitstring?: (p4.config.v1.P4BitstringLikeTypeSpec.$Properties|null);

                /** P4DataTypeSpec bool. */
                bool?: (p4.config.v1.P4BoolType.$Properties|null);

                /** P4DataTypeSpec tuple. */
                tuple?: (p4.config.v1.P4TupleTypeSpec.$Properties|null);

                /** P4DataTypeSpec struct. */
                struct?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4DataTypeSpec header. */
                header?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4DataTypeSpec headerUnion. */
                headerUnion?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4DataTypeSpec headerStack. */
                headerStack?: (p4.config.v1.P4HeaderStackTypeSpec.$Properties|null);

                /** P4DataTypeSpec headerUnionStack. */
                headerUnionStack?: (p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties|null);

                /** P4DataTypeSpec enum. */
                enum?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4DataTypeSpec error. */
                error?: (p4.config.v1.P4ErrorType.$Properties|null);

                /** P4DataTypeSpec serializableEnum. */
                serializableEnum?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4DataTypeSpec newType. */
                newType?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4DataTypeSpec typeSpec. */
                typeSpec?: ("bitstring"|"bool"|"tuple"|"struct"|"header"|"headerUnion"|"headerStack"|"headerUnionStack"|"enum"|"error"|"serializableEnum"|"newType");

                /**
                 * Creates a new P4DataTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4DataTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4DataTypeSpec.$Shape): p4.config.v1.P4DataTypeSpec & p4.config.v1.P4DataTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4DataTypeSpec.$Properties): p4.config.v1.P4DataTypeSpec;

                /**
                 * Encodes the specified P4DataTypeSpec message. Does not implicitly {@link p4.config.v1.P4DataTypeSpec.verify|verify} messages.
                 * @param message P4DataTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4DataTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4DataTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4DataTypeSpec.verify|verify} messages.
                 * @param message P4DataTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4DataTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4DataTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4DataTypeSpec & p4.config.v1.P4DataTypeSpec.$Shape} P4DataTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4DataTypeSpec & p4.config.v1.P4DataTypeSpec.$Shape;

                /**
                 * Decodes a P4DataTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4DataTypeSpec & p4.config.v1.P4DataTypeSpec.$Shape} P4DataTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4DataTypeSpec & p4.config.v1.P4DataTypeSpec.$Shape;

                /**
                 * Verifies a P4DataTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4DataTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4DataTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4DataTypeSpec;

                /**
                 * Creates a plain object from a P4DataTypeSpec message. Also converts values to other types if specified.
                 * @param message P4DataTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4DataTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4DataTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4DataTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4DataTypeSpec {

                /** Properties of a P4DataTypeSpec. */
                interface $Properties {

                    /** P4DataTypeSpec bitstring */
                    bitstring?: (p4.config.v1.P4BitstringLikeTypeSpec.$Properties|null);

                    /** P4DataTypeSpec bool */
                    bool?: (p4.config.v1.P4BoolType.$Properties|null);

                    /** P4DataTypeSpec tuple */
                    tuple?: (p4.config.v1.P4TupleTypeSpec.$Properties|null);

                    /** P4DataTypeSpec struct */
                    struct?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4DataTypeSpec header */
                    header?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4DataTypeSpec headerUnion */
                    headerUnion?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4DataTypeSpec headerStack */
                    headerStack?: (p4.config.v1.P4HeaderStackTypeSpec.$Properties|null);

                    /** P4DataTypeSpec headerUnionStack */
                    headerUnionStack?: (p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties|null);

                    /** P4DataTypeSpec enum */
                    "enum"?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4DataTypeSpec error */
                    error?: (p4.config.v1.P4ErrorType.$Properties|null);

                    /** P4DataTypeSpec serializableEnum */
                    serializableEnum?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4DataTypeSpec newType */
                    newType?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4DataTypeSpec typeSpec */
                    typeSpec?: ("bitstring"|"bool"|"tuple"|"struct"|"header"|"headerUnion"|"headerStack"|"headerUnionStack"|"enum"|"error"|"serializableEnum"|"newType");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a P4DataTypeSpec. */
                type $Shape = {
                  bitstring?: p4.config.v1.P4BitstringLikeTypeSpec.$Shape|null;
                  bool?: p4.config.v1.P4BoolType.$Shape|null;
                  tuple?: p4.config.v1.P4TupleTypeSpec.$Shape|null;
                  struct?: p4.config.v1.P4NamedType.$Shape|null;
                  header?: p4.config.v1.P4NamedType.$Shape|null;
                  headerUnion?: p4.config.v1.P4NamedType.$Shape|null;
                  headerStack?: p4.config.v1.P4HeaderStackTypeSpec.$Shape|null;
                  headerUnionStack?: p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape|null;
                  "enum"?: p4.config.v1.P4NamedType.$Shape|null;
                  error?: p4.config.v1.P4ErrorType.$Shape|null;
                  serializableEnum?: p4.config.v1.P4NamedType.$Shape|null;
                  newType?: p4.config.v1.P4NamedType.$Shape|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ typeSpec?: undefined; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "bitstring"; bitstring: p4.config.v1.P4BitstringLikeTypeSpec.$Shape; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "bool"; bitstring?: null; bool: p4.config.v1.P4BoolType.$Shape; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "tuple"; bitstring?: null; bool?: null; tuple: p4.config.v1.P4TupleTypeSpec.$Shape; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "struct"; bitstring?: null; bool?: null; tuple?: null; struct: p4.config.v1.P4NamedType.$Shape; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "header"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header: p4.config.v1.P4NamedType.$Shape; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "headerUnion"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion: p4.config.v1.P4NamedType.$Shape; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "headerStack"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack: p4.config.v1.P4HeaderStackTypeSpec.$Shape; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "headerUnionStack"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack: p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape; "enum"?: null; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "enum"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum": p4.config.v1.P4NamedType.$Shape; error?: null; serializableEnum?: null; newType?: null }|{ typeSpec?: "error"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error: p4.config.v1.P4ErrorType.$Shape; serializableEnum?: null; newType?: null }|{ typeSpec?: "serializableEnum"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum: p4.config.v1.P4NamedType.$Shape; newType?: null }|{ typeSpec?: "newType"; bitstring?: null; bool?: null; tuple?: null; struct?: null; header?: null; headerUnion?: null; headerStack?: null; headerUnionStack?: null; "enum"?: null; error?: null; serializableEnum?: null; newType: p4.config.v1.P4NamedType.$Shape })
                );
            }

            /**
             * Properties of a P4NamedType.
             * @deprecated Use p4.config.v1.P4NamedType.$Properties instead.
             */
            interface IP4NamedType extends p4.config.v1.P4NamedType.$Properties {
            }

            /** Represents a P4NamedType. */
            class P4NamedType {

                /**
                 * Constructs a new P4NamedType.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4NamedType.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4NamedType name. */
                name: string;

                /**
                 * Creates a new P4NamedType instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4NamedType instance
                 */
                static create(properties: p4.config.v1.P4NamedType.$Shape): p4.config.v1.P4NamedType & p4.config.v1.P4NamedType.$Shape;
                static create(properties?: p4.config.v1.P4NamedType.$Properties): p4.config.v1.P4NamedType;

                /**
                 * Encodes the specified P4NamedType message. Does not implicitly {@link p4.config.v1.P4NamedType.verify|verify} messages.
                 * @param message P4NamedType message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4NamedType.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4NamedType message, length delimited. Does not implicitly {@link p4.config.v1.P4NamedType.verify|verify} messages.
                 * @param message P4NamedType message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4NamedType.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4NamedType message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4NamedType & p4.config.v1.P4NamedType.$Shape} P4NamedType
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4NamedType & p4.config.v1.P4NamedType.$Shape;

                /**
                 * Decodes a P4NamedType message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4NamedType & p4.config.v1.P4NamedType.$Shape} P4NamedType
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4NamedType & p4.config.v1.P4NamedType.$Shape;

                /**
                 * Verifies a P4NamedType message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4NamedType message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4NamedType
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4NamedType;

                /**
                 * Creates a plain object from a P4NamedType message. Also converts values to other types if specified.
                 * @param message P4NamedType
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4NamedType, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4NamedType to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4NamedType
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4NamedType {

                /** Properties of a P4NamedType. */
                interface $Properties {

                    /** P4NamedType name */
                    name?: (string|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4NamedType. */
                type $Shape = p4.config.v1.P4NamedType.$Properties;
            }

            /**
             * Properties of a P4BoolType.
             * @deprecated Use p4.config.v1.P4BoolType.$Properties instead.
             */
            interface IP4BoolType extends p4.config.v1.P4BoolType.$Properties {
            }

            /** Represents a P4BoolType. */
            class P4BoolType {

                /**
                 * Constructs a new P4BoolType.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4BoolType.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /**
                 * Creates a new P4BoolType instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4BoolType instance
                 */
                static create(properties: p4.config.v1.P4BoolType.$Shape): p4.config.v1.P4BoolType & p4.config.v1.P4BoolType.$Shape;
                static create(properties?: p4.config.v1.P4BoolType.$Properties): p4.config.v1.P4BoolType;

                /**
                 * Encodes the specified P4BoolType message. Does not implicitly {@link p4.config.v1.P4BoolType.verify|verify} messages.
                 * @param message P4BoolType message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4BoolType.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4BoolType message, length delimited. Does not implicitly {@link p4.config.v1.P4BoolType.verify|verify} messages.
                 * @param message P4BoolType message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4BoolType.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4BoolType message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4BoolType & p4.config.v1.P4BoolType.$Shape} P4BoolType
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4BoolType & p4.config.v1.P4BoolType.$Shape;

                /**
                 * Decodes a P4BoolType message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4BoolType & p4.config.v1.P4BoolType.$Shape} P4BoolType
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4BoolType & p4.config.v1.P4BoolType.$Shape;

                /**
                 * Verifies a P4BoolType message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4BoolType message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4BoolType
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4BoolType;

                /**
                 * Creates a plain object from a P4BoolType message. Also converts values to other types if specified.
                 * @param message P4BoolType
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4BoolType, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4BoolType to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4BoolType
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4BoolType {

                /** Properties of a P4BoolType. */
                interface $Properties {

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4BoolType. */
                type $Shape = p4.config.v1.P4BoolType.$Properties;
            }

            /**
             * Properties of a P4ErrorType.
             * @deprecated Use p4.config.v1.P4ErrorType.$Properties instead.
             */
            interface IP4ErrorType extends p4.config.v1.P4ErrorType.$Properties {
            }

            /** Represents a P4ErrorType. */
            class P4ErrorType {

                /**
                 * Constructs a new P4ErrorType.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4ErrorType.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /**
                 * Creates a new P4ErrorType instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4ErrorType instance
                 */
                static create(properties: p4.config.v1.P4ErrorType.$Shape): p4.config.v1.P4ErrorType & p4.config.v1.P4ErrorType.$Shape;
                static create(properties?: p4.config.v1.P4ErrorType.$Properties): p4.config.v1.P4ErrorType;

                /**
                 * Encodes the specified P4ErrorType message. Does not implicitly {@link p4.config.v1.P4ErrorType.verify|verify} messages.
                 * @param message P4ErrorType message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4ErrorType.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4ErrorType message, length delimited. Does not implicitly {@link p4.config.v1.P4ErrorType.verify|verify} messages.
                 * @param message P4ErrorType message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4ErrorType.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4ErrorType message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4ErrorType & p4.config.v1.P4ErrorType.$Shape} P4ErrorType
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4ErrorType & p4.config.v1.P4ErrorType.$Shape;

                /**
                 * Decodes a P4ErrorType message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4ErrorType & p4.config.v1.P4ErrorType.$Shape} P4ErrorType
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4ErrorType & p4.config.v1.P4ErrorType.$Shape;

                /**
                 * Verifies a P4ErrorType message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4ErrorType message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4ErrorType
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4ErrorType;

                /**
                 * Creates a plain object from a P4ErrorType message. Also converts values to other types if specified.
                 * @param message P4ErrorType
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4ErrorType, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4ErrorType to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4ErrorType
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4ErrorType {

                /** Properties of a P4ErrorType. */
                interface $Properties {

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4ErrorType. */
                type $Shape = p4.config.v1.P4ErrorType.$Properties;
            }

            /**
             * Properties of a P4BitstringLikeTypeSpec.
             * @deprecated Use p4.config.v1.P4BitstringLikeTypeSpec.$Properties instead.
             */
            interface IP4BitstringLikeTypeSpec extends p4.config.v1.P4BitstringLikeTypeSpec.$Properties {
            }

            /** Represents a P4BitstringLikeTypeSpec. */
            class P4BitstringLikeTypeSpec {

                /**
                 * Constructs a new P4BitstringLikeTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4BitstringLikeTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4BitstringLikeTypeSpec bit. */
                bit?: (p4.config.v1.P4BitTypeSpec.$Properties|null);

                /** P4BitstringLikeTypeSpec int. */
                int?: (p4.config.v1.P4IntTypeSpec.$Properties|null);

                /** P4BitstringLikeTypeSpec varbit. */
                varbit?: (p4.config.v1.P4VarbitTypeSpec.$Properties|null);

                /** P4BitstringLikeTypeSpec annotations. */
                annotations: string[];

                /** P4BitstringLikeTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4BitstringLikeTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /** P4BitstringLikeTypeSpec typeSpec. */
                typeSpec?: ("bit"|"int"|"varbit");

                /**
                 * Creates a new P4BitstringLikeTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4BitstringLikeTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4BitstringLikeTypeSpec.$Shape): p4.config.v1.P4BitstringLikeTypeSpec & p4.config.v1.P4BitstringLikeTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4BitstringLikeTypeSpec.$Properties): p4.config.v1.P4BitstringLikeTypeSpec;

                /**
                 * Encodes the specified P4BitstringLikeTypeSpec message. Does not implicitly {@link p4.config.v1.P4BitstringLikeTypeSpec.verify|verify} messages.
                 * @param message P4BitstringLikeTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4BitstringLikeTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4BitstringLikeTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4BitstringLikeTypeSpec.verify|verify} messages.
                 * @param message P4BitstringLikeTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4BitstringLikeTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4BitstringLikeTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4BitstringLikeTypeSpec & p4.config.v1.P4BitstringLikeTypeSpec.$Shape} P4BitstringLikeTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4BitstringLikeTypeSpec & p4.config.v1.P4BitstringLikeTypeSpec.$Shape;

                /**
                 * Decodes a P4BitstringLikeTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4BitstringLikeTypeSpec & p4.config.v1.P4BitstringLikeTypeSpec.$Shape} P4BitstringLikeTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4BitstringLikeTypeSpec & p4.config.v1.P4BitstringLikeTypeSpec.$Shape;

                /**
                 * Verifies a P4BitstringLikeTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4BitstringLikeTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4BitstringLikeTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4BitstringLikeTypeSpec;

                /**
                 * Creates a plain object from a P4BitstringLikeTypeSpec message. Also converts values to other types if specified.
                 * @param message P4BitstringLikeTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4BitstringLikeTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4BitstringLikeTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4BitstringLikeTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4BitstringLikeTypeSpec {

                /** Properties of a P4BitstringLikeTypeSpec. */
                interface $Properties {

                    /** P4BitstringLikeTypeSpec bit */
                    bit?: (p4.config.v1.P4BitTypeSpec.$Properties|null);

                    /** P4BitstringLikeTypeSpec int */
                    int?: (p4.config.v1.P4IntTypeSpec.$Properties|null);

                    /** P4BitstringLikeTypeSpec varbit */
                    varbit?: (p4.config.v1.P4VarbitTypeSpec.$Properties|null);

                    /** P4BitstringLikeTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4BitstringLikeTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4BitstringLikeTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** P4BitstringLikeTypeSpec typeSpec */
                    typeSpec?: ("bit"|"int"|"varbit");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a P4BitstringLikeTypeSpec. */
                type $Shape = {
                  bit?: p4.config.v1.P4BitTypeSpec.$Shape|null;
                  int?: p4.config.v1.P4IntTypeSpec.$Shape|null;
                  varbit?: p4.config.v1.P4VarbitTypeSpec.$Shape|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ typeSpec?: undefined; bit?: null; int?: null; varbit?: null }|{ typeSpec?: "bit"; bit: p4.config.v1.P4BitTypeSpec.$Shape; int?: null; varbit?: null }|{ typeSpec?: "int"; bit?: null; int: p4.config.v1.P4IntTypeSpec.$Shape; varbit?: null }|{ typeSpec?: "varbit"; bit?: null; int?: null; varbit: p4.config.v1.P4VarbitTypeSpec.$Shape })
                );
            }

            /**
             * Properties of a P4BitTypeSpec.
             * @deprecated Use p4.config.v1.P4BitTypeSpec.$Properties instead.
             */
            interface IP4BitTypeSpec extends p4.config.v1.P4BitTypeSpec.$Properties {
            }

            /** Represents a P4BitTypeSpec. */
            class P4BitTypeSpec {

                /**
                 * Constructs a new P4BitTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4BitTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4BitTypeSpec bitwidth. */
                bitwidth: number;

                /**
                 * Creates a new P4BitTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4BitTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4BitTypeSpec.$Shape): p4.config.v1.P4BitTypeSpec & p4.config.v1.P4BitTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4BitTypeSpec.$Properties): p4.config.v1.P4BitTypeSpec;

                /**
                 * Encodes the specified P4BitTypeSpec message. Does not implicitly {@link p4.config.v1.P4BitTypeSpec.verify|verify} messages.
                 * @param message P4BitTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4BitTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4BitTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4BitTypeSpec.verify|verify} messages.
                 * @param message P4BitTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4BitTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4BitTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4BitTypeSpec & p4.config.v1.P4BitTypeSpec.$Shape} P4BitTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4BitTypeSpec & p4.config.v1.P4BitTypeSpec.$Shape;

                /**
                 * Decodes a P4BitTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4BitTypeSpec & p4.config.v1.P4BitTypeSpec.$Shape} P4BitTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4BitTypeSpec & p4.config.v1.P4BitTypeSpec.$Shape;

                /**
                 * Verifies a P4BitTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4BitTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4BitTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4BitTypeSpec;

                /**
                 * Creates a plain object from a P4BitTypeSpec message. Also converts values to other types if specified.
                 * @param message P4BitTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4BitTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4BitTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4BitTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4BitTypeSpec {

                /** Properties of a P4BitTypeSpec. */
                interface $Properties {

                    /** P4BitTypeSpec bitwidth */
                    bitwidth?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4BitTypeSpec. */
                type $Shape = p4.config.v1.P4BitTypeSpec.$Properties;
            }

            /**
             * Properties of a P4IntTypeSpec.
             * @deprecated Use p4.config.v1.P4IntTypeSpec.$Properties instead.
             */
            interface IP4IntTypeSpec extends p4.config.v1.P4IntTypeSpec.$Properties {
            }

            /** Represents a P4IntTypeSpec. */
            class P4IntTypeSpec {

                /**
                 * Constructs a new P4IntTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4IntTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4IntTypeSpec bitwidth. */
                bitwidth: number;

                /**
                 * Creates a new P4IntTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4IntTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4IntTypeSpec.$Shape): p4.config.v1.P4IntTypeSpec & p4.config.v1.P4IntTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4IntTypeSpec.$Properties): p4.config.v1.P4IntTypeSpec;

                /**
                 * Encodes the specified P4IntTypeSpec message. Does not implicitly {@link p4.config.v1.P4IntTypeSpec.verify|verify} messages.
                 * @param message P4IntTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4IntTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4IntTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4IntTypeSpec.verify|verify} messages.
                 * @param message P4IntTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4IntTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4IntTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4IntTypeSpec & p4.config.v1.P4IntTypeSpec.$Shape} P4IntTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4IntTypeSpec & p4.config.v1.P4IntTypeSpec.$Shape;

                /**
                 * Decodes a P4IntTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4IntTypeSpec & p4.config.v1.P4IntTypeSpec.$Shape} P4IntTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4IntTypeSpec & p4.config.v1.P4IntTypeSpec.$Shape;

                /**
                 * Verifies a P4IntTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4IntTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4IntTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4IntTypeSpec;

                /**
                 * Creates a plain object from a P4IntTypeSpec message. Also converts values to other types if specified.
                 * @param message P4IntTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4IntTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4IntTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4IntTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4IntTypeSpec {

                /** Properties of a P4IntTypeSpec. */
                interface $Properties {

                    /** P4IntTypeSpec bitwidth */
                    bitwidth?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4IntTypeSpec. */
                type $Shape = p4.config.v1.P4IntTypeSpec.$Properties;
            }

            /**
             * Properties of a P4VarbitTypeSpec.
             * @deprecated Use p4.config.v1.P4VarbitTypeSpec.$Properties instead.
             */
            interface IP4VarbitTypeSpec extends p4.config.v1.P4VarbitTypeSpec.$Properties {
            }

            /** Represents a P4VarbitTypeSpec. */
            class P4VarbitTypeSpec {

                /**
                 * Constructs a new P4VarbitTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4VarbitTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4VarbitTypeSpec maxBitwidth. */
                maxBitwidth: number;

                /**
                 * Creates a new P4VarbitTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4VarbitTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4VarbitTypeSpec.$Shape): p4.config.v1.P4VarbitTypeSpec & p4.config.v1.P4VarbitTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4VarbitTypeSpec.$Properties): p4.config.v1.P4VarbitTypeSpec;

                /**
                 * Encodes the specified P4VarbitTypeSpec message. Does not implicitly {@link p4.config.v1.P4VarbitTypeSpec.verify|verify} messages.
                 * @param message P4VarbitTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4VarbitTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4VarbitTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4VarbitTypeSpec.verify|verify} messages.
                 * @param message P4VarbitTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4VarbitTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4VarbitTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4VarbitTypeSpec & p4.config.v1.P4VarbitTypeSpec.$Shape} P4VarbitTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4VarbitTypeSpec & p4.config.v1.P4VarbitTypeSpec.$Shape;

                /**
                 * Decodes a P4VarbitTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4VarbitTypeSpec & p4.config.v1.P4VarbitTypeSpec.$Shape} P4VarbitTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4VarbitTypeSpec & p4.config.v1.P4VarbitTypeSpec.$Shape;

                /**
                 * Verifies a P4VarbitTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4VarbitTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4VarbitTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4VarbitTypeSpec;

                /**
                 * Creates a plain object from a P4VarbitTypeSpec message. Also converts values to other types if specified.
                 * @param message P4VarbitTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4VarbitTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4VarbitTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4VarbitTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4VarbitTypeSpec {

                /** Properties of a P4VarbitTypeSpec. */
                interface $Properties {

                    /** P4VarbitTypeSpec maxBitwidth */
                    maxBitwidth?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4VarbitTypeSpec. */
                type $Shape = p4.config.v1.P4VarbitTypeSpec.$Properties;
            }

            /**
             * Properties of a P4TupleTypeSpec.
             * @deprecated Use p4.config.v1.P4TupleTypeSpec.$Properties instead.
             */
            interface IP4TupleTypeSpec extends p4.config.v1.P4TupleTypeSpec.$Properties {
            }

            /** Represents a P4TupleTypeSpec. */
            class P4TupleTypeSpec {

                /**
                 * Constructs a new P4TupleTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4TupleTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4TupleTypeSpec members. */
                members: p4.config.v1.P4DataTypeSpec.$Properties[];

                /**
                 * Creates a new P4TupleTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4TupleTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4TupleTypeSpec.$Shape): p4.config.v1.P4TupleTypeSpec & p4.config.v1.P4TupleTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4TupleTypeSpec.$Properties): p4.config.v1.P4TupleTypeSpec;

                /**
                 * Encodes the specified P4TupleTypeSpec message. Does not implicitly {@link p4.config.v1.P4TupleTypeSpec.verify|verify} messages.
                 * @param message P4TupleTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4TupleTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4TupleTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4TupleTypeSpec.verify|verify} messages.
                 * @param message P4TupleTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4TupleTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4TupleTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4TupleTypeSpec & p4.config.v1.P4TupleTypeSpec.$Shape} P4TupleTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4TupleTypeSpec & p4.config.v1.P4TupleTypeSpec.$Shape;

                /**
                 * Decodes a P4TupleTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4TupleTypeSpec & p4.config.v1.P4TupleTypeSpec.$Shape} P4TupleTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4TupleTypeSpec & p4.config.v1.P4TupleTypeSpec.$Shape;

                /**
                 * Verifies a P4TupleTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4TupleTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4TupleTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4TupleTypeSpec;

                /**
                 * Creates a plain object from a P4TupleTypeSpec message. Also converts values to other types if specified.
                 * @param message P4TupleTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4TupleTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4TupleTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4TupleTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4TupleTypeSpec {

                /** Properties of a P4TupleTypeSpec. */
                interface $Properties {

                    /** P4TupleTypeSpec members */
                    members?: (p4.config.v1.P4DataTypeSpec.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4TupleTypeSpec. */
                type $Shape = {
                  members?: p4.config.v1.P4DataTypeSpec.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a P4StructTypeSpec.
             * @deprecated Use p4.config.v1.P4StructTypeSpec.$Properties instead.
             */
            interface IP4StructTypeSpec extends p4.config.v1.P4StructTypeSpec.$Properties {
            }

            /** Represents a P4StructTypeSpec. */
            class P4StructTypeSpec {

                /**
                 * Constructs a new P4StructTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4StructTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4StructTypeSpec members. */
                members: p4.config.v1.P4StructTypeSpec.Member.$Properties[];

                /** P4StructTypeSpec annotations. */
                annotations: string[];

                /** P4StructTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4StructTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new P4StructTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4StructTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4StructTypeSpec.$Shape): p4.config.v1.P4StructTypeSpec & p4.config.v1.P4StructTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4StructTypeSpec.$Properties): p4.config.v1.P4StructTypeSpec;

                /**
                 * Encodes the specified P4StructTypeSpec message. Does not implicitly {@link p4.config.v1.P4StructTypeSpec.verify|verify} messages.
                 * @param message P4StructTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4StructTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4StructTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4StructTypeSpec.verify|verify} messages.
                 * @param message P4StructTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4StructTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4StructTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4StructTypeSpec & p4.config.v1.P4StructTypeSpec.$Shape} P4StructTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4StructTypeSpec & p4.config.v1.P4StructTypeSpec.$Shape;

                /**
                 * Decodes a P4StructTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4StructTypeSpec & p4.config.v1.P4StructTypeSpec.$Shape} P4StructTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4StructTypeSpec & p4.config.v1.P4StructTypeSpec.$Shape;

                /**
                 * Verifies a P4StructTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4StructTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4StructTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4StructTypeSpec;

                /**
                 * Creates a plain object from a P4StructTypeSpec message. Also converts values to other types if specified.
                 * @param message P4StructTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4StructTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4StructTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4StructTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4StructTypeSpec {

                /** Properties of a P4StructTypeSpec. */
                interface $Properties {

                    /** P4StructTypeSpec members */
                    members?: (p4.config.v1.P4StructTypeSpec.Member.$Properties[]|null);

                    /** P4StructTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4StructTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4StructTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4StructTypeSpec. */
                type $Shape = {
                  members?: p4.config.v1.P4StructTypeSpec.Member.$Shape[]|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Member.
                 * @deprecated Use p4.config.v1.P4StructTypeSpec.Member.$Properties instead.
                 */
                interface IMember extends p4.config.v1.P4StructTypeSpec.Member.$Properties {
                }

                /** Represents a Member. */
                class Member {

                    /**
                     * Constructs a new Member.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.P4StructTypeSpec.Member.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Member name. */
                    name: string;

                    /** Member typeSpec. */
                    typeSpec?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                    /**
                     * Creates a new Member instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Member instance
                     */
                    static create(properties: p4.config.v1.P4StructTypeSpec.Member.$Shape): p4.config.v1.P4StructTypeSpec.Member & p4.config.v1.P4StructTypeSpec.Member.$Shape;
                    static create(properties?: p4.config.v1.P4StructTypeSpec.Member.$Properties): p4.config.v1.P4StructTypeSpec.Member;

                    /**
                     * Encodes the specified Member message. Does not implicitly {@link p4.config.v1.P4StructTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.P4StructTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Member message, length delimited. Does not implicitly {@link p4.config.v1.P4StructTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.P4StructTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Member message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.P4StructTypeSpec.Member & p4.config.v1.P4StructTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4StructTypeSpec.Member & p4.config.v1.P4StructTypeSpec.Member.$Shape;

                    /**
                     * Decodes a Member message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.P4StructTypeSpec.Member & p4.config.v1.P4StructTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4StructTypeSpec.Member & p4.config.v1.P4StructTypeSpec.Member.$Shape;

                    /**
                     * Verifies a Member message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Member message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Member
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.P4StructTypeSpec.Member;

                    /**
                     * Creates a plain object from a Member message. Also converts values to other types if specified.
                     * @param message Member
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.P4StructTypeSpec.Member, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Member to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Member
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Member {

                    /** Properties of a Member. */
                    interface $Properties {

                        /** Member name */
                        name?: (string|null);

                        /** Member typeSpec */
                        typeSpec?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Member. */
                    type $Shape = {
                      name?: string|null;
                      typeSpec?: p4.config.v1.P4DataTypeSpec.$Shape|null;
                      $unknowns?: Uint8Array[];
                    };
                }
            }

            /**
             * Properties of a P4HeaderTypeSpec.
             * @deprecated Use p4.config.v1.P4HeaderTypeSpec.$Properties instead.
             */
            interface IP4HeaderTypeSpec extends p4.config.v1.P4HeaderTypeSpec.$Properties {
            }

            /** Represents a P4HeaderTypeSpec. */
            class P4HeaderTypeSpec {

                /**
                 * Constructs a new P4HeaderTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4HeaderTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4HeaderTypeSpec members. */
                members: p4.config.v1.P4HeaderTypeSpec.Member.$Properties[];

                /** P4HeaderTypeSpec annotations. */
                annotations: string[];

                /** P4HeaderTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4HeaderTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new P4HeaderTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4HeaderTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4HeaderTypeSpec.$Shape): p4.config.v1.P4HeaderTypeSpec & p4.config.v1.P4HeaderTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4HeaderTypeSpec.$Properties): p4.config.v1.P4HeaderTypeSpec;

                /**
                 * Encodes the specified P4HeaderTypeSpec message. Does not implicitly {@link p4.config.v1.P4HeaderTypeSpec.verify|verify} messages.
                 * @param message P4HeaderTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4HeaderTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4HeaderTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4HeaderTypeSpec.verify|verify} messages.
                 * @param message P4HeaderTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4HeaderTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4HeaderTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4HeaderTypeSpec & p4.config.v1.P4HeaderTypeSpec.$Shape} P4HeaderTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4HeaderTypeSpec & p4.config.v1.P4HeaderTypeSpec.$Shape;

                /**
                 * Decodes a P4HeaderTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4HeaderTypeSpec & p4.config.v1.P4HeaderTypeSpec.$Shape} P4HeaderTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4HeaderTypeSpec & p4.config.v1.P4HeaderTypeSpec.$Shape;

                /**
                 * Verifies a P4HeaderTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4HeaderTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4HeaderTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4HeaderTypeSpec;

                /**
                 * Creates a plain object from a P4HeaderTypeSpec message. Also converts values to other types if specified.
                 * @param message P4HeaderTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4HeaderTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4HeaderTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4HeaderTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4HeaderTypeSpec {

                /** Properties of a P4HeaderTypeSpec. */
                interface $Properties {

                    /** P4HeaderTypeSpec members */
                    members?: (p4.config.v1.P4HeaderTypeSpec.Member.$Properties[]|null);

                    /** P4HeaderTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4HeaderTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4HeaderTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4HeaderTypeSpec. */
                type $Shape = {
                  members?: p4.config.v1.P4HeaderTypeSpec.Member.$Shape[]|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Member.
                 * @deprecated Use p4.config.v1.P4HeaderTypeSpec.Member.$Properties instead.
                 */
                interface IMember extends p4.config.v1.P4HeaderTypeSpec.Member.$Properties {
                }

                /** Represents a Member. */
                class Member {

                    /**
                     * Constructs a new Member.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.P4HeaderTypeSpec.Member.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Member name. */
                    name: string;

                    /** Member typeSpec. */
                    typeSpec?: (p4.config.v1.P4BitstringLikeTypeSpec.$Properties|null);

                    /**
                     * Creates a new Member instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Member instance
                     */
                    static create(properties: p4.config.v1.P4HeaderTypeSpec.Member.$Shape): p4.config.v1.P4HeaderTypeSpec.Member & p4.config.v1.P4HeaderTypeSpec.Member.$Shape;
                    static create(properties?: p4.config.v1.P4HeaderTypeSpec.Member.$Properties): p4.config.v1.P4HeaderTypeSpec.Member;

                    /**
                     * Encodes the specified Member message. Does not implicitly {@link p4.config.v1.P4HeaderTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.P4HeaderTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Member message, length delimited. Does not implicitly {@link p4.config.v1.P4HeaderTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.P4HeaderTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Member message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.P4HeaderTypeSpec.Member & p4.config.v1.P4HeaderTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4HeaderTypeSpec.Member & p4.config.v1.P4HeaderTypeSpec.Member.$Shape;

                    /**
                     * Decodes a Member message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.P4HeaderTypeSpec.Member & p4.config.v1.P4HeaderTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4HeaderTypeSpec.Member & p4.config.v1.P4HeaderTypeSpec.Member.$Shape;

                    /**
                     * Verifies a Member message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Member message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Member
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.P4HeaderTypeSpec.Member;

                    /**
                     * Creates a plain object from a Member message. Also converts values to other types if specified.
                     * @param message Member
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.P4HeaderTypeSpec.Member, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Member to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Member
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Member {

                    /** Properties of a Member. */
                    interface $Properties {

                        /** Member name */
                        name?: (string|null);

                        /** Member typeSpec */
                        typeSpec?: (p4.config.v1.P4BitstringLikeTypeSpec.$Properties|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Member. */
                    type $Shape = {
                      name?: string|null;
                      typeSpec?: p4.config.v1.P4BitstringLikeTypeSpec.$Shape|null;
                      $unknowns?: Uint8Array[];
                    };
                }
            }

            /**
             * Properties of a P4HeaderUnionTypeSpec.
             * @deprecated Use p4.config.v1.P4HeaderUnionTypeSpec.$Properties instead.
             */
            interface IP4HeaderUnionTypeSpec extends p4.config.v1.P4HeaderUnionTypeSpec.$Properties {
            }

            /** Represents a P4HeaderUnionTypeSpec. */
            class P4HeaderUnionTypeSpec {

                /**
                 * Constructs a new P4HeaderUnionTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4HeaderUnionTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4HeaderUnionTypeSpec members. */
                members: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties[];

                /** P4HeaderUnionTypeSpec annotations. */
                annotations: string[];

                /** P4HeaderUnionTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4HeaderUnionTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new P4HeaderUnionTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4HeaderUnionTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4HeaderUnionTypeSpec.$Shape): p4.config.v1.P4HeaderUnionTypeSpec & p4.config.v1.P4HeaderUnionTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4HeaderUnionTypeSpec.$Properties): p4.config.v1.P4HeaderUnionTypeSpec;

                /**
                 * Encodes the specified P4HeaderUnionTypeSpec message. Does not implicitly {@link p4.config.v1.P4HeaderUnionTypeSpec.verify|verify} messages.
                 * @param message P4HeaderUnionTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4HeaderUnionTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4HeaderUnionTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4HeaderUnionTypeSpec.verify|verify} messages.
                 * @param message P4HeaderUnionTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4HeaderUnionTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4HeaderUnionTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4HeaderUnionTypeSpec & p4.config.v1.P4HeaderUnionTypeSpec.$Shape} P4HeaderUnionTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4HeaderUnionTypeSpec & p4.config.v1.P4HeaderUnionTypeSpec.$Shape;

                /**
                 * Decodes a P4HeaderUnionTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4HeaderUnionTypeSpec & p4.config.v1.P4HeaderUnionTypeSpec.$Shape} P4HeaderUnionTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4HeaderUnionTypeSpec & p4.config.v1.P4HeaderUnionTypeSpec.$Shape;

                /**
                 * Verifies a P4HeaderUnionTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4HeaderUnionTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4HeaderUnionTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4HeaderUnionTypeSpec;

                /**
                 * Creates a plain object from a P4HeaderUnionTypeSpec message. Also converts values to other types if specified.
                 * @param message P4HeaderUnionTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4HeaderUnionTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4HeaderUnionTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4HeaderUnionTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4HeaderUnionTypeSpec {

                /** Properties of a P4HeaderUnionTypeSpec. */
                interface $Properties {

                    /** P4HeaderUnionTypeSpec members */
                    members?: (p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties[]|null);

                    /** P4HeaderUnionTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4HeaderUnionTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4HeaderUnionTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4HeaderUnionTypeSpec. */
                type $Shape = {
                  members?: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape[]|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Member.
                 * @deprecated Use p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties instead.
                 */
                interface IMember extends p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties {
                }

                /** Represents a Member. */
                class Member {

                    /**
                     * Constructs a new Member.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Member name. */
                    name: string;

                    /** Member header. */
                    header?: (p4.config.v1.P4NamedType.$Properties|null);

                    /**
                     * Creates a new Member instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Member instance
                     */
                    static create(properties: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape): p4.config.v1.P4HeaderUnionTypeSpec.Member & p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape;
                    static create(properties?: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties): p4.config.v1.P4HeaderUnionTypeSpec.Member;

                    /**
                     * Encodes the specified Member message. Does not implicitly {@link p4.config.v1.P4HeaderUnionTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Member message, length delimited. Does not implicitly {@link p4.config.v1.P4HeaderUnionTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Member message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.P4HeaderUnionTypeSpec.Member & p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4HeaderUnionTypeSpec.Member & p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape;

                    /**
                     * Decodes a Member message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.P4HeaderUnionTypeSpec.Member & p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4HeaderUnionTypeSpec.Member & p4.config.v1.P4HeaderUnionTypeSpec.Member.$Shape;

                    /**
                     * Verifies a Member message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Member message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Member
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.P4HeaderUnionTypeSpec.Member;

                    /**
                     * Creates a plain object from a Member message. Also converts values to other types if specified.
                     * @param message Member
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.P4HeaderUnionTypeSpec.Member, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Member to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Member
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Member {

                    /** Properties of a Member. */
                    interface $Properties {

                        /** Member name */
                        name?: (string|null);

                        /** Member header */
                        header?: (p4.config.v1.P4NamedType.$Properties|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Member. */
                    type $Shape = p4.config.v1.P4HeaderUnionTypeSpec.Member.$Properties;
                }
            }

            /**
             * Properties of a P4HeaderStackTypeSpec.
             * @deprecated Use p4.config.v1.P4HeaderStackTypeSpec.$Properties instead.
             */
            interface IP4HeaderStackTypeSpec extends p4.config.v1.P4HeaderStackTypeSpec.$Properties {
            }

            /** Represents a P4HeaderStackTypeSpec. */
            class P4HeaderStackTypeSpec {

                /**
                 * Constructs a new P4HeaderStackTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4HeaderStackTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4HeaderStackTypeSpec header. */
                header?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4HeaderStackTypeSpec size. */
                size: number;

                /**
                 * Creates a new P4HeaderStackTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4HeaderStackTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4HeaderStackTypeSpec.$Shape): p4.config.v1.P4HeaderStackTypeSpec & p4.config.v1.P4HeaderStackTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4HeaderStackTypeSpec.$Properties): p4.config.v1.P4HeaderStackTypeSpec;

                /**
                 * Encodes the specified P4HeaderStackTypeSpec message. Does not implicitly {@link p4.config.v1.P4HeaderStackTypeSpec.verify|verify} messages.
                 * @param message P4HeaderStackTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4HeaderStackTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4HeaderStackTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4HeaderStackTypeSpec.verify|verify} messages.
                 * @param message P4HeaderStackTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4HeaderStackTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4HeaderStackTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4HeaderStackTypeSpec & p4.config.v1.P4HeaderStackTypeSpec.$Shape} P4HeaderStackTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4HeaderStackTypeSpec & p4.config.v1.P4HeaderStackTypeSpec.$Shape;

                /**
                 * Decodes a P4HeaderStackTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4HeaderStackTypeSpec & p4.config.v1.P4HeaderStackTypeSpec.$Shape} P4HeaderStackTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4HeaderStackTypeSpec & p4.config.v1.P4HeaderStackTypeSpec.$Shape;

                /**
                 * Verifies a P4HeaderStackTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4HeaderStackTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4HeaderStackTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4HeaderStackTypeSpec;

                /**
                 * Creates a plain object from a P4HeaderStackTypeSpec message. Also converts values to other types if specified.
                 * @param message P4HeaderStackTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4HeaderStackTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4HeaderStackTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4HeaderStackTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4HeaderStackTypeSpec {

                /** Properties of a P4HeaderStackTypeSpec. */
                interface $Properties {

                    /** P4HeaderStackTypeSpec header */
                    header?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4HeaderStackTypeSpec size */
                    size?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4HeaderStackTypeSpec. */
                type $Shape = p4.config.v1.P4HeaderStackTypeSpec.$Properties;
            }

            /**
             * Properties of a P4HeaderUnionStackTypeSpec.
             * @deprecated Use p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties instead.
             */
            interface IP4HeaderUnionStackTypeSpec extends p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties {
            }

            /** Represents a P4HeaderUnionStackTypeSpec. */
            class P4HeaderUnionStackTypeSpec {

                /**
                 * Constructs a new P4HeaderUnionStackTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4HeaderUnionStackTypeSpec headerUnion. */
                headerUnion?: (p4.config.v1.P4NamedType.$Properties|null);

                /** P4HeaderUnionStackTypeSpec size. */
                size: number;

                /**
                 * Creates a new P4HeaderUnionStackTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4HeaderUnionStackTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape): p4.config.v1.P4HeaderUnionStackTypeSpec & p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties): p4.config.v1.P4HeaderUnionStackTypeSpec;

                /**
                 * Encodes the specified P4HeaderUnionStackTypeSpec message. Does not implicitly {@link p4.config.v1.P4HeaderUnionStackTypeSpec.verify|verify} messages.
                 * @param message P4HeaderUnionStackTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4HeaderUnionStackTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4HeaderUnionStackTypeSpec.verify|verify} messages.
                 * @param message P4HeaderUnionStackTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4HeaderUnionStackTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4HeaderUnionStackTypeSpec & p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape} P4HeaderUnionStackTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4HeaderUnionStackTypeSpec & p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape;

                /**
                 * Decodes a P4HeaderUnionStackTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4HeaderUnionStackTypeSpec & p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape} P4HeaderUnionStackTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4HeaderUnionStackTypeSpec & p4.config.v1.P4HeaderUnionStackTypeSpec.$Shape;

                /**
                 * Verifies a P4HeaderUnionStackTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4HeaderUnionStackTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4HeaderUnionStackTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4HeaderUnionStackTypeSpec;

                /**
                 * Creates a plain object from a P4HeaderUnionStackTypeSpec message. Also converts values to other types if specified.
                 * @param message P4HeaderUnionStackTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4HeaderUnionStackTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4HeaderUnionStackTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4HeaderUnionStackTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4HeaderUnionStackTypeSpec {

                /** Properties of a P4HeaderUnionStackTypeSpec. */
                interface $Properties {

                    /** P4HeaderUnionStackTypeSpec headerUnion */
                    headerUnion?: (p4.config.v1.P4NamedType.$Properties|null);

                    /** P4HeaderUnionStackTypeSpec size */
                    size?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4HeaderUnionStackTypeSpec. */
                type $Shape = p4.config.v1.P4HeaderUnionStackTypeSpec.$Properties;
            }

            /**
             * Properties of a KeyValuePair.
             * @deprecated Use p4.config.v1.KeyValuePair.$Properties instead.
             */
            interface IKeyValuePair extends p4.config.v1.KeyValuePair.$Properties {
            }

            /** Represents a KeyValuePair. */
            class KeyValuePair {

                /**
                 * Constructs a new KeyValuePair.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.KeyValuePair.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** KeyValuePair key. */
                key: string;

                /** KeyValuePair value. */
                value?: (p4.config.v1.Expression.$Properties|null);

                /**
                 * Creates a new KeyValuePair instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns KeyValuePair instance
                 */
                static create(properties: p4.config.v1.KeyValuePair.$Shape): p4.config.v1.KeyValuePair & p4.config.v1.KeyValuePair.$Shape;
                static create(properties?: p4.config.v1.KeyValuePair.$Properties): p4.config.v1.KeyValuePair;

                /**
                 * Encodes the specified KeyValuePair message. Does not implicitly {@link p4.config.v1.KeyValuePair.verify|verify} messages.
                 * @param message KeyValuePair message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.KeyValuePair.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified KeyValuePair message, length delimited. Does not implicitly {@link p4.config.v1.KeyValuePair.verify|verify} messages.
                 * @param message KeyValuePair message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.KeyValuePair.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a KeyValuePair message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.KeyValuePair & p4.config.v1.KeyValuePair.$Shape} KeyValuePair
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.KeyValuePair & p4.config.v1.KeyValuePair.$Shape;

                /**
                 * Decodes a KeyValuePair message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.KeyValuePair & p4.config.v1.KeyValuePair.$Shape} KeyValuePair
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.KeyValuePair & p4.config.v1.KeyValuePair.$Shape;

                /**
                 * Verifies a KeyValuePair message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a KeyValuePair message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns KeyValuePair
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.KeyValuePair;

                /**
                 * Creates a plain object from a KeyValuePair message. Also converts values to other types if specified.
                 * @param message KeyValuePair
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.KeyValuePair, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this KeyValuePair to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for KeyValuePair
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace KeyValuePair {

                /** Properties of a KeyValuePair. */
                interface $Properties {

                    /** KeyValuePair key */
                    key?: (string|null);

                    /** KeyValuePair value */
                    value?: (p4.config.v1.Expression.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a KeyValuePair. */
                type $Shape = {
                  key?: string|null;
                  value?: p4.config.v1.Expression.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a KeyValuePairList.
             * @deprecated Use p4.config.v1.KeyValuePairList.$Properties instead.
             */
            interface IKeyValuePairList extends p4.config.v1.KeyValuePairList.$Properties {
            }

            /** Represents a KeyValuePairList. */
            class KeyValuePairList {

                /**
                 * Constructs a new KeyValuePairList.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.KeyValuePairList.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** KeyValuePairList kvPairs. */
                kvPairs: p4.config.v1.KeyValuePair.$Properties[];

                /**
                 * Creates a new KeyValuePairList instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns KeyValuePairList instance
                 */
                static create(properties: p4.config.v1.KeyValuePairList.$Shape): p4.config.v1.KeyValuePairList & p4.config.v1.KeyValuePairList.$Shape;
                static create(properties?: p4.config.v1.KeyValuePairList.$Properties): p4.config.v1.KeyValuePairList;

                /**
                 * Encodes the specified KeyValuePairList message. Does not implicitly {@link p4.config.v1.KeyValuePairList.verify|verify} messages.
                 * @param message KeyValuePairList message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.KeyValuePairList.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified KeyValuePairList message, length delimited. Does not implicitly {@link p4.config.v1.KeyValuePairList.verify|verify} messages.
                 * @param message KeyValuePairList message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.KeyValuePairList.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a KeyValuePairList message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.KeyValuePairList & p4.config.v1.KeyValuePairList.$Shape} KeyValuePairList
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.KeyValuePairList & p4.config.v1.KeyValuePairList.$Shape;

                /**
                 * Decodes a KeyValuePairList message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.KeyValuePairList & p4.config.v1.KeyValuePairList.$Shape} KeyValuePairList
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.KeyValuePairList & p4.config.v1.KeyValuePairList.$Shape;

                /**
                 * Verifies a KeyValuePairList message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a KeyValuePairList message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns KeyValuePairList
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.KeyValuePairList;

                /**
                 * Creates a plain object from a KeyValuePairList message. Also converts values to other types if specified.
                 * @param message KeyValuePairList
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.KeyValuePairList, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this KeyValuePairList to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for KeyValuePairList
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace KeyValuePairList {

                /** Properties of a KeyValuePairList. */
                interface $Properties {

                    /** KeyValuePairList kvPairs */
                    kvPairs?: (p4.config.v1.KeyValuePair.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a KeyValuePairList. */
                type $Shape = {
                  kvPairs?: p4.config.v1.KeyValuePair.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of an Expression.
             * @deprecated Use p4.config.v1.Expression.$Properties instead.
             */
            interface IExpression extends p4.config.v1.Expression.$Properties {
            }

            /** Represents an Expression. */
            class Expression {

                /**
                 * Constructs a new Expression.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.Expression.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** Expression stringValue. */
                stringValue?: (string|null);

                /** Expression int64Value. */
                int64Value?: (number|Long|null);

                /** Expression boolValue. */
                boolValue?: (boolean|null);

                /** Expression value. */
                value?: ("stringValue"|"int64Value"|"boolValue");

                /**
                 * Creates a new Expression instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns Expression instance
                 */
                static create(properties: p4.config.v1.Expression.$Shape): p4.config.v1.Expression & p4.config.v1.Expression.$Shape;
                static create(properties?: p4.config.v1.Expression.$Properties): p4.config.v1.Expression;

                /**
                 * Encodes the specified Expression message. Does not implicitly {@link p4.config.v1.Expression.verify|verify} messages.
                 * @param message Expression message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.Expression.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified Expression message, length delimited. Does not implicitly {@link p4.config.v1.Expression.verify|verify} messages.
                 * @param message Expression message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.Expression.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an Expression message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.Expression & p4.config.v1.Expression.$Shape} Expression
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.Expression & p4.config.v1.Expression.$Shape;

                /**
                 * Decodes an Expression message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.Expression & p4.config.v1.Expression.$Shape} Expression
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.Expression & p4.config.v1.Expression.$Shape;

                /**
                 * Verifies an Expression message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an Expression message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns Expression
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.Expression;

                /**
                 * Creates a plain object from an Expression message. Also converts values to other types if specified.
                 * @param message Expression
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.Expression, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this Expression to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for Expression
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace Expression {

                /** Properties of an Expression. */
                interface $Properties {

                    /** Expression stringValue */
                    stringValue?: (string|null);

                    /** Expression int64Value */
                    int64Value?: (number|Long|null);

                    /** Expression boolValue */
                    boolValue?: (boolean|null);

                    /** Expression value */
                    value?: ("stringValue"|"int64Value"|"boolValue");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of an Expression. */
                type $Shape = {
                  stringValue?: string|null;
                  int64Value?: number|Long|null;
                  boolValue?: boolean|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ value?: undefined; stringValue?: null; int64Value?: null; boolValue?: null }|{ value?: "stringValue"; stringValue: string; int64Value?: null; boolValue?: null }|{ value?: "int64Value"; stringValue?: null; int64Value: number|Long; boolValue?: null }|{ value?: "boolValue"; stringValue?: null; int64Value?: null; boolValue: boolean })
                );
            }

            /**
             * Properties of an ExpressionList.
             * @deprecated Use p4.config.v1.ExpressionList.$Properties instead.
             */
            interface IExpressionList extends p4.config.v1.ExpressionList.$Properties {
            }

            /** Represents an ExpressionList. */
            class ExpressionList {

                /**
                 * Constructs a new ExpressionList.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.ExpressionList.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** ExpressionList expressions. */
                expressions: p4.config.v1.Expression.$Properties[];

                /**
                 * Creates a new ExpressionList instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns ExpressionList instance
                 */
                static create(properties: p4.config.v1.ExpressionList.$Shape): p4.config.v1.ExpressionList & p4.config.v1.ExpressionList.$Shape;
                static create(properties?: p4.config.v1.ExpressionList.$Properties): p4.config.v1.ExpressionList;

                /**
                 * Encodes the specified ExpressionList message. Does not implicitly {@link p4.config.v1.ExpressionList.verify|verify} messages.
                 * @param message ExpressionList message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.ExpressionList.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified ExpressionList message, length delimited. Does not implicitly {@link p4.config.v1.ExpressionList.verify|verify} messages.
                 * @param message ExpressionList message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.ExpressionList.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an ExpressionList message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.ExpressionList & p4.config.v1.ExpressionList.$Shape} ExpressionList
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.ExpressionList & p4.config.v1.ExpressionList.$Shape;

                /**
                 * Decodes an ExpressionList message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.ExpressionList & p4.config.v1.ExpressionList.$Shape} ExpressionList
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.ExpressionList & p4.config.v1.ExpressionList.$Shape;

                /**
                 * Verifies an ExpressionList message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates an ExpressionList message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns ExpressionList
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.ExpressionList;

                /**
                 * Creates a plain object from an ExpressionList message. Also converts values to other types if specified.
                 * @param message ExpressionList
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.ExpressionList, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this ExpressionList to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for ExpressionList
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace ExpressionList {

                /** Properties of an ExpressionList. */
                interface $Properties {

                    /** ExpressionList expressions */
                    expressions?: (p4.config.v1.Expression.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an ExpressionList. */
                type $Shape = {
                  expressions?: p4.config.v1.Expression.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of a StructuredAnnotation.
             * @deprecated Use p4.config.v1.StructuredAnnotation.$Properties instead.
             */
            interface IStructuredAnnotation extends p4.config.v1.StructuredAnnotation.$Properties {
            }

            /** Represents a StructuredAnnotation. */
            class StructuredAnnotation {

                /**
                 * Constructs a new StructuredAnnotation.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.StructuredAnnotation.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** StructuredAnnotation name. */
                name: string;

                /** StructuredAnnotation expressionList. */
                expressionList?: (p4.config.v1.ExpressionList.$Properties|null);

                /** StructuredAnnotation kvPairList. */
                kvPairList?: (p4.config.v1.KeyValuePairList.$Properties|null);

                /** StructuredAnnotation sourceLocation. */
                sourceLocation?: (p4.config.v1.SourceLocation.$Properties|null);

                /** StructuredAnnotation body. */
                body?: ("expressionList"|"kvPairList");

                /**
                 * Creates a new StructuredAnnotation instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns StructuredAnnotation instance
                 */
                static create(properties: p4.config.v1.StructuredAnnotation.$Shape): p4.config.v1.StructuredAnnotation & p4.config.v1.StructuredAnnotation.$Shape;
                static create(properties?: p4.config.v1.StructuredAnnotation.$Properties): p4.config.v1.StructuredAnnotation;

                /**
                 * Encodes the specified StructuredAnnotation message. Does not implicitly {@link p4.config.v1.StructuredAnnotation.verify|verify} messages.
                 * @param message StructuredAnnotation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.StructuredAnnotation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified StructuredAnnotation message, length delimited. Does not implicitly {@link p4.config.v1.StructuredAnnotation.verify|verify} messages.
                 * @param message StructuredAnnotation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.StructuredAnnotation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a StructuredAnnotation message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.StructuredAnnotation & p4.config.v1.StructuredAnnotation.$Shape} StructuredAnnotation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.StructuredAnnotation & p4.config.v1.StructuredAnnotation.$Shape;

                /**
                 * Decodes a StructuredAnnotation message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.StructuredAnnotation & p4.config.v1.StructuredAnnotation.$Shape} StructuredAnnotation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.StructuredAnnotation & p4.config.v1.StructuredAnnotation.$Shape;

                /**
                 * Verifies a StructuredAnnotation message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a StructuredAnnotation message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns StructuredAnnotation
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.StructuredAnnotation;

                /**
                 * Creates a plain object from a StructuredAnnotation message. Also converts values to other types if specified.
                 * @param message StructuredAnnotation
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.StructuredAnnotation, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this StructuredAnnotation to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for StructuredAnnotation
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace StructuredAnnotation {

                /** Properties of a StructuredAnnotation. */
                interface $Properties {

                    /** StructuredAnnotation name */
                    name?: (string|null);

                    /** StructuredAnnotation expressionList */
                    expressionList?: (p4.config.v1.ExpressionList.$Properties|null);

                    /** StructuredAnnotation kvPairList */
                    kvPairList?: (p4.config.v1.KeyValuePairList.$Properties|null);

                    /** StructuredAnnotation sourceLocation */
                    sourceLocation?: (p4.config.v1.SourceLocation.$Properties|null);

                    /** StructuredAnnotation body */
                    body?: ("expressionList"|"kvPairList");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a StructuredAnnotation. */
                type $Shape = {
                  name?: string|null;
                  expressionList?: p4.config.v1.ExpressionList.$Shape|null;
                  kvPairList?: p4.config.v1.KeyValuePairList.$Shape|null;
                  sourceLocation?: p4.config.v1.SourceLocation.$Shape|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ body?: undefined; expressionList?: null; kvPairList?: null }|{ body?: "expressionList"; expressionList: p4.config.v1.ExpressionList.$Shape; kvPairList?: null }|{ body?: "kvPairList"; expressionList?: null; kvPairList: p4.config.v1.KeyValuePairList.$Shape })
                );
            }

            /**
             * Properties of a SourceLocation.
             * @deprecated Use p4.config.v1.SourceLocation.$Properties instead.
             */
            interface ISourceLocation extends p4.config.v1.SourceLocation.$Properties {
            }

            /** Represents a SourceLocation. */
            class SourceLocation {

                /**
                 * Constructs a new SourceLocation.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.SourceLocation.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** SourceLocation file. */
                file: string;

                /** SourceLocation line. */
                line: number;

                /** SourceLocation column. */
                column: number;

                /**
                 * Creates a new SourceLocation instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns SourceLocation instance
                 */
                static create(properties: p4.config.v1.SourceLocation.$Shape): p4.config.v1.SourceLocation & p4.config.v1.SourceLocation.$Shape;
                static create(properties?: p4.config.v1.SourceLocation.$Properties): p4.config.v1.SourceLocation;

                /**
                 * Encodes the specified SourceLocation message. Does not implicitly {@link p4.config.v1.SourceLocation.verify|verify} messages.
                 * @param message SourceLocation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.SourceLocation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified SourceLocation message, length delimited. Does not implicitly {@link p4.config.v1.SourceLocation.verify|verify} messages.
                 * @param message SourceLocation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.SourceLocation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a SourceLocation message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.SourceLocation & p4.config.v1.SourceLocation.$Shape} SourceLocation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.SourceLocation & p4.config.v1.SourceLocation.$Shape;

                /**
                 * Decodes a SourceLocation message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.SourceLocation & p4.config.v1.SourceLocation.$Shape} SourceLocation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.SourceLocation & p4.config.v1.SourceLocation.$Shape;

                /**
                 * Verifies a SourceLocation message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a SourceLocation message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns SourceLocation
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.SourceLocation;

                /**
                 * Creates a plain object from a SourceLocation message. Also converts values to other types if specified.
                 * @param message SourceLocation
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.SourceLocation, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this SourceLocation to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for SourceLocation
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace SourceLocation {

                /** Properties of a SourceLocation. */
                interface $Properties {

                    /** SourceLocation file */
                    file?: (string|null);

                    /** SourceLocation line */
                    line?: (number|null);

                    /** SourceLocation column */
                    column?: (number|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a SourceLocation. */
                type $Shape = p4.config.v1.SourceLocation.$Properties;
            }

            /**
             * Properties of a P4EnumTypeSpec.
             * @deprecated Use p4.config.v1.P4EnumTypeSpec.$Properties instead.
             */
            interface IP4EnumTypeSpec extends p4.config.v1.P4EnumTypeSpec.$Properties {
            }

            /** Represents a P4EnumTypeSpec. */
            class P4EnumTypeSpec {

                /**
                 * Constructs a new P4EnumTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4EnumTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4EnumTypeSpec members. */
                members: p4.config.v1.P4EnumTypeSpec.Member.$Properties[];

                /** P4EnumTypeSpec annotations. */
                annotations: string[];

                /** P4EnumTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4EnumTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new P4EnumTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4EnumTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4EnumTypeSpec.$Shape): p4.config.v1.P4EnumTypeSpec & p4.config.v1.P4EnumTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4EnumTypeSpec.$Properties): p4.config.v1.P4EnumTypeSpec;

                /**
                 * Encodes the specified P4EnumTypeSpec message. Does not implicitly {@link p4.config.v1.P4EnumTypeSpec.verify|verify} messages.
                 * @param message P4EnumTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4EnumTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4EnumTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4EnumTypeSpec.verify|verify} messages.
                 * @param message P4EnumTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4EnumTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4EnumTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4EnumTypeSpec & p4.config.v1.P4EnumTypeSpec.$Shape} P4EnumTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4EnumTypeSpec & p4.config.v1.P4EnumTypeSpec.$Shape;

                /**
                 * Decodes a P4EnumTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4EnumTypeSpec & p4.config.v1.P4EnumTypeSpec.$Shape} P4EnumTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4EnumTypeSpec & p4.config.v1.P4EnumTypeSpec.$Shape;

                /**
                 * Verifies a P4EnumTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4EnumTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4EnumTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4EnumTypeSpec;

                /**
                 * Creates a plain object from a P4EnumTypeSpec message. Also converts values to other types if specified.
                 * @param message P4EnumTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4EnumTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4EnumTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4EnumTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4EnumTypeSpec {

                /** Properties of a P4EnumTypeSpec. */
                interface $Properties {

                    /** P4EnumTypeSpec members */
                    members?: (p4.config.v1.P4EnumTypeSpec.Member.$Properties[]|null);

                    /** P4EnumTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4EnumTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4EnumTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4EnumTypeSpec. */
                type $Shape = {
                  members?: p4.config.v1.P4EnumTypeSpec.Member.$Shape[]|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Member.
                 * @deprecated Use p4.config.v1.P4EnumTypeSpec.Member.$Properties instead.
                 */
                interface IMember extends p4.config.v1.P4EnumTypeSpec.Member.$Properties {
                }

                /** Represents a Member. */
                class Member {

                    /**
                     * Constructs a new Member.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.P4EnumTypeSpec.Member.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Member name. */
                    name: string;

                    /** Member annotations. */
                    annotations: string[];

                    /** Member annotationLocations. */
                    annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                    /** Member structuredAnnotations. */
                    structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                    /**
                     * Creates a new Member instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Member instance
                     */
                    static create(properties: p4.config.v1.P4EnumTypeSpec.Member.$Shape): p4.config.v1.P4EnumTypeSpec.Member & p4.config.v1.P4EnumTypeSpec.Member.$Shape;
                    static create(properties?: p4.config.v1.P4EnumTypeSpec.Member.$Properties): p4.config.v1.P4EnumTypeSpec.Member;

                    /**
                     * Encodes the specified Member message. Does not implicitly {@link p4.config.v1.P4EnumTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.P4EnumTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Member message, length delimited. Does not implicitly {@link p4.config.v1.P4EnumTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.P4EnumTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Member message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.P4EnumTypeSpec.Member & p4.config.v1.P4EnumTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4EnumTypeSpec.Member & p4.config.v1.P4EnumTypeSpec.Member.$Shape;

                    /**
                     * Decodes a Member message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.P4EnumTypeSpec.Member & p4.config.v1.P4EnumTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4EnumTypeSpec.Member & p4.config.v1.P4EnumTypeSpec.Member.$Shape;

                    /**
                     * Verifies a Member message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Member message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Member
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.P4EnumTypeSpec.Member;

                    /**
                     * Creates a plain object from a Member message. Also converts values to other types if specified.
                     * @param message Member
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.P4EnumTypeSpec.Member, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Member to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Member
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Member {

                    /** Properties of a Member. */
                    interface $Properties {

                        /** Member name */
                        name?: (string|null);

                        /** Member annotations */
                        annotations?: (string[]|null);

                        /** Member annotationLocations */
                        annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                        /** Member structuredAnnotations */
                        structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Member. */
                    type $Shape = {
                      name?: string|null;
                      annotations?: string[]|null;
                      annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                      structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                      $unknowns?: Uint8Array[];
                    };
                }
            }

            /**
             * Properties of a P4SerializableEnumTypeSpec.
             * @deprecated Use p4.config.v1.P4SerializableEnumTypeSpec.$Properties instead.
             */
            interface IP4SerializableEnumTypeSpec extends p4.config.v1.P4SerializableEnumTypeSpec.$Properties {
            }

            /** Represents a P4SerializableEnumTypeSpec. */
            class P4SerializableEnumTypeSpec {

                /**
                 * Constructs a new P4SerializableEnumTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4SerializableEnumTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4SerializableEnumTypeSpec underlyingType. */
                underlyingType?: (p4.config.v1.P4BitTypeSpec.$Properties|null);

                /** P4SerializableEnumTypeSpec members. */
                members: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties[];

                /** P4SerializableEnumTypeSpec annotations. */
                annotations: string[];

                /** P4SerializableEnumTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4SerializableEnumTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /**
                 * Creates a new P4SerializableEnumTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4SerializableEnumTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4SerializableEnumTypeSpec.$Shape): p4.config.v1.P4SerializableEnumTypeSpec & p4.config.v1.P4SerializableEnumTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4SerializableEnumTypeSpec.$Properties): p4.config.v1.P4SerializableEnumTypeSpec;

                /**
                 * Encodes the specified P4SerializableEnumTypeSpec message. Does not implicitly {@link p4.config.v1.P4SerializableEnumTypeSpec.verify|verify} messages.
                 * @param message P4SerializableEnumTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4SerializableEnumTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4SerializableEnumTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4SerializableEnumTypeSpec.verify|verify} messages.
                 * @param message P4SerializableEnumTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4SerializableEnumTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4SerializableEnumTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4SerializableEnumTypeSpec & p4.config.v1.P4SerializableEnumTypeSpec.$Shape} P4SerializableEnumTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4SerializableEnumTypeSpec & p4.config.v1.P4SerializableEnumTypeSpec.$Shape;

                /**
                 * Decodes a P4SerializableEnumTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4SerializableEnumTypeSpec & p4.config.v1.P4SerializableEnumTypeSpec.$Shape} P4SerializableEnumTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4SerializableEnumTypeSpec & p4.config.v1.P4SerializableEnumTypeSpec.$Shape;

                /**
                 * Verifies a P4SerializableEnumTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4SerializableEnumTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4SerializableEnumTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4SerializableEnumTypeSpec;

                /**
                 * Creates a plain object from a P4SerializableEnumTypeSpec message. Also converts values to other types if specified.
                 * @param message P4SerializableEnumTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4SerializableEnumTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4SerializableEnumTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4SerializableEnumTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4SerializableEnumTypeSpec {

                /** Properties of a P4SerializableEnumTypeSpec. */
                interface $Properties {

                    /** P4SerializableEnumTypeSpec underlyingType */
                    underlyingType?: (p4.config.v1.P4BitTypeSpec.$Properties|null);

                    /** P4SerializableEnumTypeSpec members */
                    members?: (p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties[]|null);

                    /** P4SerializableEnumTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4SerializableEnumTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4SerializableEnumTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4SerializableEnumTypeSpec. */
                type $Shape = {
                  underlyingType?: p4.config.v1.P4BitTypeSpec.$Shape|null;
                  members?: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape[]|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                };

                /**
                 * Properties of a Member.
                 * @deprecated Use p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties instead.
                 */
                interface IMember extends p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties {
                }

                /** Represents a Member. */
                class Member {

                    /**
                     * Constructs a new Member.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Member name. */
                    name: string;

                    /** Member value. */
                    value: Uint8Array;

                    /** Member annotations. */
                    annotations: string[];

                    /** Member annotationLocations. */
                    annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                    /** Member structuredAnnotations. */
                    structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                    /**
                     * Creates a new Member instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Member instance
                     */
                    static create(properties: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape): p4.config.v1.P4SerializableEnumTypeSpec.Member & p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape;
                    static create(properties?: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties): p4.config.v1.P4SerializableEnumTypeSpec.Member;

                    /**
                     * Encodes the specified Member message. Does not implicitly {@link p4.config.v1.P4SerializableEnumTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified Member message, length delimited. Does not implicitly {@link p4.config.v1.P4SerializableEnumTypeSpec.Member.verify|verify} messages.
                     * @param message Member message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.P4SerializableEnumTypeSpec.Member.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Member message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.P4SerializableEnumTypeSpec.Member & p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4SerializableEnumTypeSpec.Member & p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape;

                    /**
                     * Decodes a Member message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.P4SerializableEnumTypeSpec.Member & p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape} Member
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4SerializableEnumTypeSpec.Member & p4.config.v1.P4SerializableEnumTypeSpec.Member.$Shape;

                    /**
                     * Verifies a Member message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a Member message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns Member
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.P4SerializableEnumTypeSpec.Member;

                    /**
                     * Creates a plain object from a Member message. Also converts values to other types if specified.
                     * @param message Member
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.P4SerializableEnumTypeSpec.Member, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this Member to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for Member
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace Member {

                    /** Properties of a Member. */
                    interface $Properties {

                        /** Member name */
                        name?: (string|null);

                        /** Member value */
                        value?: (Uint8Array|null);

                        /** Member annotations */
                        annotations?: (string[]|null);

                        /** Member annotationLocations */
                        annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                        /** Member structuredAnnotations */
                        structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Member. */
                    type $Shape = {
                      name?: string|null;
                      value?: Uint8Array|null;
                      annotations?: string[]|null;
                      annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                      structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                      $unknowns?: Uint8Array[];
                    };
                }
            }

            /**
             * Properties of a P4ErrorTypeSpec.
             * @deprecated Use p4.config.v1.P4ErrorTypeSpec.$Properties instead.
             */
            interface IP4ErrorTypeSpec extends p4.config.v1.P4ErrorTypeSpec.$Properties {
            }

            /** Represents a P4ErrorTypeSpec. */
            class P4ErrorTypeSpec {

                /**
                 * Constructs a new P4ErrorTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4ErrorTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4ErrorTypeSpec members. */
                members: string[];

                /**
                 * Creates a new P4ErrorTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4ErrorTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4ErrorTypeSpec.$Shape): p4.config.v1.P4ErrorTypeSpec & p4.config.v1.P4ErrorTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4ErrorTypeSpec.$Properties): p4.config.v1.P4ErrorTypeSpec;

                /**
                 * Encodes the specified P4ErrorTypeSpec message. Does not implicitly {@link p4.config.v1.P4ErrorTypeSpec.verify|verify} messages.
                 * @param message P4ErrorTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4ErrorTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4ErrorTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4ErrorTypeSpec.verify|verify} messages.
                 * @param message P4ErrorTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4ErrorTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4ErrorTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4ErrorTypeSpec & p4.config.v1.P4ErrorTypeSpec.$Shape} P4ErrorTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4ErrorTypeSpec & p4.config.v1.P4ErrorTypeSpec.$Shape;

                /**
                 * Decodes a P4ErrorTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4ErrorTypeSpec & p4.config.v1.P4ErrorTypeSpec.$Shape} P4ErrorTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4ErrorTypeSpec & p4.config.v1.P4ErrorTypeSpec.$Shape;

                /**
                 * Verifies a P4ErrorTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4ErrorTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4ErrorTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4ErrorTypeSpec;

                /**
                 * Creates a plain object from a P4ErrorTypeSpec message. Also converts values to other types if specified.
                 * @param message P4ErrorTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4ErrorTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4ErrorTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4ErrorTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4ErrorTypeSpec {

                /** Properties of a P4ErrorTypeSpec. */
                interface $Properties {

                    /** P4ErrorTypeSpec members */
                    members?: (string[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a P4ErrorTypeSpec. */
                type $Shape = p4.config.v1.P4ErrorTypeSpec.$Properties;
            }

            /**
             * Properties of a P4NewTypeTranslation.
             * @deprecated Use p4.config.v1.P4NewTypeTranslation.$Properties instead.
             */
            interface IP4NewTypeTranslation extends p4.config.v1.P4NewTypeTranslation.$Properties {
            }

            /** Represents a P4NewTypeTranslation. */
            class P4NewTypeTranslation {

                /**
                 * Constructs a new P4NewTypeTranslation.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4NewTypeTranslation.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4NewTypeTranslation uri. */
                uri: string;

                /** P4NewTypeTranslation sdnBitwidth. */
                sdnBitwidth?: (number|null);

                /** P4NewTypeTranslation sdnString. */
                sdnString?: (p4.config.v1.P4NewTypeTranslation.SdnString.$Properties|null);

                /** P4NewTypeTranslation sdnType. */
                sdnType?: ("sdnBitwidth"|"sdnString");

                /**
                 * Creates a new P4NewTypeTranslation instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4NewTypeTranslation instance
                 */
                static create(properties: p4.config.v1.P4NewTypeTranslation.$Shape): p4.config.v1.P4NewTypeTranslation & p4.config.v1.P4NewTypeTranslation.$Shape;
                static create(properties?: p4.config.v1.P4NewTypeTranslation.$Properties): p4.config.v1.P4NewTypeTranslation;

                /**
                 * Encodes the specified P4NewTypeTranslation message. Does not implicitly {@link p4.config.v1.P4NewTypeTranslation.verify|verify} messages.
                 * @param message P4NewTypeTranslation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4NewTypeTranslation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4NewTypeTranslation message, length delimited. Does not implicitly {@link p4.config.v1.P4NewTypeTranslation.verify|verify} messages.
                 * @param message P4NewTypeTranslation message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4NewTypeTranslation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4NewTypeTranslation message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4NewTypeTranslation & p4.config.v1.P4NewTypeTranslation.$Shape} P4NewTypeTranslation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4NewTypeTranslation & p4.config.v1.P4NewTypeTranslation.$Shape;

                /**
                 * Decodes a P4NewTypeTranslation message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4NewTypeTranslation & p4.config.v1.P4NewTypeTranslation.$Shape} P4NewTypeTranslation
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4NewTypeTranslation & p4.config.v1.P4NewTypeTranslation.$Shape;

                /**
                 * Verifies a P4NewTypeTranslation message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4NewTypeTranslation message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4NewTypeTranslation
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4NewTypeTranslation;

                /**
                 * Creates a plain object from a P4NewTypeTranslation message. Also converts values to other types if specified.
                 * @param message P4NewTypeTranslation
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4NewTypeTranslation, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4NewTypeTranslation to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4NewTypeTranslation
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4NewTypeTranslation {

                /** Properties of a P4NewTypeTranslation. */
                interface $Properties {

                    /** P4NewTypeTranslation uri */
                    uri?: (string|null);

                    /** P4NewTypeTranslation sdnBitwidth */
                    sdnBitwidth?: (number|null);

                    /** P4NewTypeTranslation sdnString */
                    sdnString?: (p4.config.v1.P4NewTypeTranslation.SdnString.$Properties|null);

                    /** P4NewTypeTranslation sdnType */
                    sdnType?: ("sdnBitwidth"|"sdnString");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a P4NewTypeTranslation. */
                type $Shape = {
                  uri?: string|null;
                  sdnBitwidth?: number|null;
                  sdnString?: p4.config.v1.P4NewTypeTranslation.SdnString.$Shape|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ sdnType?: undefined; sdnBitwidth?: null; sdnString?: null }|{ sdnType?: "sdnBitwidth"; sdnBitwidth: number; sdnString?: null }|{ sdnType?: "sdnString"; sdnBitwidth?: null; sdnString: p4.config.v1.P4NewTypeTranslation.SdnString.$Shape })
                );

                /**
                 * Properties of a SdnString.
                 * @deprecated Use p4.config.v1.P4NewTypeTranslation.SdnString.$Properties instead.
                 */
                interface ISdnString extends p4.config.v1.P4NewTypeTranslation.SdnString.$Properties {
                }

                /** Represents a SdnString. */
                class SdnString {

                    /**
                     * Constructs a new SdnString.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: p4.config.v1.P4NewTypeTranslation.SdnString.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /**
                     * Creates a new SdnString instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns SdnString instance
                     */
                    static create(properties: p4.config.v1.P4NewTypeTranslation.SdnString.$Shape): p4.config.v1.P4NewTypeTranslation.SdnString & p4.config.v1.P4NewTypeTranslation.SdnString.$Shape;
                    static create(properties?: p4.config.v1.P4NewTypeTranslation.SdnString.$Properties): p4.config.v1.P4NewTypeTranslation.SdnString;

                    /**
                     * Encodes the specified SdnString message. Does not implicitly {@link p4.config.v1.P4NewTypeTranslation.SdnString.verify|verify} messages.
                     * @param message SdnString message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: p4.config.v1.P4NewTypeTranslation.SdnString.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Encodes the specified SdnString message, length delimited. Does not implicitly {@link p4.config.v1.P4NewTypeTranslation.SdnString.verify|verify} messages.
                     * @param message SdnString message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encodeDelimited(message: p4.config.v1.P4NewTypeTranslation.SdnString.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a SdnString message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {p4.config.v1.P4NewTypeTranslation.SdnString & p4.config.v1.P4NewTypeTranslation.SdnString.$Shape} SdnString
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4NewTypeTranslation.SdnString & p4.config.v1.P4NewTypeTranslation.SdnString.$Shape;

                    /**
                     * Decodes a SdnString message from the specified reader or buffer, length delimited.
                     * @param reader Reader or buffer to decode from
                     * @returns {p4.config.v1.P4NewTypeTranslation.SdnString & p4.config.v1.P4NewTypeTranslation.SdnString.$Shape} SdnString
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4NewTypeTranslation.SdnString & p4.config.v1.P4NewTypeTranslation.SdnString.$Shape;

                    /**
                     * Verifies a SdnString message.
                     * @param message Plain object to verify
                     * @returns `null` if valid, otherwise the reason why it is not
                     */
                    static verify(message: { [k: string]: any }): (string|null);

                    /**
                     * Creates a SdnString message from a plain object. Also converts values to their respective internal types.
                     * @param object Plain object
                     * @returns SdnString
                     */
                    static fromObject(object: { [k: string]: any }): p4.config.v1.P4NewTypeTranslation.SdnString;

                    /**
                     * Creates a plain object from a SdnString message. Also converts values to other types if specified.
                     * @param message SdnString
                     * @param [options] Conversion options
                     * @returns Plain object
                     */
                    static toObject(message: p4.config.v1.P4NewTypeTranslation.SdnString, options?: $protobuf.IConversionOptions): { [k: string]: any };

                    /**
                     * Converts this SdnString to JSON.
                     * @returns JSON object
                     */
                    toJSON(): { [k: string]: any };

                    /**
                     * Gets the type url for SdnString
                     * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                     * @returns The type url
                     */
                    static getTypeUrl(prefix?: string): string;
                }

                namespace SdnString {

                    /** Properties of a SdnString. */
                    interface $Properties {

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a SdnString. */
                    type $Shape = p4.config.v1.P4NewTypeTranslation.SdnString.$Properties;
                }
            }

            /**
             * Properties of a P4NewTypeSpec.
             * @deprecated Use p4.config.v1.P4NewTypeSpec.$Properties instead.
             */
            interface IP4NewTypeSpec extends p4.config.v1.P4NewTypeSpec.$Properties {
            }

            /** Represents a P4NewTypeSpec. */
            class P4NewTypeSpec {

                /**
                 * Constructs a new P4NewTypeSpec.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: p4.config.v1.P4NewTypeSpec.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** P4NewTypeSpec originalType. */
                originalType?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                /** P4NewTypeSpec translatedType. */
                translatedType?: (p4.config.v1.P4NewTypeTranslation.$Properties|null);

                /** P4NewTypeSpec annotations. */
                annotations: string[];

                /** P4NewTypeSpec annotationLocations. */
                annotationLocations: p4.config.v1.SourceLocation.$Properties[];

                /** P4NewTypeSpec structuredAnnotations. */
                structuredAnnotations: p4.config.v1.StructuredAnnotation.$Properties[];

                /** P4NewTypeSpec representation. */
                representation?: ("originalType"|"translatedType");

                /**
                 * Creates a new P4NewTypeSpec instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns P4NewTypeSpec instance
                 */
                static create(properties: p4.config.v1.P4NewTypeSpec.$Shape): p4.config.v1.P4NewTypeSpec & p4.config.v1.P4NewTypeSpec.$Shape;
                static create(properties?: p4.config.v1.P4NewTypeSpec.$Properties): p4.config.v1.P4NewTypeSpec;

                /**
                 * Encodes the specified P4NewTypeSpec message. Does not implicitly {@link p4.config.v1.P4NewTypeSpec.verify|verify} messages.
                 * @param message P4NewTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: p4.config.v1.P4NewTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Encodes the specified P4NewTypeSpec message, length delimited. Does not implicitly {@link p4.config.v1.P4NewTypeSpec.verify|verify} messages.
                 * @param message P4NewTypeSpec message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encodeDelimited(message: p4.config.v1.P4NewTypeSpec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a P4NewTypeSpec message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {p4.config.v1.P4NewTypeSpec & p4.config.v1.P4NewTypeSpec.$Shape} P4NewTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.config.v1.P4NewTypeSpec & p4.config.v1.P4NewTypeSpec.$Shape;

                /**
                 * Decodes a P4NewTypeSpec message from the specified reader or buffer, length delimited.
                 * @param reader Reader or buffer to decode from
                 * @returns {p4.config.v1.P4NewTypeSpec & p4.config.v1.P4NewTypeSpec.$Shape} P4NewTypeSpec
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.config.v1.P4NewTypeSpec & p4.config.v1.P4NewTypeSpec.$Shape;

                /**
                 * Verifies a P4NewTypeSpec message.
                 * @param message Plain object to verify
                 * @returns `null` if valid, otherwise the reason why it is not
                 */
                static verify(message: { [k: string]: any }): (string|null);

                /**
                 * Creates a P4NewTypeSpec message from a plain object. Also converts values to their respective internal types.
                 * @param object Plain object
                 * @returns P4NewTypeSpec
                 */
                static fromObject(object: { [k: string]: any }): p4.config.v1.P4NewTypeSpec;

                /**
                 * Creates a plain object from a P4NewTypeSpec message. Also converts values to other types if specified.
                 * @param message P4NewTypeSpec
                 * @param [options] Conversion options
                 * @returns Plain object
                 */
                static toObject(message: p4.config.v1.P4NewTypeSpec, options?: $protobuf.IConversionOptions): { [k: string]: any };

                /**
                 * Converts this P4NewTypeSpec to JSON.
                 * @returns JSON object
                 */
                toJSON(): { [k: string]: any };

                /**
                 * Gets the type url for P4NewTypeSpec
                 * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
                 * @returns The type url
                 */
                static getTypeUrl(prefix?: string): string;
            }

            namespace P4NewTypeSpec {

                /** Properties of a P4NewTypeSpec. */
                interface $Properties {

                    /** P4NewTypeSpec originalType */
                    originalType?: (p4.config.v1.P4DataTypeSpec.$Properties|null);

                    /** P4NewTypeSpec translatedType */
                    translatedType?: (p4.config.v1.P4NewTypeTranslation.$Properties|null);

                    /** P4NewTypeSpec annotations */
                    annotations?: (string[]|null);

                    /** P4NewTypeSpec annotationLocations */
                    annotationLocations?: (p4.config.v1.SourceLocation.$Properties[]|null);

                    /** P4NewTypeSpec structuredAnnotations */
                    structuredAnnotations?: (p4.config.v1.StructuredAnnotation.$Properties[]|null);

                    /** P4NewTypeSpec representation */
                    representation?: ("originalType"|"translatedType");

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Narrowed shape of a P4NewTypeSpec. */
                type $Shape = {
                  originalType?: p4.config.v1.P4DataTypeSpec.$Shape|null;
                  translatedType?: p4.config.v1.P4NewTypeTranslation.$Shape|null;
                  annotations?: string[]|null;
                  annotationLocations?: p4.config.v1.SourceLocation.$Shape[]|null;
                  structuredAnnotations?: p4.config.v1.StructuredAnnotation.$Shape[]|null;
                  $unknowns?: Uint8Array[];
                } & (
                  ({ representation?: undefined; originalType?: null; translatedType?: null }|{ representation?: "originalType"; originalType: p4.config.v1.P4DataTypeSpec.$Shape; translatedType?: null }|{ representation?: "translatedType"; originalType?: null; translatedType: p4.config.v1.P4NewTypeTranslation.$Shape })
                );
            }
        }
    }

    /** Namespace bm. */
    namespace bm {

        /** Represents a DataplaneInterface */
        class DataplaneInterface extends $protobuf.rpc.Service {

            /**
             * Constructs a new DataplaneInterface service.
             * @param rpcImpl RPC implementation
             * @param [requestDelimited=false] Whether requests are length-delimited
             * @param [responseDelimited=false] Whether responses are length-delimited
             */
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);

            /**
             * Creates new DataplaneInterface service using the specified rpc implementation.
             * @param rpcImpl RPC implementation
             * @param [requestDelimited=false] Whether requests are length-delimited
             * @param [responseDelimited=false] Whether responses are length-delimited
             * @returns RPC service. Useful where requests and/or responses are streamed.
             */
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): DataplaneInterface;

            /** Calls PacketStream. */
            packetStream: p4.bm.DataplaneInterface.PacketStream;

            /** Calls SetPortOperStatus. */
            setPortOperStatus: p4.bm.DataplaneInterface.SetPortOperStatus;
        }

        namespace DataplaneInterface {

            /**
             * Callback as used by {@link p4.bm.DataplaneInterface#packetStream}.
             * @param error Error, if any
             * @param [response] PacketStreamResponse
             */
            type PacketStreamCallback = (error: (Error|null), response?: p4.bm.PacketStreamResponse) => void;

            /** Calls PacketStream. */
            type PacketStream = {
              (request: p4.bm.IPacketStreamRequest, callback: p4.bm.DataplaneInterface.PacketStreamCallback): void;
              (request: p4.bm.IPacketStreamRequest): Promise<p4.bm.PacketStreamResponse>;
              readonly name: "PacketStream";
              readonly path: "/p4.bm.DataplaneInterface/PacketStream";
              readonly requestType: "PacketStreamRequest";
              readonly responseType: "PacketStreamResponse";
              readonly requestStream: true;
              readonly responseStream: true;
            };

            /**
             * Callback as used by {@link p4.bm.DataplaneInterface#setPortOperStatus}.
             * @param error Error, if any
             * @param [response] SetPortOperStatusResponse
             */
            type SetPortOperStatusCallback = (error: (Error|null), response?: p4.bm.SetPortOperStatusResponse) => void;

            /** Calls SetPortOperStatus. */
            type SetPortOperStatus = {
              (request: p4.bm.ISetPortOperStatusRequest, callback: p4.bm.DataplaneInterface.SetPortOperStatusCallback): void;
              (request: p4.bm.ISetPortOperStatusRequest): Promise<p4.bm.SetPortOperStatusResponse>;
              readonly name: "SetPortOperStatus";
              readonly path: "/p4.bm.DataplaneInterface/SetPortOperStatus";
              readonly requestType: "SetPortOperStatusRequest";
              readonly responseType: "SetPortOperStatusResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
        }

        /**
         * Properties of a PacketStreamRequest.
         * @deprecated Use p4.bm.PacketStreamRequest.$Properties instead.
         */
        interface IPacketStreamRequest extends p4.bm.PacketStreamRequest.$Properties {
        }

        /** Represents a PacketStreamRequest. */
        class PacketStreamRequest {

            /**
             * Constructs a new PacketStreamRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.bm.PacketStreamRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketStreamRequest id. */
            id: (number|Long);

            /** PacketStreamRequest deviceId. */
            deviceId: (number|Long);

            /** PacketStreamRequest port. */
            port: number;

            /** PacketStreamRequest packet. */
            packet: Uint8Array;

            /**
             * Creates a new PacketStreamRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketStreamRequest instance
             */
            static create(properties: p4.bm.PacketStreamRequest.$Shape): p4.bm.PacketStreamRequest & p4.bm.PacketStreamRequest.$Shape;
            static create(properties?: p4.bm.PacketStreamRequest.$Properties): p4.bm.PacketStreamRequest;

            /**
             * Encodes the specified PacketStreamRequest message. Does not implicitly {@link p4.bm.PacketStreamRequest.verify|verify} messages.
             * @param message PacketStreamRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.bm.PacketStreamRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketStreamRequest message, length delimited. Does not implicitly {@link p4.bm.PacketStreamRequest.verify|verify} messages.
             * @param message PacketStreamRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.bm.PacketStreamRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketStreamRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.bm.PacketStreamRequest & p4.bm.PacketStreamRequest.$Shape} PacketStreamRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.bm.PacketStreamRequest & p4.bm.PacketStreamRequest.$Shape;

            /**
             * Decodes a PacketStreamRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.bm.PacketStreamRequest & p4.bm.PacketStreamRequest.$Shape} PacketStreamRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.bm.PacketStreamRequest & p4.bm.PacketStreamRequest.$Shape;

            /**
             * Verifies a PacketStreamRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketStreamRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketStreamRequest
             */
            static fromObject(object: { [k: string]: any }): p4.bm.PacketStreamRequest;

            /**
             * Creates a plain object from a PacketStreamRequest message. Also converts values to other types if specified.
             * @param message PacketStreamRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.bm.PacketStreamRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketStreamRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketStreamRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketStreamRequest {

            /** Properties of a PacketStreamRequest. */
            interface $Properties {

                /** PacketStreamRequest id */
                id?: (number|Long|null);

                /** PacketStreamRequest deviceId */
                deviceId?: (number|Long|null);

                /** PacketStreamRequest port */
                port?: (number|null);

                /** PacketStreamRequest packet */
                packet?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PacketStreamRequest. */
            type $Shape = p4.bm.PacketStreamRequest.$Properties;
        }

        /**
         * Properties of a PacketStreamResponse.
         * @deprecated Use p4.bm.PacketStreamResponse.$Properties instead.
         */
        interface IPacketStreamResponse extends p4.bm.PacketStreamResponse.$Properties {
        }

        /** Represents a PacketStreamResponse. */
        class PacketStreamResponse {

            /**
             * Constructs a new PacketStreamResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.bm.PacketStreamResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PacketStreamResponse id. */
            id: (number|Long);

            /** PacketStreamResponse deviceId. */
            deviceId: (number|Long);

            /** PacketStreamResponse port. */
            port: number;

            /** PacketStreamResponse packet. */
            packet: Uint8Array;

            /**
             * Creates a new PacketStreamResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns PacketStreamResponse instance
             */
            static create(properties: p4.bm.PacketStreamResponse.$Shape): p4.bm.PacketStreamResponse & p4.bm.PacketStreamResponse.$Shape;
            static create(properties?: p4.bm.PacketStreamResponse.$Properties): p4.bm.PacketStreamResponse;

            /**
             * Encodes the specified PacketStreamResponse message. Does not implicitly {@link p4.bm.PacketStreamResponse.verify|verify} messages.
             * @param message PacketStreamResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.bm.PacketStreamResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified PacketStreamResponse message, length delimited. Does not implicitly {@link p4.bm.PacketStreamResponse.verify|verify} messages.
             * @param message PacketStreamResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.bm.PacketStreamResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PacketStreamResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.bm.PacketStreamResponse & p4.bm.PacketStreamResponse.$Shape} PacketStreamResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.bm.PacketStreamResponse & p4.bm.PacketStreamResponse.$Shape;

            /**
             * Decodes a PacketStreamResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.bm.PacketStreamResponse & p4.bm.PacketStreamResponse.$Shape} PacketStreamResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.bm.PacketStreamResponse & p4.bm.PacketStreamResponse.$Shape;

            /**
             * Verifies a PacketStreamResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a PacketStreamResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns PacketStreamResponse
             */
            static fromObject(object: { [k: string]: any }): p4.bm.PacketStreamResponse;

            /**
             * Creates a plain object from a PacketStreamResponse message. Also converts values to other types if specified.
             * @param message PacketStreamResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.bm.PacketStreamResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this PacketStreamResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for PacketStreamResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PacketStreamResponse {

            /** Properties of a PacketStreamResponse. */
            interface $Properties {

                /** PacketStreamResponse id */
                id?: (number|Long|null);

                /** PacketStreamResponse deviceId */
                deviceId?: (number|Long|null);

                /** PacketStreamResponse port */
                port?: (number|null);

                /** PacketStreamResponse packet */
                packet?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PacketStreamResponse. */
            type $Shape = p4.bm.PacketStreamResponse.$Properties;
        }

        /** PortOperStatus enum. */
        enum PortOperStatus {

            /** OPER_STATUS_UNKNOWN value */
            OPER_STATUS_UNKNOWN = 0,

            /** OPER_STATUS_DOWN value */
            OPER_STATUS_DOWN = 1,

            /** OPER_STATUS_UP value */
            OPER_STATUS_UP = 2
        }

        /**
         * Properties of a SetPortOperStatusRequest.
         * @deprecated Use p4.bm.SetPortOperStatusRequest.$Properties instead.
         */
        interface ISetPortOperStatusRequest extends p4.bm.SetPortOperStatusRequest.$Properties {
        }

        /** Represents a SetPortOperStatusRequest. */
        class SetPortOperStatusRequest {

            /**
             * Constructs a new SetPortOperStatusRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.bm.SetPortOperStatusRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SetPortOperStatusRequest deviceId. */
            deviceId: (number|Long);

            /** SetPortOperStatusRequest port. */
            port: number;

            /** SetPortOperStatusRequest operStatus. */
            operStatus: p4.bm.PortOperStatus;

            /**
             * Creates a new SetPortOperStatusRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SetPortOperStatusRequest instance
             */
            static create(properties: p4.bm.SetPortOperStatusRequest.$Shape): p4.bm.SetPortOperStatusRequest & p4.bm.SetPortOperStatusRequest.$Shape;
            static create(properties?: p4.bm.SetPortOperStatusRequest.$Properties): p4.bm.SetPortOperStatusRequest;

            /**
             * Encodes the specified SetPortOperStatusRequest message. Does not implicitly {@link p4.bm.SetPortOperStatusRequest.verify|verify} messages.
             * @param message SetPortOperStatusRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.bm.SetPortOperStatusRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified SetPortOperStatusRequest message, length delimited. Does not implicitly {@link p4.bm.SetPortOperStatusRequest.verify|verify} messages.
             * @param message SetPortOperStatusRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.bm.SetPortOperStatusRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SetPortOperStatusRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.bm.SetPortOperStatusRequest & p4.bm.SetPortOperStatusRequest.$Shape} SetPortOperStatusRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.bm.SetPortOperStatusRequest & p4.bm.SetPortOperStatusRequest.$Shape;

            /**
             * Decodes a SetPortOperStatusRequest message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.bm.SetPortOperStatusRequest & p4.bm.SetPortOperStatusRequest.$Shape} SetPortOperStatusRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.bm.SetPortOperStatusRequest & p4.bm.SetPortOperStatusRequest.$Shape;

            /**
             * Verifies a SetPortOperStatusRequest message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a SetPortOperStatusRequest message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns SetPortOperStatusRequest
             */
            static fromObject(object: { [k: string]: any }): p4.bm.SetPortOperStatusRequest;

            /**
             * Creates a plain object from a SetPortOperStatusRequest message. Also converts values to other types if specified.
             * @param message SetPortOperStatusRequest
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.bm.SetPortOperStatusRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this SetPortOperStatusRequest to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for SetPortOperStatusRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace SetPortOperStatusRequest {

            /** Properties of a SetPortOperStatusRequest. */
            interface $Properties {

                /** SetPortOperStatusRequest deviceId */
                deviceId?: (number|Long|null);

                /** SetPortOperStatusRequest port */
                port?: (number|null);

                /** SetPortOperStatusRequest operStatus */
                operStatus?: (p4.bm.PortOperStatus|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SetPortOperStatusRequest. */
            type $Shape = p4.bm.SetPortOperStatusRequest.$Properties;
        }

        /**
         * Properties of a SetPortOperStatusResponse.
         * @deprecated Use p4.bm.SetPortOperStatusResponse.$Properties instead.
         */
        interface ISetPortOperStatusResponse extends p4.bm.SetPortOperStatusResponse.$Properties {
        }

        /** Represents a SetPortOperStatusResponse. */
        class SetPortOperStatusResponse {

            /**
             * Constructs a new SetPortOperStatusResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: p4.bm.SetPortOperStatusResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /**
             * Creates a new SetPortOperStatusResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SetPortOperStatusResponse instance
             */
            static create(properties: p4.bm.SetPortOperStatusResponse.$Shape): p4.bm.SetPortOperStatusResponse & p4.bm.SetPortOperStatusResponse.$Shape;
            static create(properties?: p4.bm.SetPortOperStatusResponse.$Properties): p4.bm.SetPortOperStatusResponse;

            /**
             * Encodes the specified SetPortOperStatusResponse message. Does not implicitly {@link p4.bm.SetPortOperStatusResponse.verify|verify} messages.
             * @param message SetPortOperStatusResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: p4.bm.SetPortOperStatusResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified SetPortOperStatusResponse message, length delimited. Does not implicitly {@link p4.bm.SetPortOperStatusResponse.verify|verify} messages.
             * @param message SetPortOperStatusResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: p4.bm.SetPortOperStatusResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SetPortOperStatusResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {p4.bm.SetPortOperStatusResponse & p4.bm.SetPortOperStatusResponse.$Shape} SetPortOperStatusResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): p4.bm.SetPortOperStatusResponse & p4.bm.SetPortOperStatusResponse.$Shape;

            /**
             * Decodes a SetPortOperStatusResponse message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {p4.bm.SetPortOperStatusResponse & p4.bm.SetPortOperStatusResponse.$Shape} SetPortOperStatusResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): p4.bm.SetPortOperStatusResponse & p4.bm.SetPortOperStatusResponse.$Shape;

            /**
             * Verifies a SetPortOperStatusResponse message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a SetPortOperStatusResponse message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns SetPortOperStatusResponse
             */
            static fromObject(object: { [k: string]: any }): p4.bm.SetPortOperStatusResponse;

            /**
             * Creates a plain object from a SetPortOperStatusResponse message. Also converts values to other types if specified.
             * @param message SetPortOperStatusResponse
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: p4.bm.SetPortOperStatusResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this SetPortOperStatusResponse to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for SetPortOperStatusResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace SetPortOperStatusResponse {

            /** Properties of a SetPortOperStatusResponse. */
            interface $Properties {

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SetPortOperStatusResponse. */
            type $Shape = p4.bm.SetPortOperStatusResponse.$Properties;
        }
    }
}

/** Namespace google. */
export namespace google {

    /** Namespace protobuf. */
    namespace protobuf {

        /**
         * Properties of an Any.
         * @deprecated Use google.protobuf.Any.$Properties instead.
         */
        interface IAny extends google.protobuf.Any.$Properties {
        }

        /** Represents an Any. */
        class Any {

            /**
             * Constructs a new Any.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.protobuf.Any.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Any type_url. */
            type_url: string;

            /** Any value. */
            value: Uint8Array;

            /**
             * Creates a new Any instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Any instance
             */
            static create(properties: google.protobuf.Any.$Shape): google.protobuf.Any & google.protobuf.Any.$Shape;
            static create(properties?: google.protobuf.Any.$Properties): google.protobuf.Any;

            /**
             * Encodes the specified Any message. Does not implicitly {@link google.protobuf.Any.verify|verify} messages.
             * @param message Any message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.protobuf.Any.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Any message, length delimited. Does not implicitly {@link google.protobuf.Any.verify|verify} messages.
             * @param message Any message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: google.protobuf.Any.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Any message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.protobuf.Any & google.protobuf.Any.$Shape} Any
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Any & google.protobuf.Any.$Shape;

            /**
             * Decodes an Any message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {google.protobuf.Any & google.protobuf.Any.$Shape} Any
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): google.protobuf.Any & google.protobuf.Any.$Shape;

            /**
             * Verifies an Any message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates an Any message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Any
             */
            static fromObject(object: { [k: string]: any }): google.protobuf.Any;

            /**
             * Creates a plain object from an Any message. Also converts values to other types if specified.
             * @param message Any
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: google.protobuf.Any, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Any to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Any
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Any {

            /** Properties of an Any. */
            interface $Properties {

                /** Any type_url */
                type_url?: (string|null);

                /** Any value */
                value?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Any. */
            type $Shape = google.protobuf.Any.$Properties;
        }
    }

    /** Namespace rpc. */
    namespace rpc {

        /**
         * Properties of a Status.
         * @deprecated Use google.rpc.Status.$Properties instead.
         */
        interface IStatus extends google.rpc.Status.$Properties {
        }

        /** Represents a Status. */
        class Status {

            /**
             * Constructs a new Status.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.rpc.Status.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Status code. */
            code: number;

            /** Status message. */
            message: string;

            /** Status details. */
            details: google.protobuf.Any.$Properties[];

            /**
             * Creates a new Status instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Status instance
             */
            static create(properties: google.rpc.Status.$Shape): google.rpc.Status & google.rpc.Status.$Shape;
            static create(properties?: google.rpc.Status.$Properties): google.rpc.Status;

            /**
             * Encodes the specified Status message. Does not implicitly {@link google.rpc.Status.verify|verify} messages.
             * @param message Status message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.rpc.Status.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Encodes the specified Status message, length delimited. Does not implicitly {@link google.rpc.Status.verify|verify} messages.
             * @param message Status message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encodeDelimited(message: google.rpc.Status.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Status message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.rpc.Status & google.rpc.Status.$Shape} Status
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.rpc.Status & google.rpc.Status.$Shape;

            /**
             * Decodes a Status message from the specified reader or buffer, length delimited.
             * @param reader Reader or buffer to decode from
             * @returns {google.rpc.Status & google.rpc.Status.$Shape} Status
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): google.rpc.Status & google.rpc.Status.$Shape;

            /**
             * Verifies a Status message.
             * @param message Plain object to verify
             * @returns `null` if valid, otherwise the reason why it is not
             */
            static verify(message: { [k: string]: any }): (string|null);

            /**
             * Creates a Status message from a plain object. Also converts values to their respective internal types.
             * @param object Plain object
             * @returns Status
             */
            static fromObject(object: { [k: string]: any }): google.rpc.Status;

            /**
             * Creates a plain object from a Status message. Also converts values to other types if specified.
             * @param message Status
             * @param [options] Conversion options
             * @returns Plain object
             */
            static toObject(message: google.rpc.Status, options?: $protobuf.IConversionOptions): { [k: string]: any };

            /**
             * Converts this Status to JSON.
             * @returns JSON object
             */
            toJSON(): { [k: string]: any };

            /**
             * Gets the type url for Status
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Status {

            /** Properties of a Status. */
            interface $Properties {

                /** Status code */
                code?: (number|null);

                /** Status message */
                message?: (string|null);

                /** Status details */
                details?: (google.protobuf.Any.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Status. */
            type $Shape = google.rpc.Status.$Properties;
        }

        /** Code enum. */
        enum Code {

            /** OK value */
            OK = 0,

            /** CANCELLED value */
            CANCELLED = 1,

            /** UNKNOWN value */
            UNKNOWN = 2,

            /** INVALID_ARGUMENT value */
            INVALID_ARGUMENT = 3,

            /** DEADLINE_EXCEEDED value */
            DEADLINE_EXCEEDED = 4,

            /** NOT_FOUND value */
            NOT_FOUND = 5,

            /** ALREADY_EXISTS value */
            ALREADY_EXISTS = 6,

            /** PERMISSION_DENIED value */
            PERMISSION_DENIED = 7,

            /** RESOURCE_EXHAUSTED value */
            RESOURCE_EXHAUSTED = 8,

            /** FAILED_PRECONDITION value */
            FAILED_PRECONDITION = 9,

            /** ABORTED value */
            ABORTED = 10,

            /** OUT_OF_RANGE value */
            OUT_OF_RANGE = 11,

            /** UNIMPLEMENTED value */
            UNIMPLEMENTED = 12,

            /** INTERNAL value */
            INTERNAL = 13,

            /** UNAVAILABLE value */
            UNAVAILABLE = 14,

            /** DATA_LOSS value */
            DATA_LOSS = 15,

            /** UNAUTHENTICATED value */
            UNAUTHENTICATED = 16
        }
    }
}
