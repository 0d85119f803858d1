// The few markdown pieces the reports are built of: table rows, cells and text that stays text.

export function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A pipe would end the cell early, and a line break would end the table. */
export function cell(text: string): string {
  return inline(text)
    .replaceAll('|', '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

/** Names and messages are text, not markdown or HTML: GitHub would render `<b>` or `*x*`. */
export function inline(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (char) => `\\${char}`);
}
