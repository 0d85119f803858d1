// Text that stays text in the SVG and HTML pictures of a journey: hop and component names come from a
// team's configuration, and an SVG is XML, where one stray control character spoils the whole file.

/** Characters XML 1.0 does not allow at all, even escaped (C0 controls but tab, line feed, return). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For element content and attribute values alike. */
export function escapeMarkup(text: string): string {
  return text
    .toWellFormed()
    .replace(notXml, '\uFFFD')
    .replace(/[&<>"']/g, (char) => entities[char] ?? char);
}
