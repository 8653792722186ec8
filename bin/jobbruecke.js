#!/usr/bin/env node
// Runs the compiled CLI, built from the sources now on disk (bin/build.js); where it cannot be built, the TypeScript
// sources through tsx's loader. Either way no build step stands between clone and start.
import { compiledCli, useBuild } from './build.js';

let compiled = await compiledCli();
// A build superseded and removed between finding it and marking it as used: the current one is as good.
if (compiled && !useBuild(compiled)) {
  compiled = await compiledCli();
  if (compiled) useBuild(compiled);
}
if (compiled) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
