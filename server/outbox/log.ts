/** The slice of a pino/Fastify logger the outbox uses (an `err` that is an `Error` is logged with its stack). */
export interface OutboxLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
