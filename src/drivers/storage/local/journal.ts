/**
 * Persistence of the local store's metadata: a checkpoint file (the whole extent tree, written to a
 * temp file, fsynced and renamed into place) plus an append-only journal of records since that
 * checkpoint. Layer: drivers/storage/local; node:fs and node:zlib only.
 *
 * Each journal record is `u32 length | u32 crc32 | payload`; replay stops at the first record that is
 * short or fails its CRC (a torn append from a crash) and the file is truncated there. Both files
 * carry a generation: a journal whose generation is not the checkpoint's predates it and is ignored,
 * which makes "rename the checkpoint, then reset the journal" safe to interrupt anywhere.
 */
import { crc32 } from 'node:zlib';
import { ExtentTree, LEAF_ENTRIES, Leaf, type NodeKind } from './extent-tree.js';

export const JOURNAL_MAGIC = 'PSJRNL01';
export const CHECKPOINT_MAGIC = 'PSCKPT01';
export const HEADER_BYTES = 16;

/** Metadata operations, journaled as JSON (rare, so readability beats compactness). */
export type MetaRecord =
  | { op: 'create'; id: string; size: number }
  | { op: 'delete'; id: string }
  | { op: 'extend'; id: string; size: number }
  | { op: 'snapshot'; vol: string; snap: string }
  | { op: 'clone'; src: string; id: string; size: number }
  | { op: 'revert'; vol: string; snap: string };

/** Extent remaps of one node, journaled in binary (hot path): pairs of (extent index, slot). */
export interface MapRecord {
  id: string;
  pairs: number[];
}

/** Slot moves of the defragmenter: triples of (extent index, from slot, to slot); see ExtentTree.moveSlot. */
export interface MoveRecord {
  moves: number[];
}

const T_META = 1;
const T_MAP = 2;
const T_MOVE = 3;

export function header(magic: string, generation: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(magic, 0, 'latin1');
  b.writeBigUInt64LE(BigInt(generation), 8);
  return b;
}

export function readHeader(buf: Buffer, magic: string): number | null {
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 8) !== magic) return null;
  return Number(buf.readBigUInt64LE(8));
}

function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, 8);
  return out;
}

export function encodeMeta(rec: MetaRecord): Buffer {
  const json = Buffer.from(JSON.stringify(rec));
  const p = Buffer.allocUnsafe(1 + json.length);
  p[0] = T_META;
  json.copy(p, 1);
  return frame(p);
}

export function encodeMap(rec: MapRecord): Buffer {
  const id = Buffer.from(rec.id);
  const p = Buffer.allocUnsafe(1 + 2 + id.length + 4 + rec.pairs.length * 4);
  let o = 0;
  p[o++] = T_MAP;
  p.writeUInt16LE(id.length, o);
  o += 2;
  id.copy(p, o);
  o += id.length;
  p.writeUInt32LE(rec.pairs.length / 2, o);
  o += 4;
  for (const v of rec.pairs) {
    p.writeUInt32LE(v, o);
    o += 4;
  }
  return frame(p);
}

export function encodeMove(rec: MoveRecord): Buffer {
  const p = Buffer.allocUnsafe(1 + 4 + rec.moves.length * 4);
  p[0] = T_MOVE;
  p.writeUInt32LE(rec.moves.length / 3, 1);
  for (let i = 0; i < rec.moves.length; i++) p.writeUInt32LE(rec.moves[i]!, 5 + i * 4);
  return frame(p);
}

export type JournalEntry = { meta: MetaRecord } | { map: MapRecord } | { move: MoveRecord };

/** Parses records from `buf` (after the header). Returns them and the byte length that was valid. */
export function decodeRecords(buf: Buffer, start: number): { entries: JournalEntry[]; validEnd: number } {
  const entries: JournalEntry[] = [];
  let o = start;
  while (o + 8 <= buf.length) {
    const len = buf.readUInt32LE(o);
    const crc = buf.readUInt32LE(o + 4);
    if (len === 0 || o + 8 + len > buf.length) break;
    const p = buf.subarray(o + 8, o + 8 + len);
    if (crc32(p) !== crc) break;
    try {
      if (p[0] === T_META) entries.push({ meta: JSON.parse(p.toString('utf8', 1)) as MetaRecord });
      else if (p[0] === T_MAP) {
        const idLen = p.readUInt16LE(1);
        const id = p.toString('utf8', 3, 3 + idLen);
        const n = p.readUInt32LE(3 + idLen);
        const pairs: number[] = new Array(n * 2);
        for (let i = 0; i < n * 2; i++) pairs[i] = p.readUInt32LE(7 + idLen + i * 4);
        entries.push({ map: { id, pairs } });
      } else if (p[0] === T_MOVE) {
        const n = p.readUInt32LE(1);
        if (5 + n * 12 !== p.length) break;
        const moves: number[] = new Array(n * 3);
        for (let i = 0; i < n * 3; i++) moves[i] = p.readUInt32LE(5 + i * 4);
        entries.push({ move: { moves } });
      } else break;
    } catch {
      break;
    }
    o += 8 + len;
  }
  return { entries, validEnd: o };
}

/** Applies one journal entry to the tree, exactly as the live driver did. Throws on nonsense. */
export function applyEntry(tree: ExtentTree, e: JournalEntry): void {
  if ('move' in e) {
    const m = e.move.moves;
    for (let i = 0; i < m.length; i += 3) tree.moveSlot(m[i]!, m[i + 1]!, m[i + 2]!);
    return;
  }
  if ('map' in e) {
    const node = tree.get(e.map.id);
    if (!node) throw new Error(`journal maps extents of unknown node ${e.map.id}`);
    const p = e.map.pairs;
    for (let i = 0; i < p.length; i += 2) tree.setEntry(node, p[i]!, p[i + 1]!);
    return;
  }
  const m = e.meta;
  switch (m.op) {
    case 'create':
      tree.create(m.id, 'volume', m.size, null);
      return;
    case 'delete':
      tree.remove(m.id);
      return;
    case 'extend':
      tree.extend(need(tree, m.id), m.size);
      return;
    case 'snapshot': {
      const v = need(tree, m.vol);
      tree.create(m.snap, 'snapshot', v.size, v.id, v.leaves);
      return;
    }
    case 'clone': {
      const s = need(tree, m.src);
      tree.create(m.id, 'volume', m.size, null, s.leaves);
      return;
    }
    case 'revert':
      tree.replaceLeaves(need(tree, m.vol), need(tree, m.snap));
      return;
  }
}

function need(tree: ExtentTree, id: string) {
  const n = tree.get(id);
  if (!n) throw new Error(`journal refers to unknown node ${id}`);
  return n;
}

// ---- checkpoint ------------------------------------------------------------------------------------

interface CheckpointJson {
  extentSize: number;
  hwm: number;
  leafCount: number;
  nodes: { id: string; kind: NodeKind; size: number; origin: string | null; leaves: number[] }[];
}

/**
 * Layout: header | u32 jsonLen | json | leaves (u32 refs + 4096 x u32 slot each) | slotRefs (hwm x u32)
 * | u32 crc32 of everything before it.
 */
export function encodeCheckpoint(tree: ExtentTree, generation: number, extentSize: number): Buffer {
  const leafIndex = new Map<Leaf, number>();
  const leaves: Leaf[] = [];
  const nodes: CheckpointJson['nodes'] = [];
  for (const n of tree.nodes.values()) {
    const refs = n.leaves.map((l) => {
      if (!l) return -1;
      let i = leafIndex.get(l);
      if (i === undefined) {
        i = leaves.length;
        leafIndex.set(l, i);
        leaves.push(l);
      }
      return i;
    });
    nodes.push({ id: n.id, kind: n.kind, size: n.size, origin: n.origin, leaves: refs });
  }
  const json = Buffer.from(
    JSON.stringify({ extentSize, hwm: tree.hwm, leafCount: leaves.length, nodes } satisfies CheckpointJson),
  );
  const leafBytes = 4 + LEAF_ENTRIES * 4;
  const total = HEADER_BYTES + 4 + json.length + leaves.length * leafBytes + tree.hwm * 4 + 4;
  const out = Buffer.alloc(total);
  header(CHECKPOINT_MAGIC, generation).copy(out, 0);
  let o = HEADER_BYTES;
  out.writeUInt32LE(json.length, o);
  o += 4;
  json.copy(out, o);
  o += json.length;
  for (const l of leaves) {
    out.writeUInt32LE(l.refs, o);
    Buffer.from(l.entries.buffer, l.entries.byteOffset, l.entries.byteLength).copy(out, o + 4);
    o += leafBytes;
  }
  Buffer.from(tree.slotRefs.buffer, tree.slotRefs.byteOffset, tree.hwm * 4).copy(out, o);
  o += tree.hwm * 4;
  out.writeUInt32LE(crc32(out.subarray(0, o)), o);
  return out;
}

/** Loads a checkpoint into `tree` (which must be empty). Throws with a reason on any corruption. */
export function decodeCheckpoint(buf: Buffer, tree: ExtentTree): { generation: number; extentSize: number } {
  const generation = readHeader(buf, CHECKPOINT_MAGIC);
  if (generation === null) throw new Error('checkpoint: bad magic');
  if (buf.length < HEADER_BYTES + 8) throw new Error('checkpoint: truncated');
  const end = buf.length - 4;
  if (crc32(buf.subarray(0, end)) !== buf.readUInt32LE(end)) throw new Error('checkpoint: CRC mismatch');
  let o = HEADER_BYTES;
  const jsonLen = buf.readUInt32LE(o);
  o += 4;
  const meta = JSON.parse(buf.toString('utf8', o, o + jsonLen)) as CheckpointJson;
  o += jsonLen;
  const leafBytes = 4 + LEAF_ENTRIES * 4;
  if (o + meta.leafCount * leafBytes + meta.hwm * 4 !== end) throw new Error('checkpoint: sizes disagree');
  const leaves: Leaf[] = [];
  for (let i = 0; i < meta.leafCount; i++) {
    const entries = new Uint32Array(LEAF_ENTRIES);
    Buffer.from(entries.buffer).set(buf.subarray(o + 4, o + leafBytes));
    const l = new Leaf(entries);
    l.refs = buf.readUInt32LE(o);
    leaves.push(l);
    o += leafBytes;
  }
  tree.hwm = Math.max(1, meta.hwm);
  tree.ensureSlotCapacity(tree.hwm);
  Buffer.from(tree.slotRefs.buffer).set(buf.subarray(o, o + meta.hwm * 4));
  for (const n of meta.nodes) {
    const node = tree.create(n.id, n.kind, n.size, n.origin);
    node.leaves = n.leaves.map((i) => {
      if (i < 0) return null;
      const l = leaves[i];
      if (!l) throw new Error(`checkpoint: node ${n.id} refers to missing leaf ${i}`);
      return l;
    });
  }
  return { generation, extentSize: meta.extentSize };
}
