import { exitQuietlyWhenReaderCloses } from './output/closed-reader.js';
import { runCli } from './run-cli.js';

exitQuietlyWhenReaderCloses();
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tooltrail: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
