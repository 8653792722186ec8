#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx's loader: no build step between clone and start.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
