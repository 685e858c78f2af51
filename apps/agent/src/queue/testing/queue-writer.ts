// Appends to a queue forever, printing each id after append returns; the test kills it -9.
import { DurableQueue } from '../durable-queue.js';

const queue = DurableQueue.open<{ id: number }>(process.argv[2]!, { segmentBytes: 2048 });
for (let id = 0; ; id++) {
  queue.append([{ id, pad: 'y'.repeat(50) } as { id: number }]);
  process.stdout.write(`${id}\n`);
  if (id % 50 === 0) await new Promise((r) => setImmediate(r));
}
