/** Small helpers for working with layer lists. */
import type { Layer, LayerKind, LayerOf } from './types.js';

/**
 * The `nth` (0-based) layer of the given kind, or undefined. For an encapsulated frame,
 * `findLayer(layers, 'ethernet', 1)` is the inner Ethernet header.
 */
export function findLayer<K extends LayerKind>(
  layers: readonly Layer[],
  kind: K,
  nth = 0,
): LayerOf<K> | undefined {
  let seen = 0;
  for (const layer of layers) {
    if (layer.kind === kind) {
      if (seen === nth) return layer as LayerOf<K>;
      seen++;
    }
  }
  return undefined;
}

/** All layers of the given kind, outermost first. */
export function findLayers<K extends LayerKind>(layers: readonly Layer[], kind: K): LayerOf<K>[] {
  return layers.filter((layer): layer is LayerOf<K> => layer.kind === kind);
}
