/**
 * The two languages of messages (CONTRACT.md, "Language"): Chinese for `zh-CN` and `zh`, English
 * otherwise. A message that people read is written in both at the place it is made, as a `Localized`,
 * and the request's language picks one; codes (`extensions.code`, issue codes) never change with it.
 */
export type Language = 'zh' | 'en';

export interface Localized {
  zh: string;
  en: string;
}

/** Both texts at once: `text('缺少', 'missing')`. */
export function text(zh: string, en: string): Localized {
  return { zh, en };
}

export function localize(message: Localized, language: Language): string {
  return message[language];
}

/** Chinese as the contract names it: `zh`, `zh-CN`, and the script subtags that mean the same (zh-Hans, zh-Hans-CN). */
const CHINESE = /^zh(-hans)?(-cn)?$/i;

/**
 * The language of an Accept-Language header: the most preferred tag (by q, then position) decides,
 * `zh` when it is Chinese as above, `en` otherwise; no header, `en`.
 * `zh-CN,zh;q=0.9,en;q=0.8` → zh; `en-US,en;q=0.9` → en; `zh-TW` → en (the contract names zh-CN only).
 */
export function languageOf(acceptLanguage: string | null | undefined): Language {
  if (!acceptLanguage) return 'en';
  const tags = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((t) => t.tag && t.tag !== '*' && Number.isFinite(t.q) && t.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return tags.length > 0 && CHINESE.test(tags[0].tag) ? 'zh' : 'en';
}
