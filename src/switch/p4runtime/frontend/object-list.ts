/**
 * An empty array that holds objects from the start. V8 makes a `[]` an array of small integers and
 * changes its kind at the first object stored: an optimized function that pushes to such arrays
 * (the Write decoder's update list, the Write's error list) met both kinds, and was thrown away
 * ("not a Smi") and compiled again at a first push in the first writes after a pipeline load.
 */
export function emptyObjectList<T extends object>(): T[] {
  const list: T[] = [OBJECT_KIND as T];
  list.length = 0;
  return list;
}

const OBJECT_KIND = {};
