// An SVG a test draws, read back: checked to be well-formed XML, then walked element by element.
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type SvgNode = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: false });

/** The root element, after asserting the text is well-formed XML. */
export function wellFormed(svg: string): SvgNode {
  const valid = XMLValidator.validate(svg);
  assert.equal(valid, true, JSON.stringify(valid));
  return parser.parse(svg).svg as SvgNode;
}

/** Every element of the picture, depth first, with its tag name, attributes and text. */
export function elements(node: unknown, name = 'svg'): Array<{ name: string; node: SvgNode }> {
  if (typeof node !== 'object' || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((each) => elements(each, name));
  const children = Object.entries(node).flatMap(([key, value]) =>
    typeof value === 'object' ? elements(value, key) : [],
  );
  return [{ name, node: node as SvgNode }, ...children];
}
