import type { z } from 'zod';

/** A queue message's body read with its schema, or undefined for a body that is not one (a poison message: it goes to the dead-letter queue). */
export function parseQueueMessage<S extends z.ZodType>(schema: S, body: string): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
