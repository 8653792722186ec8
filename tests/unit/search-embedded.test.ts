import { EmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { describeSearchEngine } from '../contract/search-engine.contract.ts';

describeSearchEngine('embedded', async () => new EmbeddedSearchEngine());
