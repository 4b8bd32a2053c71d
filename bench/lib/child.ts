/**
 * Runs one benchmark section in this (child) process and sends its result to the parent, so that
 * each section has a fresh heap and its own peak RSS. Started by `runIsolated`.
 */
import { SECTIONS, SIZES } from "../sections";
import { type Mode, SECTION_IDS, type SectionId } from "./types";

const [id, mode] = process.argv.slice(2) as [SectionId, Mode];
if (!SECTION_IDS.includes(id) || !(mode in SIZES) || !process.send) {
  console.error("usage: (forked by bench/run.ts) child.ts <section id> <smoke|default|full>");
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message, () => process.exit(0));

SECTIONS[id](SIZES[mode]).then(
  (result) => send({ result }),
  (error: unknown) => send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
