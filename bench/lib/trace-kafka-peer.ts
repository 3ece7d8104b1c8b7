// Hosts the in-repo Kafka test broker in a process of its own for the trace scan baseline, so the broker
// does not share an event loop with the kafkajs consumer being measured. Stops when its parent goes.
import { startKafkaBroker } from '@/scripts/peers/kafka-broker/index';

startKafkaBroker({ port: 0 }).then(
  (broker) => {
    process.send?.({ bootstrap: broker.bootstrap });
    process.once('disconnect', () => {
      void broker.stop().finally(() => process.exit(0));
    });
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
