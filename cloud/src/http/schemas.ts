import { z } from 'zod';

/** Every error answer of the HTTP API. */
export const ErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
