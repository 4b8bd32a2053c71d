import { Presets, SingleBar } from "cli-progress";
import type { CliIo } from "./io";

/** A progress bar on stderr; cli-progress draws it only when stderr is a terminal. */
export interface Progress {
  update(value: number, payload?: Readonly<Record<string, string>>): void;
  stop(): void;
}

/**
 * Starts a bar counting to `total`. `format` is a cli-progress format (`{bar}`, `{value}`,
 * `{total}`, `{percentage}`, `{eta_formatted}`, `{duration_formatted}` and payload keys).
 * Always `stop()` it (in a `finally`): it holds a timer while running.
 */
export function progressBar(
  io: CliIo,
  total: number,
  format: string,
  payload: Readonly<Record<string, string>> = {},
): Progress {
  const bar = new SingleBar(
    {
      // cli-progress only writes strings and ANSI sequences to its stream and reads isTTY/columns.
      stream: io.stderr as unknown as NodeJS.WritableStream,
      format,
      hideCursor: false, // a hidden cursor would outlive a Ctrl-C
      etaBuffer: 100,
      fps: 10,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, payload);
  return {
    update: (value, next) => {
      bar.update(value, next ?? {});
    },
    stop: () => {
      bar.stop();
    },
  };
}

/** The bar of a loop over `total` items: `label ████░░ 40/100 40% | ETA 3s`. */
export function countingBar(io: CliIo, label: string, total: number): Progress {
  return progressBar(io, total, `${label} {bar} {value}/{total} {percentage}% | ETA {eta_formatted}`);
}
