/**
 * `npm run provision`: resolve (and if needed provision) both Temporal binaries now, so the first
 * `npm start` or `npm test` does not pay for it. Prints what it found.
 */
import { resolveCli, resolveTestServer } from '../src/infra/temporal-servers';
import { TEMPORAL_CLI_VERSION, TEMPORAL_TEST_SERVER_VERSION } from '../src/infra/temporal-binaries';

async function main(): Promise<void> {
  const cli = await resolveCli();
  console.log(
    `Temporal CLI ${TEMPORAL_CLI_VERSION}: ${cli.type === 'existing-path' ? cli.path : `SDK download cache (${cli.downloadDir})`}`,
  );
  const ts = await resolveTestServer();
  console.log(
    `Temporal test server ${TEMPORAL_TEST_SERVER_VERSION}: ${ts.type === 'existing-path' ? ts.path : `SDK download cache (${ts.downloadDir})`}`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
