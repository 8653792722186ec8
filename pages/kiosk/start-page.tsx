/** The kiosk's start page: a few words of welcome and the empty search form. */
import type { KioskMessages, Lang } from '../messages/index.ts';
import { KioskLayout } from './layout.tsx';
import { EMPTY_FORM } from './search-form.ts';
import { SearchForm } from './search-form-view.tsx';

export function StartPage(props: { lang: Lang; m: KioskMessages; url: URL }) {
  const { lang, m, url } = props;
  return (
    <KioskLayout lang={lang} m={m} title={m.startTitle} url={url} clean={url.search === ''}>
      <div class="start">
        <h1>{m.startTitle}</h1>
        <p class="intro">{m.startIntro}</p>
        <SearchForm m={m} lang={lang} form={EMPTY_FORM} errors={[]} />
      </div>
    </KioskLayout>
  );
}
