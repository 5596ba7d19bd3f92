// The start page: the adapter line, the three pages as plain links, and the "verify this GPU" panel.
import { showAdapter } from './shared/page.ts';
import { setUpVerifyPanel } from './verify/panel.ts';

void showAdapter().then((a) => setUpVerifyPanel(a.gpu));
