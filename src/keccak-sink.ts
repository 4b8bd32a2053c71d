import { keccak_256 } from "@noble/hashes/sha3";
import { CredrootError } from "./errors";
import { type KeccakKernel, loadKeccakKernel, loadKeccakKernelSync } from "./keccak-wasm";

/*
 * Which keccak the library hashes with, and a sink that writes a hash's input straight into that
 * keccak's buffer. The WebAssembly kernel loads synchronously the first time issuance asks for it
 * (or ahead, through `initHasher()`); verification alone uses whatever is loaded, so that a page
 * whose Content-Security-Policy refuses WebAssembly never tries. Where WebAssembly is refused, the
 * pure-JavaScript keccak of @noble/hashes stands behind the same interface: same digests, slower.
 */

const BUFFER_BYTES = 16 * 1024;

/** The pure-JavaScript keccak behind the kernel interface. */
function jsKernel(): KeccakKernel {
  const buffer = new Uint8Array(BUFFER_BYTES);
  let hasher = keccak_256.create();
  return {
    buffer,
    hash: (length) => buffer.set(keccak_256(buffer.subarray(0, length))),
    init: () => {
      hasher = keccak_256.create();
    },
    update: (length) => {
      hasher.update(buffer.subarray(0, length));
    },
    final: () => buffer.set(hasher.digest()),
  };
}

const js = jsKernel();
let wasm: KeccakKernel | null = null;
let syncLoadTried = false;

/** The kernel in use: WebAssembly once loaded, JavaScript until then. */
export function currentKernel(): KeccakKernel {
  return wasm ?? js;
}

/**
 * The kernel for issuance: the first call loads WebAssembly synchronously (4 KiB, allowed on a
 * browser's main thread); where the platform refuses it, JavaScript from then on.
 */
export function issuanceKernel(): KeccakKernel {
  if (wasm === null && !syncLoadTried) {
    syncLoadTried = true;
    try {
      wasm = loadKeccakKernelSync();
    } catch {
      // No WebAssembly here (or a policy against it): the JavaScript keccak gives the same digests.
    }
  }
  return wasm ?? js;
}

/** Loads the WebAssembly kernel, asynchronously where a synchronous compile is refused. Idempotent. */
export async function loadWasmKernel(): Promise<void> {
  if (wasm) return;
  try {
    wasm = loadKeccakKernelSync();
  } catch {
    wasm = await loadKeccakKernel();
  }
}

/** True once the WebAssembly kernel is loaded. */
export function wasmLoaded(): boolean {
  return wasm !== null;
}

let busy = false;

/** The error for hashing asked for while a hash is under way (only code run by a value can do that). */
export function reentered(): CredrootError {
  return new CredrootError(
    "INVALID_ARGUMENT",
    "credential values must be plain JSON data: a value ran code that hashed",
  );
}

/**
 * True while a {@link KeccakSink} is between `begin` and `end`: a hash asked for meanwhile (by a
 * getter on a value being hashed) must not touch the kernel's buffer.
 */
export function sinkBusy(): boolean {
  return busy;
}

/**
 * One hash's input, written into the kernel's buffer at `pos`: hashed in one call when it fits,
 * absorbed a buffer-full at a time when it does not. After `end`, `buf[0..32)` is the digest.
 * Writers may fill `buf` directly after making `room`.
 */
export class KeccakSink {
  buf: Uint8Array = js.buffer;
  pos = 0;
  private kernel: KeccakKernel = js;
  private streaming = false;

  /**
   * Starts a hash on `kernel`; input starts at `at` (bytes before it are already in place).
   * @throws CredrootError `INVALID_ARGUMENT` when another hash is under way: a value's getter hashing.
   */
  begin(kernel: KeccakKernel, at = 0): void {
    if (busy) throw reentered();
    this.kernel = kernel;
    this.buf = kernel.buffer;
    this.pos = at;
    this.streaming = false;
    busy = true;
  }

  /** Makes room for `n` bytes (at most the buffer) at `pos`. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }

  /** Absorbs what the buffer holds, so that writing restarts at 0. */
  flush(): void {
    if (!this.streaming) {
      this.kernel.init();
      this.streaming = true;
    }
    this.kernel.update(this.pos);
    this.pos = 0;
  }

  /** Appends `bytes`. */
  write(bytes: Uint8Array): void {
    const free = this.buf.length - this.pos;
    if (bytes.length <= free) {
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
      return;
    }
    for (let read = 0; read < bytes.length;) {
      if (this.pos === this.buf.length) this.flush();
      const chunk = Math.min(bytes.length - read, this.buf.length - this.pos);
      this.buf.set(bytes.subarray(read, read + chunk), this.pos);
      this.pos += chunk;
      read += chunk;
    }
  }

  /** Ends the hash: its digest is `buf[0..32)`. */
  end(): void {
    if (this.streaming) {
      this.kernel.update(this.pos);
      this.kernel.final();
    } else {
      this.kernel.hash(this.pos);
    }
    this.streaming = false;
    this.pos = 0;
    busy = false;
  }

  /** Abandons a hash cut short by an error. */
  abort(): void {
    this.streaming = false;
    this.pos = 0;
    busy = false;
  }
}
