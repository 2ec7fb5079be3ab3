import { z } from 'zod';

export const PulseInput = z.object({
  score: z.number().min(0).max(10),
  note: z.string().max(280).optional(),
});

export type Pulse = z.infer<typeof PulseInput> & { id: number; at: string };
