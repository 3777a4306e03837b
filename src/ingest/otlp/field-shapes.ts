// Event fields built as objects V8 keeps in fast mode. An object filled name by name past 16
// properties or so becomes a hash table (V8's limit for stores with computed names), which costs
// on every store here and on every read in the store. An object literal with its names written
// out is allocated in one step with every property in place, and all events of one shape share
// one hidden class. So the first event of each shape (its field names in the order they were
// set) generates a function returning such a literal, and later events of that shape call it.
import type { FieldValue } from '../../store/index.js';

type Make = (values: FieldValue[]) => Record<string, FieldValue>;

interface Shape {
  names: string[];
  make: Make;
}

/** Shapes generated at most; events of further shapes are filled name by name. */
const MAX_SHAPES = 2_000;
const shapes = new Map<string, Shape>();
/** The shapes used last, checked before the map (names compared one by one, no joined key). */
const recent: Shape[] = [];
const RECENT = 8;

/**
 * Field names and values in the order they are set, as the reference path sets them on an
 * object: a name set again keeps its first place and takes the later value.
 */
export class FieldSeq {
  names: string[] = [];
  values: FieldValue[] = [];
  length = 0;
  /** An upper bound of the event's size as normalizeEvent counts it (names set twice counted twice). */
  bytes = 0;

  /** Starts again from `from`'s fields (or none). */
  reset(from?: FieldSeq): void {
    this.length = 0;
    this.bytes = 0;
    if (!from) return;
    for (let i = 0; i < from.length; i++) {
      this.names[i] = from.names[i];
      this.values[i] = from.values[i];
    }
    this.length = from.length;
    this.bytes = from.bytes;
  }

  copy(): FieldSeq {
    const out = new FieldSeq();
    out.reset(this);
    return out;
  }

  /** Sets a value already in stored form (strings already cut to the limit). */
  set(name: string, value: FieldValue): void {
    this.names[this.length] = name;
    this.values[this.length] = value;
    this.length++;
    this.bytes += name.length + (typeof value === 'string' ? value.length : 8);
  }

  /** The value `name` ends with, as a lookup on the finished object would give it. */
  get(name: string): FieldValue | undefined {
    for (let i = this.length - 1; i >= 0; i--) if (this.names[i] === name) return this.values[i];
    return undefined;
  }

  /** The finished fields object. */
  build(): Record<string, FieldValue> {
    const shape = this.shape();
    if (shape) return shape.make(this.values);
    const out: Record<string, FieldValue> = {};
    for (let i = 0; i < this.length; i++) out[this.names[i]] = this.values[i];
    return out;
  }

  private shape(): Shape | undefined {
    for (let r = 0; r < recent.length; r++) {
      if (this.matches(recent[r].names)) {
        const hit = recent[r];
        if (r > 0) {
          recent[r] = recent[r - 1];
          recent[r - 1] = hit;
        }
        return hit;
      }
    }
    const key = this.names.slice(0, this.length).join('\u0000');
    let shape = shapes.get(key);
    if (!shape) {
      if (shapes.size >= MAX_SHAPES) return undefined;
      shape = generate(this.names.slice(0, this.length));
      if (!shape) return undefined;
      shapes.set(key, shape);
    }
    if (recent.length < RECENT) recent.push(shape);
    else recent[RECENT - 1] = shape;
    return shape;
  }

  private matches(names: string[]): boolean {
    if (names.length !== this.length) return false;
    for (let i = 0; i < names.length; i++) if (names[i] !== this.names[i]) return false;
    return true;
  }
}

function generate(names: string[]): Shape | undefined {
  // In a literal, "__proto__" would set the prototype; the readers refuse names starting "__" anyway.
  if (names.includes('__proto__')) return undefined;
  // Each distinct name once, at its first place, with the value it was set to last.
  const last = new Map<string, number>();
  names.forEach((n, i) => last.set(n, i));
  const props = [...last.keys()].map((n) => `${JSON.stringify(n)}: v[${last.get(n)}]`);
  // The names come from JSON.stringify, so the source is a plain object literal whatever they hold.
  const make = new Function('v', `return {${props.join(', ')}};`) as Make;
  return { names, make };
}
