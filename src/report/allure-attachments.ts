// Turns what a scenario attached (cucumber attachments, doc strings, data tables) into Allure attachment files.
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import type { Attachment, ExternalAttachment, PickleStepArgument } from '@cucumber/messages';
import type { AllureAttachment } from './allure-model.ts';

/** An attachment file waiting to be written into the results directory. */
export type AttachmentFile = { readonly source: string; readonly content: Buffer };

/** Collects the files while results are built, so they are all written in one place. */
export type AttachmentSink = AttachmentFile[];

/** cucumber-js's `this.log()`; Allure only previews text it knows as text/plain. */
const CUCUMBER_LOG = 'text/x.cucumber.log+plain';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'text/plain': 'txt',
  'text/html': 'html',
  'text/csv': 'csv',
  'text/xml': 'xml',
  'text/uri-list': 'uri',
  'application/json': 'json',
  'application/xml': 'xml',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
  'video/webm': 'webm',
  'video/mp4': 'mp4',
};

export function cucumberAttachment(attachment: Attachment, sink: AttachmentSink): AllureAttachment {
  if (attachment.url && attachment.body === '') return linkAttachment(attachment.url, sink);
  const content =
    attachment.contentEncoding === 'BASE64'
      ? Buffer.from(attachment.body, 'base64')
      : Buffer.from(attachment.body, 'utf8');
  const isLog = attachment.mediaType === CUCUMBER_LOG;
  return store(
    {
      name: attachment.fileName ?? (isLog ? 'log' : 'attachment'),
      type: isLog ? 'text/plain' : attachment.mediaType,
      extension: extensionOf(attachment.fileName, attachment.mediaType),
      content,
    },
    sink,
  );
}

export function externalAttachment(attachment: ExternalAttachment, sink: AttachmentSink): AllureAttachment {
  return linkAttachment(attachment.url, sink, attachment.mediaType);
}

/** Doc strings and data tables often carry the payload a step sends: worth seeing next to the step. */
export function argumentAttachments(
  argument: PickleStepArgument | undefined,
  sink: AttachmentSink,
): AllureAttachment[] {
  const attachments: AllureAttachment[] = [];
  if (argument?.docString) {
    const type = argument.docString.mediaType ? mediaTypeOf(argument.docString.mediaType) : 'text/plain';
    const content = Buffer.from(argument.docString.content, 'utf8');
    attachments.push(
      store({ name: 'doc string', type, extension: extensionOf(undefined, type), content }, sink),
    );
  }
  if (argument?.dataTable) {
    const csv = argument.dataTable.rows.map((row) => row.cells.map((cell) => csvCell(cell.value)).join(','));
    const content = Buffer.from(`${csv.join('\n')}\n`, 'utf8');
    attachments.push(store({ name: 'data table', type: 'text/csv', extension: 'csv', content }, sink));
  }
  return attachments;
}

function linkAttachment(url: string, sink: AttachmentSink, mediaType?: string): AllureAttachment {
  const name = mediaType ? `link (${mediaType})` : 'link';
  const content = Buffer.from(`${url}\n`, 'utf8');
  return store({ name, type: 'text/uri-list', extension: 'uri', content }, sink);
}

type Stored = { name: string; type: string; extension: string; content: Buffer };

function store({ name, type, extension, content }: Stored, sink: AttachmentSink): AllureAttachment {
  // `allure generate` only picks up files whose names contain "-attachment".
  const source = `${randomUUID()}-attachment.${extension}`;
  sink.push({ source, content });
  return { name, type, source, size: content.length };
}

/** Doc strings declare a content type in Gherkin (```json): common short names get their real media type. */
function mediaTypeOf(declared: string): string {
  if (declared.includes('/')) return declared;
  const known: Readonly<Record<string, string>> = {
    json: 'application/json',
    xml: 'application/xml',
    html: 'text/html',
    csv: 'text/csv',
  };
  return known[declared.toLowerCase()] ?? 'text/plain';
}

function extensionOf(fileName: string | undefined, mediaType: string): string {
  const fromName = fileName ? extname(fileName).slice(1) : '';
  if (/^[A-Za-z0-9]{1,10}$/.test(fromName)) return fromName.toLowerCase();
  if (mediaType === CUCUMBER_LOG) return 'txt';
  return EXTENSIONS[mediaType] ?? 'bin';
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
