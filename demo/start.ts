// The start page: only the adapter line; the three pages are plain links.
import { showAdapter } from './shared/page.ts';

void showAdapter();
