// Builds every function once, so tests run the same bundles `npm run deploy` ships.
import { buildAll } from '../../scripts/build';

export default async function globalSetup(): Promise<void> {
  await buildAll();
}
