// The evidence a violation quotes of an answer: its status and the start of its body, credentials
// masked, since violations go into the run's messages and every report made from them.

/** How much of an answer a violation quotes: enough to see what came, short enough to read in a summary. */
export const evidenceLength = 500;

/** Keys whose values are credentials, whatever the service calls them (apiKey, x-api-key, access_token). */
const credentialKey =
  /pass(?:word|wd|phrase)|^pass$|secret|token|api[-_]?key|authorization|credential|cookie|session/i;

/** Credentials in free text: a scheme's token, a password in a URL, a key=value pair. */
const credentialText: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
  [/(\/\/[^/:@\s]+:)[^@\s/]+@/g, '$1***@'],
  [/\b((?:pass(?:word|wd)?|secret|token|api[-_]?key)\s*[=:]\s*)[^\s&,;"']+/gi, '$1***'],
];

function withoutCredentials(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCredentials);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      credentialKey.test(key) && inner !== null && inner !== '' ? '***' : withoutCredentials(inner),
    ]),
  );
}

const maskText = (text: string) =>
  credentialText.reduce((masked, [pattern, replacement]) => masked.replace(pattern, replacement), text);

/**
 * `<status> <body>`, cut to evidenceLength, with credentials masked: values under credential-like keys,
 * tokens and passwords in text, and whatever `mask` knows (the run's own keys and secrets).
 */
export function maskEvidence(
  answer: { status: number; body: unknown },
  mask: (text: string) => string = (text) => text,
): string {
  const body =
    typeof answer.body === 'string' ? answer.body : (JSON.stringify(withoutCredentials(answer.body)) ?? '');
  const text = mask(maskText(`${answer.status} ${body}`.trim()));
  return text.length > evidenceLength ? `${text.slice(0, evidenceLength - 1)}…` : text;
}
