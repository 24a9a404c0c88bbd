// GENERATED FILE - DO NOT EDIT.
// Produced by scripts/gen-proto.sh (npm run proto:gen) from proto/ with protobufjs-cli:
//   pbjs -t static-module -w esm -r geneve_offload_p4runtime --dependency protobufjs/minimal.js
//   pbts (typings)
// Edit the .proto files and regenerate instead of changing this file.
/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/light.js";

const $root = ($protobuf.roots["geneve_offload_p4runtime_reflection"] || ($protobuf.roots["geneve_offload_p4runtime_reflection"] = new $protobuf.Root()))
.addJSON({
  "p4": {
    "nested": {
      "v1": {
        "nested": {
          "P4Runtime": {
            "methods": {
              "Write": {
                "requestType": "WriteRequest",
                "responseType": "WriteResponse"
              },
              "Read": {
                "requestType": "ReadRequest",
                "responseType": "ReadResponse",
                "responseStream": true
              },
              "SetForwardingPipelineConfig": {
                "requestType": "SetForwardingPipelineConfigRequest",
                "responseType": "SetForwardingPipelineConfigResponse"
              },
              "GetForwardingPipelineConfig": {
                "requestType": "GetForwardingPipelineConfigRequest",
                "responseType": "GetForwardingPipelineConfigResponse"
              },
              "StreamChannel": {
                "requestType": "StreamMessageRequest",
                "requestStream": true,
                "responseType": "StreamMessageResponse",
                "responseStream": true
              },
              "Capabilities": {
                "requestType": "CapabilitiesRequest",
                "responseType": "CapabilitiesResponse"
              }
            }
          },
          "WriteRequest": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              },
              "roleId": {
                "type": "uint64",
                "id": 2,
                "protoName": "role_id",
                "options": {
                  "deprecated": true
                }
              },
              "role": {
                "type": "string",
                "id": 6
              },
              "electionId": {
                "type": "Uint128",
                "id": 3,
                "protoName": "election_id"
              },
              "updates": {
                "rule": "repeated",
                "type": "Update",
                "id": 4
              },
              "atomicity": {
                "type": "Atomicity",
                "id": 5
              }
            },
            "nested": {
              "Atomicity": {
                "values": {
                  "CONTINUE_ON_ERROR": 0,
                  "ROLLBACK_ON_ERROR": 1,
                  "DATAPLANE_ATOMIC": 2
                }
              }
            }
          },
          "WriteResponse": {
            "fields": {}
          },
          "ReadRequest": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              },
              "role": {
                "type": "string",
                "id": 3
              },
              "entities": {
                "rule": "repeated",
                "type": "Entity",
                "id": 2
              }
            }
          },
          "ReadResponse": {
            "fields": {
              "entities": {
                "rule": "repeated",
                "type": "Entity",
                "id": 1
              }
            }
          },
          "Update": {
            "fields": {
              "type": {
                "type": "Type",
                "id": 1
              },
              "entity": {
                "type": "Entity",
                "id": 2
              }
            },
            "nested": {
              "Type": {
                "values": {
                  "UNSPECIFIED": 0,
                  "INSERT": 1,
                  "MODIFY": 2,
                  "DELETE": 3
                }
              }
            }
          },
          "Entity": {
            "oneofs": {
              "entity": {
                "oneof": [
                  "externEntry",
                  "tableEntry",
                  "actionProfileMember",
                  "actionProfileGroup",
                  "meterEntry",
                  "directMeterEntry",
                  "counterEntry",
                  "directCounterEntry",
                  "packetReplicationEngineEntry",
                  "valueSetEntry",
                  "registerEntry",
                  "digestEntry"
                ]
              }
            },
            "fields": {
              "externEntry": {
                "type": "ExternEntry",
                "id": 1,
                "protoName": "extern_entry"
              },
              "tableEntry": {
                "type": "TableEntry",
                "id": 2,
                "protoName": "table_entry"
              },
              "actionProfileMember": {
                "type": "ActionProfileMember",
                "id": 3,
                "protoName": "action_profile_member"
              },
              "actionProfileGroup": {
                "type": "ActionProfileGroup",
                "id": 4,
                "protoName": "action_profile_group"
              },
              "meterEntry": {
                "type": "MeterEntry",
                "id": 5,
                "protoName": "meter_entry"
              },
              "directMeterEntry": {
                "type": "DirectMeterEntry",
                "id": 6,
                "protoName": "direct_meter_entry"
              },
              "counterEntry": {
                "type": "CounterEntry",
                "id": 7,
                "protoName": "counter_entry"
              },
              "directCounterEntry": {
                "type": "DirectCounterEntry",
                "id": 8,
                "protoName": "direct_counter_entry"
              },
              "packetReplicationEngineEntry": {
                "type": "PacketReplicationEngineEntry",
                "id": 9,
                "protoName": "packet_replication_engine_entry"
              },
              "valueSetEntry": {
                "type": "ValueSetEntry",
                "id": 10,
                "protoName": "value_set_entry"
              },
              "registerEntry": {
                "type": "RegisterEntry",
                "id": 11,
                "protoName": "register_entry"
              },
              "digestEntry": {
                "type": "DigestEntry",
                "id": 12,
                "protoName": "digest_entry"
              }
            }
          },
          "ExternEntry": {
            "fields": {
              "externTypeId": {
                "type": "uint32",
                "id": 1,
                "protoName": "extern_type_id"
              },
              "externId": {
                "type": "uint32",
                "id": 2,
                "protoName": "extern_id"
              },
              "entry": {
                "type": "google.protobuf.Any",
                "id": 3
              }
            }
          },
          "TableEntry": {
            "fields": {
              "tableId": {
                "type": "uint32",
                "id": 1,
                "protoName": "table_id"
              },
              "match": {
                "rule": "repeated",
                "type": "FieldMatch",
                "id": 2
              },
              "action": {
                "type": "TableAction",
                "id": 3
              },
              "priority": {
                "type": "int32",
                "id": 4
              },
              "controllerMetadata": {
                "type": "uint64",
                "id": 5,
                "protoName": "controller_metadata",
                "options": {
                  "deprecated": true
                }
              },
              "meterConfig": {
                "type": "MeterConfig",
                "id": 6,
                "protoName": "meter_config"
              },
              "counterData": {
                "type": "CounterData",
                "id": 7,
                "protoName": "counter_data"
              },
              "meterCounterData": {
                "type": "MeterCounterData",
                "id": 12,
                "protoName": "meter_counter_data"
              },
              "isDefaultAction": {
                "type": "bool",
                "id": 8,
                "protoName": "is_default_action"
              },
              "idleTimeoutNs": {
                "type": "int64",
                "id": 9,
                "protoName": "idle_timeout_ns"
              },
              "timeSinceLastHit": {
                "type": "IdleTimeout",
                "id": 10,
                "protoName": "time_since_last_hit"
              },
              "metadata": {
                "type": "bytes",
                "id": 11
              },
              "isConst": {
                "type": "bool",
                "id": 13,
                "protoName": "is_const"
              }
            },
            "nested": {
              "IdleTimeout": {
                "fields": {
                  "elapsedNs": {
                    "type": "int64",
                    "id": 1,
                    "protoName": "elapsed_ns"
                  }
                }
              }
            }
          },
          "FieldMatch": {
            "oneofs": {
              "fieldMatchType": {
                "oneof": [
                  "exact",
                  "ternary",
                  "lpm",
                  "range",
                  "optional",
                  "other"
                ]
              }
            },
            "fields": {
              "fieldId": {
                "type": "uint32",
                "id": 1,
                "protoName": "field_id"
              },
              "exact": {
                "type": "Exact",
                "id": 2
              },
              "ternary": {
                "type": "Ternary",
                "id": 3
              },
              "lpm": {
                "type": "LPM",
                "id": 4
              },
              "range": {
                "type": "Range",
                "id": 6
              },
              "optional": {
                "type": "Optional",
                "id": 7
              },
              "other": {
                "type": "google.protobuf.Any",
                "id": 100
              }
            },
            "nested": {
              "Exact": {
                "fields": {
                  "value": {
                    "type": "bytes",
                    "id": 1
                  }
                }
              },
              "Ternary": {
                "fields": {
                  "value": {
                    "type": "bytes",
                    "id": 1
                  },
                  "mask": {
                    "type": "bytes",
                    "id": 2
                  }
                }
              },
              "LPM": {
                "fields": {
                  "value": {
                    "type": "bytes",
                    "id": 1
                  },
                  "prefixLen": {
                    "type": "int32",
                    "id": 2,
                    "protoName": "prefix_len"
                  }
                }
              },
              "Range": {
                "fields": {
                  "low": {
                    "type": "bytes",
                    "id": 1
                  },
                  "high": {
                    "type": "bytes",
                    "id": 2
                  }
                }
              },
              "Optional": {
                "fields": {
                  "value": {
                    "type": "bytes",
                    "id": 1
                  }
                }
              }
            }
          },
          "TableAction": {
            "oneofs": {
              "type": {
                "oneof": [
                  "action",
                  "actionProfileMemberId",
                  "actionProfileGroupId",
                  "actionProfileActionSet"
                ]
              }
            },
            "fields": {
              "action": {
                "type": "Action",
                "id": 1
              },
              "actionProfileMemberId": {
                "type": "uint32",
                "id": 2,
                "protoName": "action_profile_member_id"
              },
              "actionProfileGroupId": {
                "type": "uint32",
                "id": 3,
                "protoName": "action_profile_group_id"
              },
              "actionProfileActionSet": {
                "type": "ActionProfileActionSet",
                "id": 4,
                "protoName": "action_profile_action_set"
              }
            }
          },
          "Action": {
            "fields": {
              "actionId": {
                "type": "uint32",
                "id": 1,
                "protoName": "action_id"
              },
              "params": {
                "rule": "repeated",
                "type": "Param",
                "id": 4
              }
            },
            "nested": {
              "Param": {
                "fields": {
                  "paramId": {
                    "type": "uint32",
                    "id": 2,
                    "protoName": "param_id"
                  },
                  "value": {
                    "type": "bytes",
                    "id": 3
                  }
                }
              }
            }
          },
          "ActionProfileActionSet": {
            "fields": {
              "groupAction": {
                "type": "Action",
                "id": 5,
                "protoName": "group_action"
              },
              "actionProfileActions": {
                "rule": "repeated",
                "type": "ActionProfileAction",
                "id": 1,
                "protoName": "action_profile_actions"
              },
              "actionSelectionMode": {
                "type": "ActionSelectionMode",
                "id": 2,
                "protoName": "action_selection_mode"
              },
              "sizeSemantics": {
                "type": "SizeSemantics",
                "id": 3,
                "protoName": "size_semantics"
              }
            },
            "nested": {
              "ActionSelectionMode": {
                "values": {
                  "DEFAULT_MODE_DETERMINED_BY_ACTION_SELECTOR": 0,
                  "HASH": 1,
                  "RANDOM": 2
                }
              },
              "SizeSemantics": {
                "values": {
                  "DEFAULT_SIZE_DETERMINED_BY_ACTION_SELECTOR": 0,
                  "SUM_OF_WEIGHTS": 1,
                  "SUM_OF_MEMBERS": 2
                }
              }
            }
          },
          "ActionProfileAction": {
            "oneofs": {
              "watchKind": {
                "oneof": [
                  "watch",
                  "watchPort"
                ]
              }
            },
            "fields": {
              "action": {
                "type": "Action",
                "id": 1
              },
              "weight": {
                "type": "int32",
                "id": 2
              },
              "watch": {
                "type": "int32",
                "id": 3,
                "options": {
                  "deprecated": true
                }
              },
              "watchPort": {
                "type": "bytes",
                "id": 4,
                "protoName": "watch_port"
              }
            }
          },
          "ActionProfileMember": {
            "fields": {
              "actionProfileId": {
                "type": "uint32",
                "id": 1,
                "protoName": "action_profile_id"
              },
              "memberId": {
                "type": "uint32",
                "id": 2,
                "protoName": "member_id"
              },
              "action": {
                "type": "Action",
                "id": 3
              }
            }
          },
          "ActionProfileGroup": {
            "fields": {
              "actionProfileId": {
                "type": "uint32",
                "id": 1,
                "protoName": "action_profile_id"
              },
              "groupId": {
                "type": "uint32",
                "id": 2,
                "protoName": "group_id"
              },
              "members": {
                "rule": "repeated",
                "type": "Member",
                "id": 3
              },
              "maxSize": {
                "type": "int32",
                "id": 4,
                "protoName": "max_size"
              }
            },
            "nested": {
              "Member": {
                "oneofs": {
                  "watchKind": {
                    "oneof": [
                      "watch",
                      "watchPort"
                    ]
                  }
                },
                "fields": {
                  "memberId": {
                    "type": "uint32",
                    "id": 1,
                    "protoName": "member_id"
                  },
                  "weight": {
                    "type": "int32",
                    "id": 2
                  },
                  "watch": {
                    "type": "int32",
                    "id": 3,
                    "options": {
                      "deprecated": true
                    }
                  },
                  "watchPort": {
                    "type": "bytes",
                    "id": 4,
                    "protoName": "watch_port"
                  }
                }
              }
            }
          },
          "Index": {
            "fields": {
              "index": {
                "type": "int64",
                "id": 1
              }
            }
          },
          "MeterEntry": {
            "fields": {
              "meterId": {
                "type": "uint32",
                "id": 1,
                "protoName": "meter_id"
              },
              "index": {
                "type": "Index",
                "id": 2
              },
              "config": {
                "type": "MeterConfig",
                "id": 3
              },
              "counterData": {
                "type": "MeterCounterData",
                "id": 4,
                "protoName": "counter_data"
              }
            }
          },
          "DirectMeterEntry": {
            "fields": {
              "tableEntry": {
                "type": "TableEntry",
                "id": 1,
                "protoName": "table_entry"
              },
              "config": {
                "type": "MeterConfig",
                "id": 2
              },
              "counterData": {
                "type": "MeterCounterData",
                "id": 3,
                "protoName": "counter_data"
              }
            }
          },
          "MeterConfig": {
            "fields": {
              "cir": {
                "type": "int64",
                "id": 1
              },
              "cburst": {
                "type": "int64",
                "id": 2
              },
              "pir": {
                "type": "int64",
                "id": 3
              },
              "pburst": {
                "type": "int64",
                "id": 4
              },
              "eburst": {
                "type": "int64",
                "id": 5
              }
            }
          },
          "CounterEntry": {
            "fields": {
              "counterId": {
                "type": "uint32",
                "id": 1,
                "protoName": "counter_id"
              },
              "index": {
                "type": "Index",
                "id": 2
              },
              "data": {
                "type": "CounterData",
                "id": 3
              }
            }
          },
          "DirectCounterEntry": {
            "fields": {
              "tableEntry": {
                "type": "TableEntry",
                "id": 1,
                "protoName": "table_entry"
              },
              "data": {
                "type": "CounterData",
                "id": 2
              }
            }
          },
          "CounterData": {
            "fields": {
              "byteCount": {
                "type": "int64",
                "id": 1,
                "protoName": "byte_count"
              },
              "packetCount": {
                "type": "int64",
                "id": 2,
                "protoName": "packet_count"
              }
            }
          },
          "MeterCounterData": {
            "fields": {
              "green": {
                "type": "CounterData",
                "id": 1
              },
              "yellow": {
                "type": "CounterData",
                "id": 2
              },
              "red": {
                "type": "CounterData",
                "id": 3
              }
            }
          },
          "PacketReplicationEngineEntry": {
            "oneofs": {
              "type": {
                "oneof": [
                  "multicastGroupEntry",
                  "cloneSessionEntry"
                ]
              }
            },
            "fields": {
              "multicastGroupEntry": {
                "type": "MulticastGroupEntry",
                "id": 1,
                "protoName": "multicast_group_entry"
              },
              "cloneSessionEntry": {
                "type": "CloneSessionEntry",
                "id": 2,
                "protoName": "clone_session_entry"
              }
            }
          },
          "BackupReplica": {
            "fields": {
              "port": {
                "type": "bytes",
                "id": 1
              },
              "instance": {
                "type": "uint32",
                "id": 2
              }
            }
          },
          "Replica": {
            "oneofs": {
              "portKind": {
                "oneof": [
                  "egressPort",
                  "port"
                ]
              }
            },
            "fields": {
              "egressPort": {
                "type": "uint32",
                "id": 1,
                "protoName": "egress_port",
                "options": {
                  "deprecated": true
                }
              },
              "port": {
                "type": "bytes",
                "id": 3
              },
              "instance": {
                "type": "uint32",
                "id": 2
              },
              "backupReplicas": {
                "rule": "repeated",
                "type": "BackupReplica",
                "id": 4,
                "protoName": "backup_replicas"
              }
            }
          },
          "MulticastGroupEntry": {
            "fields": {
              "multicastGroupId": {
                "type": "uint32",
                "id": 1,
                "protoName": "multicast_group_id"
              },
              "replicas": {
                "rule": "repeated",
                "type": "Replica",
                "id": 2
              },
              "metadata": {
                "type": "bytes",
                "id": 3
              }
            }
          },
          "CloneSessionEntry": {
            "fields": {
              "sessionId": {
                "type": "uint32",
                "id": 1,
                "protoName": "session_id"
              },
              "replicas": {
                "rule": "repeated",
                "type": "Replica",
                "id": 2
              },
              "classOfService": {
                "type": "uint32",
                "id": 3,
                "protoName": "class_of_service"
              },
              "packetLengthBytes": {
                "type": "int32",
                "id": 4,
                "protoName": "packet_length_bytes"
              }
            }
          },
          "ValueSetMember": {
            "fields": {
              "match": {
                "rule": "repeated",
                "type": "FieldMatch",
                "id": 1
              }
            }
          },
          "ValueSetEntry": {
            "fields": {
              "valueSetId": {
                "type": "uint32",
                "id": 1,
                "protoName": "value_set_id"
              },
              "members": {
                "rule": "repeated",
                "type": "ValueSetMember",
                "id": 2
              }
            }
          },
          "RegisterEntry": {
            "fields": {
              "registerId": {
                "type": "uint32",
                "id": 1,
                "protoName": "register_id"
              },
              "index": {
                "type": "Index",
                "id": 2
              },
              "data": {
                "type": "P4Data",
                "id": 3
              }
            }
          },
          "DigestEntry": {
            "fields": {
              "digestId": {
                "type": "uint32",
                "id": 1,
                "protoName": "digest_id"
              },
              "config": {
                "type": "Config",
                "id": 2
              }
            },
            "nested": {
              "Config": {
                "fields": {
                  "maxTimeoutNs": {
                    "type": "int64",
                    "id": 1,
                    "protoName": "max_timeout_ns"
                  },
                  "maxListSize": {
                    "type": "int32",
                    "id": 2,
                    "protoName": "max_list_size"
                  },
                  "ackTimeoutNs": {
                    "type": "int64",
                    "id": 3,
                    "protoName": "ack_timeout_ns"
                  }
                }
              }
            }
          },
          "StreamMessageRequest": {
            "oneofs": {
              "update": {
                "oneof": [
                  "arbitration",
                  "packet",
                  "digestAck",
                  "other"
                ]
              }
            },
            "fields": {
              "arbitration": {
                "type": "MasterArbitrationUpdate",
                "id": 1
              },
              "packet": {
                "type": "PacketOut",
                "id": 2
              },
              "digestAck": {
                "type": "DigestListAck",
                "id": 3,
                "protoName": "digest_ack"
              },
              "other": {
                "type": "google.protobuf.Any",
                "id": 4
              }
            }
          },
          "PacketOut": {
            "fields": {
              "payload": {
                "type": "bytes",
                "id": 1
              },
              "metadata": {
                "rule": "repeated",
                "type": "PacketMetadata",
                "id": 2
              }
            }
          },
          "DigestListAck": {
            "fields": {
              "digestId": {
                "type": "uint32",
                "id": 1,
                "protoName": "digest_id"
              },
              "listId": {
                "type": "uint64",
                "id": 2,
                "protoName": "list_id"
              }
            }
          },
          "StreamMessageResponse": {
            "oneofs": {
              "update": {
                "oneof": [
                  "arbitration",
                  "packet",
                  "digest",
                  "idleTimeoutNotification",
                  "other",
                  "error"
                ]
              }
            },
            "fields": {
              "arbitration": {
                "type": "MasterArbitrationUpdate",
                "id": 1
              },
              "packet": {
                "type": "PacketIn",
                "id": 2
              },
              "digest": {
                "type": "DigestList",
                "id": 3
              },
              "idleTimeoutNotification": {
                "type": "IdleTimeoutNotification",
                "id": 4,
                "protoName": "idle_timeout_notification"
              },
              "other": {
                "type": "google.protobuf.Any",
                "id": 5
              },
              "error": {
                "type": "StreamError",
                "id": 6
              }
            }
          },
          "PacketIn": {
            "fields": {
              "payload": {
                "type": "bytes",
                "id": 1
              },
              "metadata": {
                "rule": "repeated",
                "type": "PacketMetadata",
                "id": 2
              }
            }
          },
          "DigestList": {
            "fields": {
              "digestId": {
                "type": "uint32",
                "id": 1,
                "protoName": "digest_id"
              },
              "listId": {
                "type": "uint64",
                "id": 2,
                "protoName": "list_id"
              },
              "data": {
                "rule": "repeated",
                "type": "P4Data",
                "id": 3
              },
              "timestamp": {
                "type": "int64",
                "id": 4
              }
            }
          },
          "PacketMetadata": {
            "fields": {
              "metadataId": {
                "type": "uint32",
                "id": 1,
                "protoName": "metadata_id"
              },
              "value": {
                "type": "bytes",
                "id": 2
              }
            }
          },
          "MasterArbitrationUpdate": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              },
              "role": {
                "type": "Role",
                "id": 2
              },
              "electionId": {
                "type": "Uint128",
                "id": 3,
                "protoName": "election_id"
              },
              "status": {
                "type": "google.rpc.Status",
                "id": 4
              }
            }
          },
          "Role": {
            "fields": {
              "id": {
                "type": "uint64",
                "id": 1,
                "options": {
                  "deprecated": true
                }
              },
              "name": {
                "type": "string",
                "id": 3
              },
              "config": {
                "type": "google.protobuf.Any",
                "id": 2
              }
            }
          },
          "IdleTimeoutNotification": {
            "fields": {
              "tableEntry": {
                "rule": "repeated",
                "type": "TableEntry",
                "id": 1,
                "protoName": "table_entry"
              },
              "timestamp": {
                "type": "int64",
                "id": 2
              }
            }
          },
          "StreamError": {
            "oneofs": {
              "details": {
                "oneof": [
                  "packetOut",
                  "digestListAck",
                  "other"
                ]
              }
            },
            "fields": {
              "canonicalCode": {
                "type": "int32",
                "id": 1,
                "protoName": "canonical_code"
              },
              "message": {
                "type": "string",
                "id": 2
              },
              "space": {
                "type": "string",
                "id": 3
              },
              "code": {
                "type": "int32",
                "id": 4
              },
              "packetOut": {
                "type": "PacketOutError",
                "id": 5,
                "protoName": "packet_out"
              },
              "digestListAck": {
                "type": "DigestListAckError",
                "id": 6,
                "protoName": "digest_list_ack"
              },
              "other": {
                "type": "StreamOtherError",
                "id": 7
              }
            }
          },
          "PacketOutError": {
            "fields": {
              "packetOut": {
                "type": "PacketOut",
                "id": 1,
                "protoName": "packet_out"
              }
            }
          },
          "DigestListAckError": {
            "fields": {
              "digestListAck": {
                "type": "DigestListAck",
                "id": 1,
                "protoName": "digest_list_ack"
              }
            }
          },
          "StreamOtherError": {
            "fields": {
              "other": {
                "type": "google.protobuf.Any",
                "id": 1
              }
            }
          },
          "Uint128": {
            "fields": {
              "high": {
                "type": "uint64",
                "id": 1
              },
              "low": {
                "type": "uint64",
                "id": 2
              }
            }
          },
          "SetForwardingPipelineConfigRequest": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              },
              "roleId": {
                "type": "uint64",
                "id": 2,
                "protoName": "role_id",
                "options": {
                  "deprecated": true
                }
              },
              "role": {
                "type": "string",
                "id": 6
              },
              "electionId": {
                "type": "Uint128",
                "id": 3,
                "protoName": "election_id"
              },
              "action": {
                "type": "Action",
                "id": 4
              },
              "config": {
                "type": "ForwardingPipelineConfig",
                "id": 5
              }
            },
            "nested": {
              "Action": {
                "values": {
                  "UNSPECIFIED": 0,
                  "VERIFY": 1,
                  "VERIFY_AND_SAVE": 2,
                  "VERIFY_AND_COMMIT": 3,
                  "COMMIT": 4,
                  "RECONCILE_AND_COMMIT": 5
                }
              }
            }
          },
          "SetForwardingPipelineConfigResponse": {
            "fields": {}
          },
          "ForwardingPipelineConfig": {
            "fields": {
              "p4info": {
                "type": "config.v1.P4Info",
                "id": 1
              },
              "p4DeviceConfig": {
                "type": "bytes",
                "id": 2,
                "protoName": "p4_device_config"
              },
              "cookie": {
                "type": "Cookie",
                "id": 3
              }
            },
            "nested": {
              "Cookie": {
                "fields": {
                  "cookie": {
                    "type": "uint64",
                    "id": 1
                  }
                }
              }
            }
          },
          "GetForwardingPipelineConfigRequest": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              },
              "responseType": {
                "type": "ResponseType",
                "id": 2,
                "protoName": "response_type"
              }
            },
            "nested": {
              "ResponseType": {
                "values": {
                  "ALL": 0,
                  "COOKIE_ONLY": 1,
                  "P4INFO_AND_COOKIE": 2,
                  "DEVICE_CONFIG_AND_COOKIE": 3
                }
              }
            }
          },
          "GetForwardingPipelineConfigResponse": {
            "fields": {
              "config": {
                "type": "ForwardingPipelineConfig",
                "id": 1
              }
            }
          },
          "Error": {
            "fields": {
              "canonicalCode": {
                "type": "int32",
                "id": 1,
                "protoName": "canonical_code"
              },
              "message": {
                "type": "string",
                "id": 2
              },
              "space": {
                "type": "string",
                "id": 3
              },
              "code": {
                "type": "int32",
                "id": 4
              },
              "details": {
                "type": "google.protobuf.Any",
                "id": 5
              }
            }
          },
          "SdnPort": {
            "values": {
              "SDN_PORT_UNKNOWN": 0,
              "SDN_PORT_MIN": 1,
              "SDN_PORT_MAX": -257,
              "SDN_PORT_RECIRCULATE": -6,
              "SDN_PORT_CPU": -3
            }
          },
          "CapabilitiesRequest": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              }
            }
          },
          "CapabilitiesResponse": {
            "fields": {
              "p4runtimeApiVersion": {
                "type": "string",
                "id": 1,
                "protoName": "p4runtime_api_version"
              },
              "experimental": {
                "type": "google.protobuf.Any",
                "id": 999
              }
            }
          },
          "P4Data": {
            "oneofs": {
              "data": {
                "oneof": [
                  "bitstring",
                  "varbit",
                  "bool",
                  "tuple",
                  "struct",
                  "header",
                  "headerUnion",
                  "headerStack",
                  "headerUnionStack",
                  "enum",
                  "error",
                  "enumValue"
                ]
              }
            },
            "fields": {
              "bitstring": {
                "type": "bytes",
                "id": 1
              },
              "varbit": {
                "type": "P4Varbit",
                "id": 2
              },
              "bool": {
                "type": "bool",
                "id": 3
              },
              "tuple": {
                "type": "P4StructLike",
                "id": 4
              },
              "struct": {
                "type": "P4StructLike",
                "id": 5
              },
              "header": {
                "type": "P4Header",
                "id": 6
              },
              "headerUnion": {
                "type": "P4HeaderUnion",
                "id": 7,
                "protoName": "header_union"
              },
              "headerStack": {
                "type": "P4HeaderStack",
                "id": 8,
                "protoName": "header_stack"
              },
              "headerUnionStack": {
                "type": "P4HeaderUnionStack",
                "id": 9,
                "protoName": "header_union_stack"
              },
              "enum": {
                "type": "string",
                "id": 10
              },
              "error": {
                "type": "string",
                "id": 11
              },
              "enumValue": {
                "type": "bytes",
                "id": 12,
                "protoName": "enum_value"
              }
            }
          },
          "P4Varbit": {
            "fields": {
              "bitstring": {
                "type": "bytes",
                "id": 1
              },
              "bitwidth": {
                "type": "int32",
                "id": 2
              }
            }
          },
          "P4StructLike": {
            "fields": {
              "members": {
                "rule": "repeated",
                "type": "P4Data",
                "id": 1
              }
            }
          },
          "P4Header": {
            "fields": {
              "isValid": {
                "type": "bool",
                "id": 1,
                "protoName": "is_valid"
              },
              "bitstrings": {
                "rule": "repeated",
                "type": "bytes",
                "id": 2
              }
            }
          },
          "P4HeaderUnion": {
            "fields": {
              "validHeaderName": {
                "type": "string",
                "id": 1,
                "protoName": "valid_header_name"
              },
              "validHeader": {
                "type": "P4Header",
                "id": 2,
                "protoName": "valid_header"
              }
            }
          },
          "P4HeaderStack": {
            "fields": {
              "entries": {
                "rule": "repeated",
                "type": "P4Header",
                "id": 1
              }
            }
          },
          "P4HeaderUnionStack": {
            "fields": {
              "entries": {
                "rule": "repeated",
                "type": "P4HeaderUnion",
                "id": 1
              }
            }
          }
        }
      },
      "config": {
        "nested": {
          "v1": {
            "nested": {
              "P4Info": {
                "fields": {
                  "pkgInfo": {
                    "type": "PkgInfo",
                    "id": 1,
                    "protoName": "pkg_info"
                  },
                  "tables": {
                    "rule": "repeated",
                    "type": "Table",
                    "id": 2
                  },
                  "actions": {
                    "rule": "repeated",
                    "type": "Action",
                    "id": 3
                  },
                  "actionProfiles": {
                    "rule": "repeated",
                    "type": "ActionProfile",
                    "id": 4,
                    "protoName": "action_profiles"
                  },
                  "counters": {
                    "rule": "repeated",
                    "type": "Counter",
                    "id": 5
                  },
                  "directCounters": {
                    "rule": "repeated",
                    "type": "DirectCounter",
                    "id": 6,
                    "protoName": "direct_counters"
                  },
                  "meters": {
                    "rule": "repeated",
                    "type": "Meter",
                    "id": 7
                  },
                  "directMeters": {
                    "rule": "repeated",
                    "type": "DirectMeter",
                    "id": 8,
                    "protoName": "direct_meters"
                  },
                  "controllerPacketMetadata": {
                    "rule": "repeated",
                    "type": "ControllerPacketMetadata",
                    "id": 9,
                    "protoName": "controller_packet_metadata"
                  },
                  "valueSets": {
                    "rule": "repeated",
                    "type": "ValueSet",
                    "id": 10,
                    "protoName": "value_sets"
                  },
                  "registers": {
                    "rule": "repeated",
                    "type": "Register",
                    "id": 11
                  },
                  "digests": {
                    "rule": "repeated",
                    "type": "Digest",
                    "id": 12
                  },
                  "externs": {
                    "rule": "repeated",
                    "type": "Extern",
                    "id": 100
                  },
                  "typeInfo": {
                    "type": "P4TypeInfo",
                    "id": 200,
                    "protoName": "type_info"
                  }
                }
              },
              "Documentation": {
                "fields": {
                  "brief": {
                    "type": "string",
                    "id": 1
                  },
                  "description": {
                    "type": "string",
                    "id": 2
                  }
                }
              },
              "PlatformProperties": {
                "fields": {
                  "multicastGroupTableSize": {
                    "type": "int32",
                    "id": 1,
                    "protoName": "multicast_group_table_size"
                  },
                  "multicastGroupTableTotalReplicas": {
                    "type": "int32",
                    "id": 2,
                    "protoName": "multicast_group_table_total_replicas"
                  },
                  "multicastGroupTableMaxReplicasPerEntry": {
                    "type": "int32",
                    "id": 3,
                    "protoName": "multicast_group_table_max_replicas_per_entry"
                  }
                }
              },
              "PkgInfo": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "version": {
                    "type": "string",
                    "id": 2
                  },
                  "doc": {
                    "type": "Documentation",
                    "id": 3
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 4
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 10,
                    "protoName": "annotation_locations"
                  },
                  "arch": {
                    "type": "string",
                    "id": 5
                  },
                  "organization": {
                    "type": "string",
                    "id": 6
                  },
                  "contact": {
                    "type": "string",
                    "id": 7
                  },
                  "url": {
                    "type": "string",
                    "id": 8
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 9,
                    "protoName": "structured_annotations"
                  },
                  "platformProperties": {
                    "type": "PlatformProperties",
                    "id": 11,
                    "protoName": "platform_properties"
                  }
                }
              },
              "P4Ids": {
                "fields": {},
                "nested": {
                  "Prefix": {
                    "values": {
                      "UNSPECIFIED": 0,
                      "ACTION": 1,
                      "TABLE": 2,
                      "VALUE_SET": 3,
                      "CONTROLLER_HEADER": 4,
                      "PSA_EXTERNS_START": 16,
                      "ACTION_PROFILE": 17,
                      "COUNTER": 18,
                      "DIRECT_COUNTER": 19,
                      "METER": 20,
                      "DIRECT_METER": 21,
                      "REGISTER": 22,
                      "DIGEST": 23,
                      "OTHER_EXTERNS_START": 128,
                      "MAX": 255
                    }
                  }
                }
              },
              "Preamble": {
                "fields": {
                  "id": {
                    "type": "uint32",
                    "id": 1
                  },
                  "name": {
                    "type": "string",
                    "id": 2
                  },
                  "alias": {
                    "type": "string",
                    "id": 3
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 4
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 7,
                    "protoName": "annotation_locations"
                  },
                  "doc": {
                    "type": "Documentation",
                    "id": 5
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 6,
                    "protoName": "structured_annotations"
                  }
                }
              },
              "Extern": {
                "fields": {
                  "externTypeId": {
                    "type": "uint32",
                    "id": 1,
                    "protoName": "extern_type_id"
                  },
                  "externTypeName": {
                    "type": "string",
                    "id": 2,
                    "protoName": "extern_type_name"
                  },
                  "instances": {
                    "rule": "repeated",
                    "type": "ExternInstance",
                    "id": 3
                  }
                }
              },
              "ExternInstance": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "info": {
                    "type": "google.protobuf.Any",
                    "id": 2
                  }
                }
              },
              "MatchField": {
                "oneofs": {
                  "match": {
                    "oneof": [
                      "matchType",
                      "otherMatchType"
                    ]
                  }
                },
                "fields": {
                  "id": {
                    "type": "uint32",
                    "id": 1
                  },
                  "name": {
                    "type": "string",
                    "id": 2
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 3
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 10,
                    "protoName": "annotation_locations"
                  },
                  "bitwidth": {
                    "type": "int32",
                    "id": 4
                  },
                  "matchType": {
                    "type": "MatchType",
                    "id": 5,
                    "protoName": "match_type"
                  },
                  "otherMatchType": {
                    "type": "string",
                    "id": 7,
                    "protoName": "other_match_type"
                  },
                  "doc": {
                    "type": "Documentation",
                    "id": 6
                  },
                  "typeName": {
                    "type": "P4NamedType",
                    "id": 8,
                    "protoName": "type_name"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 9,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "MatchType": {
                    "values": {
                      "UNSPECIFIED": 0,
                      "EXACT": 2,
                      "LPM": 3,
                      "TERNARY": 4,
                      "RANGE": 5,
                      "OPTIONAL": 6
                    }
                  }
                }
              },
              "TableActionCall": {
                "fields": {
                  "actionId": {
                    "type": "uint32",
                    "id": 1,
                    "protoName": "action_id"
                  },
                  "arguments": {
                    "rule": "repeated",
                    "type": "Argument",
                    "id": 4
                  }
                },
                "nested": {
                  "Argument": {
                    "fields": {
                      "paramId": {
                        "type": "uint32",
                        "id": 2,
                        "protoName": "param_id"
                      },
                      "value": {
                        "type": "bytes",
                        "id": 3
                      }
                    }
                  }
                }
              },
              "Table": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "matchFields": {
                    "rule": "repeated",
                    "type": "MatchField",
                    "id": 2,
                    "protoName": "match_fields"
                  },
                  "actionRefs": {
                    "rule": "repeated",
                    "type": "ActionRef",
                    "id": 3,
                    "protoName": "action_refs"
                  },
                  "constDefaultActionId": {
                    "type": "uint32",
                    "id": 4,
                    "protoName": "const_default_action_id"
                  },
                  "initialDefaultAction": {
                    "type": "TableActionCall",
                    "id": 5,
                    "protoName": "initial_default_action"
                  },
                  "implementationId": {
                    "type": "uint32",
                    "id": 6,
                    "protoName": "implementation_id"
                  },
                  "directResourceIds": {
                    "rule": "repeated",
                    "type": "uint32",
                    "id": 7,
                    "protoName": "direct_resource_ids"
                  },
                  "size": {
                    "type": "int64",
                    "id": 8
                  },
                  "idleTimeoutBehavior": {
                    "type": "IdleTimeoutBehavior",
                    "id": 9,
                    "protoName": "idle_timeout_behavior"
                  },
                  "isConstTable": {
                    "type": "bool",
                    "id": 10,
                    "protoName": "is_const_table"
                  },
                  "hasInitialEntries": {
                    "type": "bool",
                    "id": 11,
                    "protoName": "has_initial_entries"
                  },
                  "otherProperties": {
                    "type": "google.protobuf.Any",
                    "id": 100,
                    "protoName": "other_properties"
                  }
                },
                "nested": {
                  "IdleTimeoutBehavior": {
                    "values": {
                      "NO_TIMEOUT": 0,
                      "NOTIFY_CONTROL": 1
                    }
                  }
                }
              },
              "ActionRef": {
                "fields": {
                  "id": {
                    "type": "uint32",
                    "id": 1
                  },
                  "scope": {
                    "type": "Scope",
                    "id": 3
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 2
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 5,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 4,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "Scope": {
                    "values": {
                      "TABLE_AND_DEFAULT": 0,
                      "TABLE_ONLY": 1,
                      "DEFAULT_ONLY": 2,
                      "GROUP_ACTION": 3
                    }
                  }
                }
              },
              "Action": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "params": {
                    "rule": "repeated",
                    "type": "Param",
                    "id": 2
                  }
                },
                "nested": {
                  "Param": {
                    "fields": {
                      "id": {
                        "type": "uint32",
                        "id": 1
                      },
                      "name": {
                        "type": "string",
                        "id": 2
                      },
                      "annotations": {
                        "rule": "repeated",
                        "type": "string",
                        "id": 3
                      },
                      "annotationLocations": {
                        "rule": "repeated",
                        "type": "SourceLocation",
                        "id": 8,
                        "protoName": "annotation_locations"
                      },
                      "bitwidth": {
                        "type": "int32",
                        "id": 4
                      },
                      "doc": {
                        "type": "Documentation",
                        "id": 5
                      },
                      "typeName": {
                        "type": "P4NamedType",
                        "id": 6,
                        "protoName": "type_name"
                      },
                      "structuredAnnotations": {
                        "rule": "repeated",
                        "type": "StructuredAnnotation",
                        "id": 7,
                        "protoName": "structured_annotations"
                      }
                    }
                  }
                }
              },
              "ActionProfile": {
                "oneofs": {
                  "selectorSizeSemantics": {
                    "oneof": [
                      "sumOfWeights",
                      "sumOfMembers"
                    ]
                  }
                },
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "tableIds": {
                    "rule": "repeated",
                    "type": "uint32",
                    "id": 2,
                    "protoName": "table_ids"
                  },
                  "withSelector": {
                    "type": "bool",
                    "id": 3,
                    "protoName": "with_selector"
                  },
                  "size": {
                    "type": "int64",
                    "id": 4
                  },
                  "maxGroupSize": {
                    "type": "int32",
                    "id": 5,
                    "protoName": "max_group_size"
                  },
                  "sumOfWeights": {
                    "type": "SumOfWeights",
                    "id": 6,
                    "protoName": "sum_of_weights"
                  },
                  "sumOfMembers": {
                    "type": "SumOfMembers",
                    "id": 7,
                    "protoName": "sum_of_members"
                  },
                  "weightsDisallowed": {
                    "type": "bool",
                    "id": 8,
                    "protoName": "weights_disallowed"
                  }
                },
                "nested": {
                  "SumOfWeights": {
                    "fields": {}
                  },
                  "SumOfMembers": {
                    "fields": {
                      "maxMemberWeight": {
                        "type": "int32",
                        "id": 1,
                        "protoName": "max_member_weight"
                      }
                    }
                  }
                }
              },
              "CounterSpec": {
                "fields": {
                  "unit": {
                    "type": "Unit",
                    "id": 1
                  }
                },
                "nested": {
                  "Unit": {
                    "values": {
                      "UNSPECIFIED": 0,
                      "BYTES": 1,
                      "PACKETS": 2,
                      "BOTH": 3
                    }
                  }
                }
              },
              "Counter": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "spec": {
                    "type": "CounterSpec",
                    "id": 2
                  },
                  "size": {
                    "type": "int64",
                    "id": 3
                  },
                  "indexTypeName": {
                    "type": "P4NamedType",
                    "id": 4,
                    "protoName": "index_type_name"
                  }
                }
              },
              "DirectCounter": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "spec": {
                    "type": "CounterSpec",
                    "id": 2
                  },
                  "directTableId": {
                    "type": "uint32",
                    "id": 3,
                    "protoName": "direct_table_id"
                  }
                }
              },
              "MeterSpec": {
                "fields": {
                  "unit": {
                    "type": "Unit",
                    "id": 1
                  },
                  "type": {
                    "type": "Type",
                    "id": 2
                  }
                },
                "nested": {
                  "Unit": {
                    "values": {
                      "UNSPECIFIED": 0,
                      "BYTES": 1,
                      "PACKETS": 2
                    }
                  },
                  "Type": {
                    "values": {
                      "TWO_RATE_THREE_COLOR": 0,
                      "SINGLE_RATE_THREE_COLOR": 1,
                      "SINGLE_RATE_TWO_COLOR": 2
                    }
                  }
                }
              },
              "Meter": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "spec": {
                    "type": "MeterSpec",
                    "id": 2
                  },
                  "size": {
                    "type": "int64",
                    "id": 3
                  },
                  "indexTypeName": {
                    "type": "P4NamedType",
                    "id": 4,
                    "protoName": "index_type_name"
                  }
                }
              },
              "DirectMeter": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "spec": {
                    "type": "MeterSpec",
                    "id": 2
                  },
                  "directTableId": {
                    "type": "uint32",
                    "id": 3,
                    "protoName": "direct_table_id"
                  }
                }
              },
              "ControllerPacketMetadata": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "metadata": {
                    "rule": "repeated",
                    "type": "Metadata",
                    "id": 2
                  }
                },
                "nested": {
                  "Metadata": {
                    "fields": {
                      "id": {
                        "type": "uint32",
                        "id": 1
                      },
                      "name": {
                        "type": "string",
                        "id": 2
                      },
                      "annotations": {
                        "rule": "repeated",
                        "type": "string",
                        "id": 3
                      },
                      "annotationLocations": {
                        "rule": "repeated",
                        "type": "SourceLocation",
                        "id": 7,
                        "protoName": "annotation_locations"
                      },
                      "bitwidth": {
                        "type": "int32",
                        "id": 4
                      },
                      "typeName": {
                        "type": "P4NamedType",
                        "id": 5,
                        "protoName": "type_name"
                      },
                      "structuredAnnotations": {
                        "rule": "repeated",
                        "type": "StructuredAnnotation",
                        "id": 6,
                        "protoName": "structured_annotations"
                      }
                    }
                  }
                }
              },
              "ValueSet": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "match": {
                    "rule": "repeated",
                    "type": "MatchField",
                    "id": 2
                  },
                  "size": {
                    "type": "int32",
                    "id": 3
                  }
                }
              },
              "Register": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "typeSpec": {
                    "type": "P4DataTypeSpec",
                    "id": 2,
                    "protoName": "type_spec"
                  },
                  "size": {
                    "type": "int32",
                    "id": 3
                  },
                  "indexTypeName": {
                    "type": "P4NamedType",
                    "id": 4,
                    "protoName": "index_type_name"
                  }
                }
              },
              "Digest": {
                "fields": {
                  "preamble": {
                    "type": "Preamble",
                    "id": 1
                  },
                  "typeSpec": {
                    "type": "P4DataTypeSpec",
                    "id": 2,
                    "protoName": "type_spec"
                  }
                }
              },
              "P4TypeInfo": {
                "fields": {
                  "structs": {
                    "keyType": "string",
                    "type": "P4StructTypeSpec",
                    "id": 1
                  },
                  "headers": {
                    "keyType": "string",
                    "type": "P4HeaderTypeSpec",
                    "id": 2
                  },
                  "headerUnions": {
                    "keyType": "string",
                    "type": "P4HeaderUnionTypeSpec",
                    "id": 3,
                    "protoName": "header_unions"
                  },
                  "enums": {
                    "keyType": "string",
                    "type": "P4EnumTypeSpec",
                    "id": 4
                  },
                  "error": {
                    "type": "P4ErrorTypeSpec",
                    "id": 5
                  },
                  "serializableEnums": {
                    "keyType": "string",
                    "type": "P4SerializableEnumTypeSpec",
                    "id": 6,
                    "protoName": "serializable_enums"
                  },
                  "newTypes": {
                    "keyType": "string",
                    "type": "P4NewTypeSpec",
                    "id": 7,
                    "protoName": "new_types"
                  }
                }
              },
              "P4DataTypeSpec": {
                "oneofs": {
                  "typeSpec": {
                    "oneof": [
                      "bitstring",
                      "bool",
                      "tuple",
                      "struct",
                      "header",
                      "headerUnion",
                      "headerStack",
                      "headerUnionStack",
                      "enum",
                      "error",
                      "serializableEnum",
                      "newType"
                    ]
                  }
                },
                "fields": {
                  "bitstring": {
                    "type": "P4BitstringLikeTypeSpec",
                    "id": 1
                  },
                  "bool": {
                    "type": "P4BoolType",
                    "id": 2
                  },
                  "tuple": {
                    "type": "P4TupleTypeSpec",
                    "id": 3
                  },
                  "struct": {
                    "type": "P4NamedType",
                    "id": 4
                  },
                  "header": {
                    "type": "P4NamedType",
                    "id": 5
                  },
                  "headerUnion": {
                    "type": "P4NamedType",
                    "id": 6,
                    "protoName": "header_union"
                  },
                  "headerStack": {
                    "type": "P4HeaderStackTypeSpec",
                    "id": 7,
                    "protoName": "header_stack"
                  },
                  "headerUnionStack": {
                    "type": "P4HeaderUnionStackTypeSpec",
                    "id": 8,
                    "protoName": "header_union_stack"
                  },
                  "enum": {
                    "type": "P4NamedType",
                    "id": 9
                  },
                  "error": {
                    "type": "P4ErrorType",
                    "id": 10
                  },
                  "serializableEnum": {
                    "type": "P4NamedType",
                    "id": 11,
                    "protoName": "serializable_enum"
                  },
                  "newType": {
                    "type": "P4NamedType",
                    "id": 12,
                    "protoName": "new_type"
                  }
                }
              },
              "P4NamedType": {
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  }
                }
              },
              "P4BoolType": {
                "fields": {}
              },
              "P4ErrorType": {
                "fields": {}
              },
              "P4BitstringLikeTypeSpec": {
                "oneofs": {
                  "typeSpec": {
                    "oneof": [
                      "bit",
                      "int",
                      "varbit"
                    ]
                  }
                },
                "fields": {
                  "bit": {
                    "type": "P4BitTypeSpec",
                    "id": 1
                  },
                  "int": {
                    "type": "P4IntTypeSpec",
                    "id": 2
                  },
                  "varbit": {
                    "type": "P4VarbitTypeSpec",
                    "id": 3
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 4
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 5,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 6,
                    "protoName": "structured_annotations"
                  }
                }
              },
              "P4BitTypeSpec": {
                "fields": {
                  "bitwidth": {
                    "type": "int32",
                    "id": 1
                  }
                }
              },
              "P4IntTypeSpec": {
                "fields": {
                  "bitwidth": {
                    "type": "int32",
                    "id": 1
                  }
                }
              },
              "P4VarbitTypeSpec": {
                "fields": {
                  "maxBitwidth": {
                    "type": "int32",
                    "id": 1,
                    "protoName": "max_bitwidth"
                  }
                }
              },
              "P4TupleTypeSpec": {
                "fields": {
                  "members": {
                    "rule": "repeated",
                    "type": "P4DataTypeSpec",
                    "id": 1
                  }
                }
              },
              "P4StructTypeSpec": {
                "fields": {
                  "members": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 1
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 2
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 3,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 4,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "Member": {
                    "fields": {
                      "name": {
                        "type": "string",
                        "id": 1
                      },
                      "typeSpec": {
                        "type": "P4DataTypeSpec",
                        "id": 2,
                        "protoName": "type_spec"
                      }
                    }
                  }
                }
              },
              "P4HeaderTypeSpec": {
                "fields": {
                  "members": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 1
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 2
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 3,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 4,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "Member": {
                    "fields": {
                      "name": {
                        "type": "string",
                        "id": 1
                      },
                      "typeSpec": {
                        "type": "P4BitstringLikeTypeSpec",
                        "id": 2,
                        "protoName": "type_spec"
                      }
                    }
                  }
                }
              },
              "P4HeaderUnionTypeSpec": {
                "fields": {
                  "members": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 1
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 2
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 3,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 4,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "Member": {
                    "fields": {
                      "name": {
                        "type": "string",
                        "id": 1
                      },
                      "header": {
                        "type": "P4NamedType",
                        "id": 2
                      }
                    }
                  }
                }
              },
              "P4HeaderStackTypeSpec": {
                "fields": {
                  "header": {
                    "type": "P4NamedType",
                    "id": 1
                  },
                  "size": {
                    "type": "int32",
                    "id": 2
                  }
                }
              },
              "P4HeaderUnionStackTypeSpec": {
                "fields": {
                  "headerUnion": {
                    "type": "P4NamedType",
                    "id": 1,
                    "protoName": "header_union"
                  },
                  "size": {
                    "type": "int32",
                    "id": 2
                  }
                }
              },
              "KeyValuePair": {
                "fields": {
                  "key": {
                    "type": "string",
                    "id": 1
                  },
                  "value": {
                    "type": "Expression",
                    "id": 2
                  }
                }
              },
              "KeyValuePairList": {
                "fields": {
                  "kvPairs": {
                    "rule": "repeated",
                    "type": "KeyValuePair",
                    "id": 1,
                    "protoName": "kv_pairs"
                  }
                }
              },
              "Expression": {
                "oneofs": {
                  "value": {
                    "oneof": [
                      "stringValue",
                      "int64Value",
                      "boolValue"
                    ]
                  }
                },
                "fields": {
                  "stringValue": {
                    "type": "string",
                    "id": 1,
                    "protoName": "string_value"
                  },
                  "int64Value": {
                    "type": "int64",
                    "id": 2,
                    "protoName": "int64_value"
                  },
                  "boolValue": {
                    "type": "bool",
                    "id": 3,
                    "protoName": "bool_value"
                  }
                }
              },
              "ExpressionList": {
                "fields": {
                  "expressions": {
                    "rule": "repeated",
                    "type": "Expression",
                    "id": 1
                  }
                }
              },
              "StructuredAnnotation": {
                "oneofs": {
                  "body": {
                    "oneof": [
                      "expressionList",
                      "kvPairList"
                    ]
                  }
                },
                "fields": {
                  "name": {
                    "type": "string",
                    "id": 1
                  },
                  "expressionList": {
                    "type": "ExpressionList",
                    "id": 2,
                    "protoName": "expression_list"
                  },
                  "kvPairList": {
                    "type": "KeyValuePairList",
                    "id": 3,
                    "protoName": "kv_pair_list"
                  },
                  "sourceLocation": {
                    "type": "SourceLocation",
                    "id": 4,
                    "protoName": "source_location"
                  }
                }
              },
              "SourceLocation": {
                "fields": {
                  "file": {
                    "type": "string",
                    "id": 1
                  },
                  "line": {
                    "type": "int32",
                    "id": 2
                  },
                  "column": {
                    "type": "int32",
                    "id": 3
                  }
                }
              },
              "P4EnumTypeSpec": {
                "fields": {
                  "members": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 1
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 2
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 4,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 3,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "Member": {
                    "fields": {
                      "name": {
                        "type": "string",
                        "id": 1
                      },
                      "annotations": {
                        "rule": "repeated",
                        "type": "string",
                        "id": 2
                      },
                      "annotationLocations": {
                        "rule": "repeated",
                        "type": "SourceLocation",
                        "id": 4,
                        "protoName": "annotation_locations"
                      },
                      "structuredAnnotations": {
                        "rule": "repeated",
                        "type": "StructuredAnnotation",
                        "id": 3,
                        "protoName": "structured_annotations"
                      }
                    }
                  }
                }
              },
              "P4SerializableEnumTypeSpec": {
                "fields": {
                  "underlyingType": {
                    "type": "P4BitTypeSpec",
                    "id": 1,
                    "protoName": "underlying_type"
                  },
                  "members": {
                    "rule": "repeated",
                    "type": "Member",
                    "id": 2
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 3
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 5,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 4,
                    "protoName": "structured_annotations"
                  }
                },
                "nested": {
                  "Member": {
                    "fields": {
                      "name": {
                        "type": "string",
                        "id": 1
                      },
                      "value": {
                        "type": "bytes",
                        "id": 2
                      },
                      "annotations": {
                        "rule": "repeated",
                        "type": "string",
                        "id": 3
                      },
                      "annotationLocations": {
                        "rule": "repeated",
                        "type": "SourceLocation",
                        "id": 5,
                        "protoName": "annotation_locations"
                      },
                      "structuredAnnotations": {
                        "rule": "repeated",
                        "type": "StructuredAnnotation",
                        "id": 4,
                        "protoName": "structured_annotations"
                      }
                    }
                  }
                }
              },
              "P4ErrorTypeSpec": {
                "fields": {
                  "members": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 1
                  }
                }
              },
              "P4NewTypeTranslation": {
                "oneofs": {
                  "sdnType": {
                    "oneof": [
                      "sdnBitwidth",
                      "sdnString"
                    ]
                  }
                },
                "fields": {
                  "uri": {
                    "type": "string",
                    "id": 1
                  },
                  "sdnBitwidth": {
                    "type": "int32",
                    "id": 2,
                    "protoName": "sdn_bitwidth"
                  },
                  "sdnString": {
                    "type": "SdnString",
                    "id": 3,
                    "protoName": "sdn_string"
                  }
                },
                "nested": {
                  "SdnString": {
                    "fields": {}
                  }
                }
              },
              "P4NewTypeSpec": {
                "oneofs": {
                  "representation": {
                    "oneof": [
                      "originalType",
                      "translatedType"
                    ]
                  }
                },
                "fields": {
                  "originalType": {
                    "type": "P4DataTypeSpec",
                    "id": 1,
                    "protoName": "original_type"
                  },
                  "translatedType": {
                    "type": "P4NewTypeTranslation",
                    "id": 2,
                    "protoName": "translated_type"
                  },
                  "annotations": {
                    "rule": "repeated",
                    "type": "string",
                    "id": 3
                  },
                  "annotationLocations": {
                    "rule": "repeated",
                    "type": "SourceLocation",
                    "id": 5,
                    "protoName": "annotation_locations"
                  },
                  "structuredAnnotations": {
                    "rule": "repeated",
                    "type": "StructuredAnnotation",
                    "id": 4,
                    "protoName": "structured_annotations"
                  }
                }
              }
            }
          }
        }
      },
      "bm": {
        "nested": {
          "DataplaneInterface": {
            "methods": {
              "PacketStream": {
                "requestType": "PacketStreamRequest",
                "requestStream": true,
                "responseType": "PacketStreamResponse",
                "responseStream": true
              },
              "SetPortOperStatus": {
                "requestType": "SetPortOperStatusRequest",
                "responseType": "SetPortOperStatusResponse"
              }
            }
          },
          "PacketStreamRequest": {
            "fields": {
              "id": {
                "type": "uint64",
                "id": 1
              },
              "deviceId": {
                "type": "uint64",
                "id": 2,
                "protoName": "device_id"
              },
              "port": {
                "type": "uint32",
                "id": 3
              },
              "packet": {
                "type": "bytes",
                "id": 4
              }
            }
          },
          "PacketStreamResponse": {
            "fields": {
              "id": {
                "type": "uint64",
                "id": 1
              },
              "deviceId": {
                "type": "uint64",
                "id": 2,
                "protoName": "device_id"
              },
              "port": {
                "type": "uint32",
                "id": 3
              },
              "packet": {
                "type": "bytes",
                "id": 4
              }
            }
          },
          "PortOperStatus": {
            "values": {
              "OPER_STATUS_UNKNOWN": 0,
              "OPER_STATUS_DOWN": 1,
              "OPER_STATUS_UP": 2
            }
          },
          "SetPortOperStatusRequest": {
            "fields": {
              "deviceId": {
                "type": "uint64",
                "id": 1,
                "protoName": "device_id"
              },
              "port": {
                "type": "uint32",
                "id": 2
              },
              "operStatus": {
                "type": "PortOperStatus",
                "id": 3,
                "protoName": "oper_status"
              }
            }
          },
          "SetPortOperStatusResponse": {
            "fields": {}
          }
        }
      }
    }
  },
  "google": {
    "nested": {
      "protobuf": {
        "nested": {
          "Any": {
            "fields": {
              "type_url": {
                "type": "string",
                "id": 1
              },
              "value": {
                "type": "bytes",
                "id": 2
              }
            }
          }
        }
      },
      "rpc": {
        "nested": {
          "Status": {
            "fields": {
              "code": {
                "type": "int32",
                "id": 1
              },
              "message": {
                "type": "string",
                "id": 2
              },
              "details": {
                "rule": "repeated",
                "type": "google.protobuf.Any",
                "id": 3
              }
            }
          },
          "Code": {
            "values": {
              "OK": 0,
              "CANCELLED": 1,
              "UNKNOWN": 2,
              "INVALID_ARGUMENT": 3,
              "DEADLINE_EXCEEDED": 4,
              "NOT_FOUND": 5,
              "ALREADY_EXISTS": 6,
              "PERMISSION_DENIED": 7,
              "RESOURCE_EXHAUSTED": 8,
              "FAILED_PRECONDITION": 9,
              "ABORTED": 10,
              "OUT_OF_RANGE": 11,
              "UNIMPLEMENTED": 12,
              "INTERNAL": 13,
              "UNAVAILABLE": 14,
              "DATA_LOSS": 15,
              "UNAUTHENTICATED": 16
            }
          }
        }
      }
    }
  }
});
export const p4 = $root.get("p4");
export const google = $root.get("google");

export {
  /**
   * Reflected root namespace.
   * @type {$protobuf.Root}
   */
  $root as default
};
