// Hosts local-aws-sqs in a process of its own, so the emulator does not share an event loop (or an RSS)
// with the code being measured. Stops when its parent goes.
import { startLocalAwsSqs } from '@/scripts/peers/sqs';

startLocalAwsSqs().then(
  (peer) => {
    process.send?.({ endpoint: peer.endpoint });
    process.once('disconnect', () => {
      void peer.stop().finally(() => process.exit(0));
    });
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
