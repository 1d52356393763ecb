// Every fast-check property runs from a fixed seed in `npm test` (reproducible CI); set FC_SEED to
// explore other seeds. A property that names its own seed keeps it.
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });
