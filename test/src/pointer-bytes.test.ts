import { describe, expect, it } from "vitest";
import { bytesOfPointer, childOf, MAX_CACHED_POINTERS, POINTER_ROOT } from "../../src/pointer-bytes";
import { expectCode } from "./helpers";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("bytesOfPointer", () => {
  it.each(["", "/", "/title", "/learner/name", "/a~1b/c~0d", "/ünï/çødé", "/😀", "title", "/x//y", "/0/1"])(
    "gives the UTF-8 bytes of %j, the first time and every time after",
    (pointer) => {
      expect(bytesOfPointer(pointer)).toEqual(utf8(pointer));
      expect(bytesOfPointer(pointer)).toEqual(utf8(pointer));
    },
  );

  it("gives the cached bytes of a pointer the cache holds (no new encoding per call)", () => {
    expect(bytesOfPointer("/learner/email")).toBe(bytesOfPointer("/learner/email"));
  });

  it("encodes a pointer with a lone surrogate as TextEncoder does, without caching it", () => {
    expect(bytesOfPointer("/a\ud800")).toEqual(utf8("/a\ud800"));
  });
});

describe("childOf", () => {
  it("escapes ~ and / in the key (RFC 6901) and keeps the bytes of the escaped pointer", () => {
    const child = childOf(childOf(POINTER_ROOT, "a/b"), "c~d");
    expect(child.pointer).toBe("/a~1b/c~0d");
    expect(child.bytes).toEqual(utf8("/a~1b/c~0d"));
    expect(childOf(childOf(POINTER_ROOT, "a/b"), "c~d")).toBe(child);
  });

  it("refuses a key with a lone surrogate with INVALID_ARGUMENT, naming its pointer", () => {
    const error = expectCode(() => childOf(POINTER_ROOT, "x\udc00"), "INVALID_ARGUMENT");
    expect(error.message).toContain("a lone surrogate at /x\udc00");
  });

  it("still gives the right bytes once the cache is full", () => {
    const node = childOf(POINTER_ROOT, "many");
    for (let i = 0; i < MAX_CACHED_POINTERS + 10; i++)
      expect(childOf(node, `k${i}`).bytes).toEqual(utf8(`/many/k${i}`));
    expect(node.children.size).toBeLessThanOrEqual(MAX_CACHED_POINTERS);
    expect(childOf(node, "beyond").bytes).toEqual(utf8("/many/beyond"));
  });
});
